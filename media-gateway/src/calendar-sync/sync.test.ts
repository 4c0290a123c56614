import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import {
  commandRoutes,
  createCommandHandler,
  createSqliteCheckpointStore,
  createSqliteEventStore,
  type CheckpointStore,
  type CommandHandler,
  type EventStore,
} from '@ccp/command-service';
import type { GoogleCalendarClient, GoogleCalendarEvent } from './google-client.js';
import { CALENDAR_SYNC_CHECKPOINT, startCalendarSync, type CalendarSync } from './sync.js';

/*
 * The sync on a real command handler and SQLite log, with a recording client in place of Google's API (the
 * wire format itself is tested against the stand-in in tests/e2e/google-calendar-sync.test.ts): what it pushes
 * when the appointment changes while Google is still answering the previous push.
 */

const TENANT = 'acme';
const NOW = new Date('2026-03-02T15:00:00Z');
const START = '2026-03-05T15:00:00.000Z';
const MOVED = '2026-03-06T16:00:00.000Z';

let dir: string;
let store: EventStore;
let checkpoints: CheckpointStore;
let handler: CommandHandler;
let sync: CalendarSync | undefined;

const send = (type: string, data: Record<string, unknown>) =>
  handler.handleTrusted(type, { tenantId: TENANT, ...data }, { actor: SYSTEM_ACTOR });

/** Records upserts; the first one waits until the test lets it answer. */
const recordingClient = () => {
  const upserts: GoogleCalendarEvent[] = [];
  let release: () => void = () => undefined;
  const firstAnswer = new Promise<void>((resolve) => (release = resolve));
  let entered: () => void = () => undefined;
  const firstCalled = new Promise<void>((resolve) => (entered = resolve));
  const client: GoogleCalendarClient = {
    upsertEvent: async (_calendarId, event) => {
      upserts.push(event);
      if (upserts.length === 1) {
        entered();
        await firstAnswer;
      }
      return { id: event.id };
    },
    deleteEvent: () => Promise.resolve(),
    freeBusy: (ids) => Promise.resolve(new Map(ids.map((id) => [id, []]))),
  };
  return { client, upserts, release, firstCalled };
};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'calendar-sync-'));
  store = createSqliteEventStore({ path: ':memory:' });
  checkpoints = createSqliteCheckpointStore(join(dir, 'checkpoints.db'));
  handler = createCommandHandler({ store, routes: commandRoutes, clock: () => NOW });
  await send('CreateTenant', { name: 'Acme Dental', planTier: 'starter' });
  await send('AddResource', {
    resourceId: 'ana',
    name: 'Dr. Ana',
    kind: 'staff',
    timeZone: 'UTC',
    workingHours: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, open: '08:00', close: '18:00' })),
  });
  await send('DefineService', {
    serviceId: 'cleaning',
    name: 'Cleaning',
    durationMinutes: 45,
    resourceIds: ['ana'],
  });
  await send('LinkExternalCalendar', {
    resourceId: 'ana',
    provider: 'google',
    calendarId: 'ana@clinic.example',
  });
});
afterEach(async () => {
  await sync?.stop();
  sync = undefined;
  await checkpoints.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the calendar sync', () => {
  it('pushes a move made while Google was answering the booking, and checkpoints only after it', async () => {
    const { client, upserts, release, firstCalled } = recordingClient();
    sync = await startCalendarSync({
      store,
      checkpoints,
      handler,
      client,
      now: () => NOW,
      log: () => undefined,
      pollMs: 3_600_000,
    });
    await send('ScheduleAppointment', {
      appointmentId: 'apt-1',
      customer: { name: 'Maria Lopez' },
      service: 'Cleaning',
      startsAt: START,
      durationMinutes: 45,
      timeZone: 'UTC',
      placement: { resourceId: 'ana', serviceIds: ['cleaning'] },
    });
    const pushing = sync.syncNow();
    await firstCalled;
    // Moved while the first push waits for Google.
    await send('RescheduleAppointment', { appointmentId: 'apt-1', startsAt: MOVED, resourceId: 'ana' });
    const [end] = (await store.readAll({ after: 0, maxCount: 1_000_000 })).slice(-1);
    release();
    await pushing;
    await sync.syncNow();
    expect(upserts.at(-1)?.start.dateTime).toBe(MOVED);
    expect(await checkpoints.load(CALENDAR_SYNC_CHECKPOINT)).toBeGreaterThanOrEqual(
      end?.position ?? Infinity,
    );
  });
});
