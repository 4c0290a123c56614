import { openPrivateDatabase } from '../event-store/private-sqlite.js';

/** Where a named consumer of the global log remembers how far it got. */
export interface CheckpointStore {
  load(name: string): Promise<number | undefined>;
  save(name: string, position: number): Promise<void>;
  close(): Promise<void>;
}

export const createSqliteCheckpointStore = (path: string): CheckpointStore => {
  const db = openPrivateDatabase(path);
  // Set first: switching a new file to WAL takes a lock another process may hold at that moment.
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.exec(
    'CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID',
  );
  const load = db.prepare<[string], { position: number }>('SELECT position FROM checkpoints WHERE name = ?');
  const save = db.prepare<[string, number]>(
    'INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
  );
  return {
    load: async (name) => load.get(name)?.position,
    save: async (name, position) => {
      save.run(name, position);
    },
    close: async () => {
      db.close();
    },
  };
};
