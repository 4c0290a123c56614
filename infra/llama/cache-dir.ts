import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Everything infra/llama caches (the server per version, models/): outside the repository, like the Kafka
 * artifacts, so a fresh clone on the same machine builds and downloads nothing again.
 */
export const llamaCacheDir = (): string =>
  process.env['CCP_LLAMA_CACHE'] ??
  join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'ccp-llama');
