import { EventEmitter } from 'node:events';
import {
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from './port.js';
import { openPrivateDatabase } from './private-sqlite.js';

export interface SqliteEventStoreOptions {
  /** File of the store; created with its folder when missing. ':memory:' for a private in-memory store. */
  readonly path: string;
  /**
   * How often subscriptions look for events appended by *other* processes; appends in this process wake them
   * at once.
   */
  readonly pollIntervalMs?: number;
  /** 'full' makes every acknowledged append survive a power cut, 'normal' only a process crash. */
  readonly synchronous?: 'full' | 'normal';
}

interface EventRow {
  position: number;
  id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  recorded_at: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL UNIQUE,
    stream_id   TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    recorded_at INTEGER NOT NULL,
    UNIQUE (stream_id, revision)
  );
  CREATE TABLE IF NOT EXISTS streams (
    stream_id TEXT    PRIMARY KEY,
    revision  INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

const toRecorded = (row: EventRow): RecordedEvent => ({
  id: row.id,
  type: row.type,
  streamId: row.stream_id,
  revision: row.revision,
  position: row.position,
  data: JSON.parse(row.data) as unknown,
  metadata: JSON.parse(row.metadata) as unknown,
  recordedAt: new Date(row.recorded_at),
});

const matches = (expected: ExpectedRevision, actual: number | undefined): boolean => {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === undefined;
  if (expected === 'stream_exists') return actual !== undefined;
  return actual === expected;
};

/**
 * The embedded event store: one SQLite file in WAL mode. Appends run in `BEGIN IMMEDIATE` transactions, so
 * several processes may write the same file: SQLite serialises the writers and the (stream, revision) key
 * refuses any interleaving a stale writer could attempt.
 */
export const createSqliteEventStore = (options: SqliteEventStoreOptions): EventStore => {
  const db = openPrivateDatabase(options.path);
  // Set first: switching a new file to WAL takes a lock another process may hold at that moment.
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'full'}`);
  db.exec(SCHEMA);

  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const appended = new EventEmitter();
  appended.setMaxListeners(0);

  const streamRevision = db.prepare<[string], { revision: number }>(
    'SELECT revision FROM streams WHERE stream_id = ?',
  );
  const eventById = db.prepare<[string], { stream_id: string; revision: number; position: number }>(
    'SELECT stream_id, revision, position FROM events WHERE id = ?',
  );
  const insertEvent = db.prepare<[string, string, number, string, string, string, number]>(
    'INSERT INTO events (id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const upsertStream = db.prepare<[string, number]>(
    'INSERT INTO streams (stream_id, revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision',
  );
  const readForwards = db.prepare<[string, number, number], EventRow>(
    'SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?',
  );
  const readBackwards = db.prepare<[string, number, number], EventRow>(
    'SELECT * FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?',
  );
  const readAllAfter = db.prepare<[number, number], EventRow>(
    'SELECT * FROM events WHERE position > ? ORDER BY position ASC LIMIT ?',
  );

  /** A retried append of events already stored answers as the first one did. */
  const previousAppend = (streamId: string, events: readonly NewEvent[]): AppendResult | undefined => {
    const first = events[0] && eventById.get(events[0].id);
    if (!first) return undefined;
    let last = first;
    for (const [index, event] of events.entries()) {
      const stored = eventById.get(event.id);
      if (!stored || stored.stream_id !== streamId || stored.revision !== first.revision + index) {
        throw new WrongExpectedRevisionError(
          streamId,
          'any',
          streamRevision.get(streamId)?.revision ?? 'no_stream',
        );
      }
      last = stored;
    }
    return { nextRevision: last.revision, position: last.position };
  };

  const appendTransaction = db.transaction(
    (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult => {
      const retried = previousAppend(streamId, events);
      if (retried) return retried;
      const current = streamRevision.get(streamId)?.revision;
      if (!matches(expected, current)) {
        throw new WrongExpectedRevisionError(streamId, expected, current ?? 'no_stream');
      }
      const now = Date.now();
      let revision = current ?? -1;
      let position = 0;
      for (const event of events) {
        revision += 1;
        const info = insertEvent.run(
          event.id,
          streamId,
          revision,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata ?? {}),
          now,
        );
        position = Number(info.lastInsertRowid);
      }
      upsertStream.run(streamId, revision);
      return { nextRevision: revision, position };
    },
  );

  let closed = false;

  const readAllSync = (after: number, maxCount: number): RecordedEvent[] =>
    readAllAfter.all(after, maxCount).map(toRecorded);

  const subscribe = (subscribeOptions: SubscribeOptions = {}): Subscription => {
    let checkpoint = subscribeOptions.after ?? 0;
    let stopped = false;
    let wake: (() => void) | undefined;
    const onAppend = () => wake?.();
    appended.on('append', onAppend);

    const waitForMore = () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollIntervalMs);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });

    async function* feed(): AsyncGenerator<RecordedEvent> {
      try {
        while (!stopped && !closed) {
          const batch = readAllSync(checkpoint, 1000);
          for (const event of batch) {
            if (stopped) return;
            checkpoint = event.position;
            yield event;
          }
          if (batch.length === 0) await waitForMore();
        }
      } finally {
        appended.off('append', onAppend);
      }
    }

    const iterator = feed();
    return {
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        stopped = true;
        wake?.();
        appended.off('append', onAppend);
      },
    };
  };

  return {
    append: async (streamId, events, expected) => {
      if (events.length === 0) throw new Error('nothing to append');
      const result = appendTransaction.immediate(streamId, events, expected);
      appended.emit('append');
      return result;
    },
    readStream: async (streamId, readOptions: ReadStreamOptions = {}) => {
      const maxCount = readOptions.maxCount ?? Number.MAX_SAFE_INTEGER;
      const rows =
        readOptions.direction === 'backwards'
          ? readBackwards.all(streamId, readOptions.fromRevision ?? Number.MAX_SAFE_INTEGER, maxCount)
          : readForwards.all(streamId, readOptions.fromRevision ?? 0, maxCount);
      return rows.map(toRecorded);
    },
    readAll: async (readOptions: ReadAllOptions = {}) =>
      readAllSync(readOptions.after ?? 0, readOptions.maxCount ?? Number.MAX_SAFE_INTEGER),
    subscribe,
    close: async () => {
      closed = true;
      appended.emit('append');
      db.close();
    },
  };
};
