import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type EventEnvelope } from '@ccp/schemas';
import {
  commandRoutes,
  createCommandHandler,
  createSqliteCheckpointStore,
  createSqliteEventStore,
  type CheckpointStore,
  type CommandHandler,
  type EventStore,
} from '@ccp/command-service';
import { endOfLog } from '../end-of-log.js';
import { backoffMs, followLog, readLogUpTo, type FollowLogOptions, type LogFollower } from './follow-log.js';

/* The checkpointed log follower on a real command handler and SQLite log: it folds contacts, acts on new ones. */

const TENANT = 'acme';
const NAME = 'test-follower';

let dir: string;
let store: EventStore;
let checkpoints: CheckpointStore;
let handler: CommandHandler;
let running: LogFollower | undefined;
const logged: string[] = [];
/** The contacts folded into the follower's view, and those it acted on, in order. */
let folded: string[];
let acted: string[];

const contactOf = (event: EventEnvelope) => event.streamId.slice(event.streamId.indexOf('.') + 1);

const createContact = (contactId: string) =>
  handler.handleTrusted(
    'CreateContact',
    {
      tenantId: TENANT,
      contactId,
      name: contactId,
      phones: [],
      emails: [`${contactId}@example.com`],
      consent: [],
    },
    { actor: SYSTEM_ACTOR },
  );

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'follow-log-'));
  store = createSqliteEventStore({ path: ':memory:' });
  checkpoints = createSqliteCheckpointStore(join(dir, 'checkpoints.db'));
  handler = createCommandHandler({ store, routes: commandRoutes });
  await handler.handleTrusted(
    'CreateTenant',
    { tenantId: TENANT, name: 'Acme Dental', planTier: 'starter' },
    { actor: SYSTEM_ACTOR },
  );
  folded = [];
  acted = [];
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await checkpoints.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  logged.length = 0;
});

const start = async (overrides: Partial<FollowLogOptions> = {}) => {
  running = await followLog({
    store,
    checkpoints,
    checkpointName: NAME,
    firstStart: 'log-start',
    name: 'test',
    folds: (streamId) => streamId.startsWith('contact-'),
    apply: (event) => folded.push(contactOf(event)),
    reactsTo: (event) => event.type === 'ContactCreated',
    react: async (event) => {
      acted.push(contactOf(event));
    },
    log: (m) => logged.push(m),
    retryMs: 5,
    ...overrides,
  });
  return running;
};

const stop = async () => {
  await running?.stop();
  running = undefined;
};

describe('the checkpointed log follower', () => {
  it('folds and acts on each event in log order and saves the checkpoint after acting', async () => {
    const follower = await start();
    await createContact('ana');
    await createContact('bob');
    expect(await follower.caughtUp()).toBe(true);
    expect(folded).toEqual(['ana', 'bob']);
    expect(acted).toEqual(['ana', 'bob']);
    const end = await endOfLog(store);
    expect(follower.position()).toBe(end);
    expect(await checkpoints.load(NAME)).toBe(end);
  });

  it('resumes after a restart: the view folded up to the checkpoint, only later events acted on', async () => {
    await start();
    await createContact('ana');
    await running?.caughtUp();
    await stop();
    await createContact('bob');
    const ready: string[][] = [];
    const follower = await start({ ready: () => ready.push([...folded]) });
    await follower.caughtUp();
    // Folded again from the log's start at the restart (ready saw it), then bob once.
    expect(ready).toEqual([['ana', 'ana']]);
    expect(folded).toEqual(['ana', 'ana', 'bob']);
    expect(acted).toEqual(['ana', 'bob']);
  });

  it('on a first start from the log’s end acts on nothing before it, and saves that start at once', async () => {
    await createContact('old');
    const end = await endOfLog(store);
    const follower = await start({ firstStart: 'log-end' });
    expect(await checkpoints.load(NAME)).toBe(end);
    await createContact('new');
    await follower.caughtUp();
    expect(folded).toEqual(['old', 'new']);
    expect(acted).toEqual(['new']);
  });

  it('saves the checkpoint every saveEvery events it only folds', async () => {
    const first = await endOfLog(store);
    const follower = await start({ firstStart: 'log-end', reactsTo: () => false, saveEvery: 3 });
    for (const id of ['a', 'b', 'c', 'd']) await createContact(id);
    await follower.caughtUp();
    expect(follower.position()).toBe(first + 4);
    expect(await checkpoints.load(NAME)).toBe(first + 3);
    expect(acted).toEqual([]);
  });

  it('subscribes again, from the last event handled, after a failing subscription', async () => {
    let broken = 2;
    const flaky: EventStore = {
      ...store,
      append: (...args) => store.append(...args),
      readStream: (...args) => store.readStream(...args),
      readAll: (...args) => store.readAll(...args),
      close: () => store.close(),
      subscribe: (options) => {
        if (broken-- <= 0) return store.subscribe(options);
        return {
          close: () => Promise.resolve(),
          [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('connection lost')) }),
        };
      },
    };
    const follower = await start({ store: flaky });
    await createContact('ana');
    await follower.caughtUp();
    expect(acted).toEqual(['ana']);
    expect(logged.filter((m) => m.includes('connection lost'))).toHaveLength(2);
  });

  it('subscribes again when a subscription ends by itself', async () => {
    let ending = 1;
    const flaky: EventStore = {
      ...store,
      append: (...args) => store.append(...args),
      readStream: (...args) => store.readStream(...args),
      readAll: (...args) => store.readAll(...args),
      close: () => store.close(),
      subscribe: (options) => {
        if (ending-- <= 0) return store.subscribe(options);
        return {
          close: () => Promise.resolve(),
          [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: true, value: undefined }) }),
        };
      },
    };
    const follower = await start({ store: flaky });
    await createContact('ana');
    await follower.caughtUp();
    expect(acted).toEqual(['ana']);
    expect(logged.some((m) => m.includes('the subscription ended'))).toBe(true);
  });

  it('goes on after a checkpoint could not be saved: the event is acted on again but folded once', async () => {
    let failSaves = 0;
    const flaky: CheckpointStore = {
      load: (name) => checkpoints.load(name),
      save: (name, position) =>
        failSaves-- > 0 ? Promise.reject(new Error('disk full')) : checkpoints.save(name, position),
      close: () => checkpoints.close(),
    };
    const follower = await start({ checkpoints: flaky });
    failSaves = 1;
    await createContact('ana');
    await follower.caughtUp();
    expect(folded).toEqual(['ana']);
    expect(acted).toEqual(['ana', 'ana']);
    expect(logged.some((m) => m.includes('disk full'))).toBe(true);
    expect(await checkpoints.load(NAME)).toBe(follower.position());
  });

  it('keeps trying a failing reaction, and stopped while it fails leaves the checkpoint before its event', async () => {
    await createContact('ana');
    const anaAt = (await store.readAll()).find((r) => r.type === 'ContactCreated')?.position ?? 0;
    let tries = 0;
    const follower = await start({
      react: () => {
        tries += 1;
        return Promise.reject(new Error('the store is unavailable'));
      },
    });
    const waited = follower.caughtUp();
    await expect.poll(() => tries).toBeGreaterThan(3);
    // Logged at tries 1, 2, 4, ...
    expect(logged.filter((m) => m.includes('unavailable')).length).toBeLessThan(tries);
    await stop();
    expect(await waited).toBe(false);
    expect(await checkpoints.load(NAME)).toBe(anaAt - 1);
    expect(acted).toEqual([]);
    // The next start acts on it, folded once more with the rest of the log.
    const again = await start();
    await again.caughtUp();
    expect(acted).toEqual(['ana']);
    expect(await checkpoints.load(NAME)).toBe(await endOfLog(store));
  });
});

describe('reading the log up to a position', () => {
  it('hands over every event up to it, in order, and none after', async () => {
    await createContact('ana');
    const upTo = await endOfLog(store);
    await createContact('bob');
    const positions: number[] = [];
    await readLogUpTo(store, upTo, (recorded) => positions.push(recorded.position));
    expect(positions).toEqual(Array.from({ length: upTo }, (_, i) => i + 1));
  });

  it('waits longer at each try, up to the longest wait', () => {
    expect([1, 2, 3].map((attempt) => backoffMs(200, attempt))).toEqual([200, 400, 800]);
    expect(backoffMs(200, 20)).toBe(30_000);
  });
});
