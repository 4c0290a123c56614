import { toolCacheDir } from '../cache-dir.js';

/** Everything infra/llama caches (the server per version, models/), like the Kafka artifacts. */
export const llamaCacheDir = (): string => toolCacheDir('ccp-llama', 'CCP_LLAMA_CACHE');
