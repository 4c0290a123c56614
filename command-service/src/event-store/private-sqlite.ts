import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Opens a SQLite file (created with its folder when missing) that only its owner may read. SQLite gives the
 * -wal and -shm files it makes the mode of the database file, so the database is created 0600 before SQLite
 * opens it; files an older version made 0644 are closed here too.
 */
export const openPrivateDatabase = (path: string): Database.Database => {
  if (path === ':memory:') return new Database(path);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
  return new Database(path);
};
