import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where an infra tool keeps what it builds or downloads (a compiled server, a model): outside the repository, so
 * a fresh clone on the same machine builds and downloads nothing again. `$<override>` when set, else
 * `$XDG_CACHE_HOME/<name>`, else `~/.cache/<name>`.
 */
export const toolCacheDir = (name: string, override: string): string =>
  process.env[override] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), name);
