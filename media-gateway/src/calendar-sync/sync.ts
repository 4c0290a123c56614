import {
  decodeEvent,
  SYSTEM_ACTOR,
  type AppointmentScheduled,
  type AppointmentRescheduled,
  type EventEnvelope,
  type ExternalCalendarLinked,
  type ExternalEventRecorded,
} from '@ccp/schemas';
import type { CheckpointStore, CommandHandler, EventStore } from '@ccp/command-service';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { endOfLog } from '../end-of-log.js';
import { GoogleCalendarError, type BusyRange, type GoogleCalendarClient } from './google-client.js';
import {
  busyWithoutOurs,
  endOf,
  externalEventIdOf,
  mirrorEventOf,
  wantsMirror,
  type MirroredAppointment,
} from './mirror.js';

export const CALENDAR_SYNC_CHECKPOINT = 'google-calendar-sync';

export interface CalendarSyncOptions {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly handler: CommandHandler;
  readonly client: GoogleCalendarClient;
  readonly now: () => Date;
  readonly log: (message: string) => void;
  /** How often linked calendars' free/busy is read (default 60 s). */
  readonly pollMs?: number;
  /** How far ahead free/busy is read (default 30 days). */
  readonly horizonDays?: number;
  /** How long a failed push waits before it is tried again (default 30 s). */
  readonly retryMs?: number;
}

export interface CalendarSync {
  /**
   * Pushes every pending change now (failed ones too, without waiting for their retry) and reads free/busy once,
   * after catching up with the log: what the timers do, on demand.
   */
  syncNow(): Promise<void>;
  stop(): Promise<void>;
}

type Data<D extends { data: z.ZodType }> = z.output<D['data']>;
type Link = { readonly calendarId: string };
/** Where an appointment's mirror was written, as ExternalEventRecorded says. */
type Written = { readonly resourceId: string; readonly calendarId: string };

const keyOf = (tenantId: string, id: string) => `${tenantId}/${id}`;
const idOfStream = (streamId: string) => streamId.slice(streamId.indexOf('.') + 1);

/**
 * Two-way sync with Google Calendar for resources linked to one (LinkExternalCalendar). Out: each open
 * appointment placed on a linked resource is mirrored as an event there (inserted, patched when moved or
 * confirmed, deleted when cancelled or moved to another resource), with an id derived from the appointment so a
 * repeated push changes nothing. In: the linked calendars' free/busy, less our own mirrors, becomes the
 * resource's external busy time (SyncExternalBusy), which availability and ReserveSlot respect.
 *
 * The state is folded from the whole log on start; only events after the checkpoint are pushed, and the
 * checkpoint moves only when nothing is left to push, so a crash repeats pushes (harmless) and loses none.
 */
export const startCalendarSync = async (options: CalendarSyncOptions): Promise<CalendarSync> => {
  const { store, checkpoints, handler, client, log } = options;
  const pollMs = options.pollMs ?? 60_000;
  const retryMs = options.retryMs ?? 30_000;
  const horizonMs = (options.horizonDays ?? 30) * 86_400_000;

  const links = new Map<string, Link>();
  const appointments = new Map<string, MirroredAppointment>();
  const written = new Map<string, Written>();
  const lastBusy = new Map<string, string>();
  /** Appointments whose mirror may be out of date, by tenant/appointment. */
  const dirty = new Set<string>();
  /** When a failed push may be tried again, by tenant/appointment. */
  const retryAt = new Map<string, number>();
  const checkpoint = (await checkpoints.load(CALENDAR_SYNC_CHECKPOINT)) ?? 0;
  let seen = checkpoint;

  const markResource = (tenantId: string, resourceId: string) => {
    for (const [key, a] of appointments)
      if (a.tenantId === tenantId && a.resourceId === resourceId) dirty.add(key);
    for (const [key, w] of written)
      if (key.startsWith(`${tenantId}/`) && w.resourceId === resourceId) dirty.add(key);
  };

  const fold = (event: EventEnvelope, live: boolean) => {
    const { tenantId } = event;
    const id = idOfStream(event.streamId);
    const key = keyOf(tenantId, id);
    const current = appointments.get(key);
    switch (event.type) {
      case 'AppointmentScheduled': {
        const data = event.data as Data<typeof AppointmentScheduled>;
        if (!data.placement) return;
        appointments.set(key, {
          tenantId,
          appointmentId: id,
          resourceId: data.placement.resourceId,
          status: 'scheduled',
          startsAt: data.startsAt,
          durationMinutes: data.durationMinutes,
          timeZone: data.timeZone,
          service: data.service,
          customerName: data.customer.name,
        });
        break;
      }
      case 'AppointmentRescheduled': {
        const { to } = event.data as Data<typeof AppointmentRescheduled>;
        if (!current) return;
        appointments.set(key, {
          ...current,
          status: 'scheduled',
          startsAt: to.startsAt,
          durationMinutes: to.durationMinutes,
          resourceId: to.resourceId ?? current.resourceId,
        });
        break;
      }
      case 'AppointmentConfirmed':
      case 'AppointmentCancelled':
      case 'AppointmentCompleted':
      case 'AppointmentNoShow': {
        if (!current) return;
        const status = (
          {
            AppointmentConfirmed: 'confirmed',
            AppointmentCancelled: 'cancelled',
            AppointmentCompleted: 'completed',
            AppointmentNoShow: 'no_show',
          } as const
        )[event.type];
        appointments.set(key, { ...current, status });
        // A past appointment's mirror stays as a record; only a cancellation removes it.
        if (status !== 'cancelled' && status !== 'confirmed') return;
        break;
      }
      case 'ExternalCalendarLinked': {
        links.set(key, { calendarId: (event.data as Data<typeof ExternalCalendarLinked>).calendarId });
        if (live) markResource(tenantId, id);
        return;
      }
      case 'ExternalCalendarUnlinked':
        links.delete(key);
        lastBusy.delete(key);
        if (live) markResource(tenantId, id);
        return;
      case 'ExternalEventRecorded': {
        const data = event.data as Data<typeof ExternalEventRecorded>;
        const link = links.get(key);
        const appointment = keyOf(tenantId, data.appointmentId);
        if (data.externalEventId && link)
          written.set(appointment, { resourceId: id, calendarId: link.calendarId });
        else written.delete(appointment);
        return;
      }
      case 'ExternalBusySynced':
        lastBusy.set(key, JSON.stringify((event.data as { busy: unknown }).busy));
        return;
      default:
        return;
    }
    if (live) dirty.add(key);
  };

  const record = (tenantId: string, resourceId: string, appointmentId: string, externalEventId?: string) =>
    handler.handleTrusted(
      'RecordExternalEvent',
      { tenantId, resourceId, appointmentId, ...(externalEventId !== undefined && { externalEventId }) },
      { actor: SYSTEM_ACTOR, correlationId: appointmentId },
    );

  /** Brings one appointment's mirror to what its state asks for. */
  const reconcile = async (key: string) => {
    const appointment = appointments.get(key);
    const before = written.get(key);
    const link = appointment && links.get(keyOf(appointment.tenantId, appointment.resourceId));
    const wanted = appointment && link && wantsMirror(appointment, options.now()) ? link : undefined;
    const [tenantId = '', appointmentId = ''] = key.split('/');
    const eventId = externalEventIdOf(tenantId, appointmentId);
    if (before && (!wanted || before.calendarId !== wanted.calendarId)) {
      await client.deleteEvent(before.calendarId, eventId);
      await record(tenantId, before.resourceId, appointmentId);
      written.delete(key);
    }
    if (wanted && appointment) {
      const answer = await client.upsertEvent(wanted.calendarId, mirrorEventOf(appointment));
      if (!before || before.calendarId !== wanted.calendarId) {
        await record(tenantId, appointment.resourceId, appointmentId, answer.id);
        written.set(key, { resourceId: appointment.resourceId, calendarId: wanted.calendarId });
      }
    }
  };

  /** Pushes what is dirty; a forced push does not wait for the retry time of earlier failures. */
  const push = async (force = false) => {
    for (const key of [...dirty]) {
      if (!force && (retryAt.get(key) ?? 0) > options.now().getTime()) continue;
      // Cleared before the push: a change folded while it awaits Google marks the key again, for the next push.
      dirty.delete(key);
      try {
        await reconcile(key);
        retryAt.delete(key);
      } catch (error) {
        dirty.add(key);
        retryAt.set(key, options.now().getTime() + retryMs);
        // A refusal (no access to the calendar) will not pass by retrying soon, but may after a fix: keep it.
        const permanent = error instanceof GoogleCalendarError;
        log(`calendar sync: ${key} not pushed${permanent ? ' (needs attention)' : ''}: ${String(error)}`);
      }
    }
    if (dirty.size === 0 && seen > checkpoint) await checkpoints.save(CALENDAR_SYNC_CHECKPOINT, seen);
  };

  const pullBusy = async () => {
    const now = options.now();
    const until = new Date(now.getTime() + horizonMs);
    for (const [key, link] of links) {
      const [tenantId = '', resourceId = ''] = key.split('/');
      try {
        const busy = (await client.freeBusy([link.calendarId], now, until)).get(link.calendarId);
        if (!busy) {
          log(`calendar sync: free/busy of ${key} unavailable`);
          continue;
        }
        const ours: BusyRange[] = [...appointments.values()]
          .filter((a) => a.tenantId === tenantId && a.resourceId === resourceId && wantsMirror(a, now))
          .map((a) => ({ from: a.startsAt, until: endOf(a) }));
        const external = busyWithoutOurs(busy, ours);
        const serialized = JSON.stringify(external);
        if (lastBusy.get(key) === serialized) continue;
        await handler.handleTrusted(
          'SyncExternalBusy',
          {
            tenantId,
            resourceId,
            source: 'google',
            window: { from: now.toISOString(), until: until.toISOString() },
            busy: external,
          },
          { actor: SYSTEM_ACTOR },
        );
        lastBusy.set(key, serialized);
      } catch (error) {
        log(`calendar sync: free/busy of ${key} not read: ${String(error)}`);
      }
    }
  };

  const subscription = store.subscribe({ after: 0 });
  const following = (async () => {
    for await (const recorded of subscription) {
      const decoded = decodeEvent(recorded);
      if (decoded.ok) fold(decoded.value, recorded.position > checkpoint);
      seen = Math.max(seen, recorded.position);
    }
  })();
  following.catch((error: unknown) => log(`calendar sync stopped following the log: ${String(error)}`));

  let busyWork: Promise<void> = Promise.resolve();
  const run = (work: () => Promise<void>) => {
    busyWork = busyWork.then(work).catch((error: unknown) => log(`calendar sync: ${String(error)}`));
    return busyWork;
  };
  const pushTimer = setInterval(() => void run(() => push()), 1000);
  const pollTimer = setInterval(() => void run(pullBusy), pollMs);

  return {
    syncNow: async () => {
      const end = await endOfLog(store);
      while (seen < end) await sleep(10);
      await run(() => push(true));
      await run(pullBusy);
      await run(() => push(true));
    },
    stop: async () => {
      clearInterval(pushTimer);
      clearInterval(pollTimer);
      await subscription.close();
      await following.catch(() => undefined);
      await busyWork;
    },
  };
};
