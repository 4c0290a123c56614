import { ScheduleSettings, type EventEnvelope, type EventOf, type messageEvents } from '@ccp/schemas';
import {
  planAppointmentMessages,
  planCancellationNotice,
  type BusinessToPlan,
  type CheckpointStore,
  type CommandHandler,
  type EventStore,
  type PlanInput,
  type PlannedMessage,
} from '@ccp/command-service';
import { followLog } from '../process-manager/follow-log.js';
import { startTimers } from '../timers/timers.js';
import { sendFor } from './commands.js';
import { handleReply } from './replies.js';
import { isOpen, RemindersView, type AppointmentEntry, type MessageEntry } from './view.js';

export const REMINDERS_CHECKPOINT = 'appointment-reminders';
/**
 * When the manager first started, by its clock, in ms (kept with the checkpoints, which hold numbers): no-shows
 * due before it are the past of a log it did not follow, not for it to mark.
 */
export const REMINDERS_SINCE = 'appointment-reminders.since';
const DEFAULT_SETTINGS = ScheduleSettings.parse({});

type Received = Extract<EventOf<(typeof messageEvents)[number]>, { type: 'MessageReceived' }>['data'];

export interface RemindersOptions {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  /** Decides on the same clock as `now` (the no-show rule compares the start with it). */
  readonly handler: Pick<CommandHandler, 'handleTrusted'>;
  readonly now: () => Date;
  /** The business's name and our sender number for an appointment (the gateway's directory knows them). */
  readonly business: (appointment: AppointmentEntry) => Promise<Omit<BusinessToPlan, 'staffName'>>;
  readonly log: (message: string) => void;
  /** The tenant's secret key for the ids of contacts made from a reply (see replyContactId). */
  readonly contactIdKey: (tenantId: string) => Buffer;
  /** How often the no-show timers look at the clock (default 1 s). */
  readonly pollMs?: number;
  /** The first wait before a failed reaction is tried again, doubled at each try (default 200 ms). */
  readonly retryMs?: number;
}

export interface Reminders {
  /** Appointments waiting for their no-show check (tests, benchmarks). */
  readonly stats: () => { readonly noShowTimers: number; readonly position: number };
  /** Looks at the clock now (after a test moved it). */
  readonly poke: () => void;
  /** Resolves once every event in the log has been handled, those its own commands appended included. */
  readonly caughtUp: () => Promise<void>;
  stop(): Promise<void>;
}

const noShowKey = (tenantId: string, appointmentId: string) => `${tenantId}/${appointmentId}`;

/**
 * The reminders process manager: follows the log from its checkpoint and turns appointment events into
 * messages (ScheduleMessage with ids derived from the appointment, its revision and the reminder, so a replay
 * plans nothing twice), cancels what a move or a cancellation makes pointless, marks a no-show once the grace
 * period after its end has passed (none due before the manager's first start), and handles the replies contacts
 * send. The messages themselves are event-sourced timers sent by the delivery worker; the no-show checks are
 * timers rebuilt from the open appointments at every start.
 */
export const startReminders = async (options: RemindersOptions): Promise<Reminders> => {
  const { store, checkpoints, log, now } = options;
  const view = new RemindersView();
  const send = sendFor(options.handler, log);

  const planInput = async (appointment: AppointmentEntry): Promise<PlanInput> => {
    const contact = view.contactOf(appointment);
    const service = view.serviceOf(appointment);
    const settings = view.settingsOf(appointment.tenantId);
    const staffName = view.staffOf(appointment);
    return {
      appointment,
      ...(settings !== undefined && { settings }),
      ...(service !== undefined && { service }),
      ...(contact !== undefined && { contact }),
      business: { ...(await options.business(appointment)), ...(staffName !== undefined && { staffName }) },
      now: now(),
    };
  };

  const schedule = async (messages: readonly PlannedMessage[]) => {
    for (const message of messages) {
      await send('ScheduleMessage', { ...message }, message.appointmentId);
    }
  };

  const cancel = async (tenantId: string, messages: readonly MessageEntry[], reason: string) => {
    for (const message of messages) {
      await send('CancelMessage', { tenantId, messageId: message.messageId, reason }, message.appointmentId);
    }
  };

  /** Messages about the appointment's time (not replies, not the cancellation notice). */
  const pendingAbout = (appointment: AppointmentEntry) =>
    view
      .pendingMessages(appointment.tenantId, appointment.appointmentId)
      .filter((m) => m.purpose !== 'reply' && m.purpose !== 'cancellation');

  // ------------------------------------------------------------------------------------------- no-shows

  const graceOf = (tenantId: string) => (view.settingsOf(tenantId) ?? DEFAULT_SETTINGS).noShowGraceMinutes;

  /** The end of the appointment plus the grace: a customer who came late is still seen until the end. */
  const noShowDue = (appointment: AppointmentEntry) =>
    Date.parse(appointment.startsAt) + (appointment.durationMinutes + graceOf(appointment.tenantId)) * 60_000;

  const timers = startTimers({
    now,
    log,
    ...(options.pollMs !== undefined && { pollMs: options.pollMs }),
    onDue: async (key) => {
      const [tenantId = '', appointmentId = ''] = key.split('/');
      const appointment = view.appointment(tenantId, appointmentId);
      if (!appointment || !isOpen(appointment)) return;
      const due = noShowDue(appointment);
      // Moved later since the timer was set: its own time is awaited.
      if (now().getTime() < due) {
        timers.schedule(key, new Date(due));
        return;
      }
      await send('MarkNoShow', { tenantId, appointmentId }, appointmentId);
    },
  });

  /** Set once the first start is known (below), before any timer is armed. */
  let since = Number.NEGATIVE_INFINITY;

  const armNoShow = (appointment: AppointmentEntry) => {
    const key = noShowKey(appointment.tenantId, appointment.appointmentId);
    const due = noShowDue(appointment);
    if (!isOpen(appointment) || due < since) {
      timers.cancel(key);
      return;
    }
    timers.schedule(key, new Date(due));
  };

  // ------------------------------------------------------------------------------------------- reactions

  const onAppointment = async (event: EventEnvelope, appointment: AppointmentEntry) => {
    armNoShow(appointment);
    switch (event.type) {
      case 'AppointmentScheduled':
        await schedule(planAppointmentMessages(await planInput(appointment)));
        return;
      case 'AppointmentRescheduled': {
        // The old time's messages go; the new time's are planned under the new revision.
        await cancel(appointment.tenantId, pendingAbout(appointment), 'the appointment was moved');
        await schedule(planAppointmentMessages(await planInput(appointment)));
        return;
      }
      case 'AppointmentCancelled': {
        await cancel(appointment.tenantId, pendingAbout(appointment), 'the appointment was cancelled');
        const notice = planCancellationNotice(await planInput(appointment));
        if (notice) await schedule([notice]);
        return;
      }
      case 'AppointmentCompleted':
      case 'AppointmentNoShow':
        await cancel(appointment.tenantId, pendingAbout(appointment), 'the appointment is over');
        return;
      default:
        return;
    }
  };

  /**
   * Messages that cannot go on their channel any more (consent withdrawn) are cancelled and the same ones planned
   * again, which puts them on the next channel the contact can be reached on.
   */
  const moveOffChannel = async (appointment: AppointmentEntry, stranded: readonly MessageEntry[]) => {
    if (stranded.length === 0) return;
    const channel = stranded[0]?.channel ?? '';
    await cancel(appointment.tenantId, stranded, `consent for ${channel} was withdrawn`);
    const input = await planInput(appointment);
    const moved = new Set(stranded.map((m) => `${m.purpose}@${m.dueAt}`));
    const replanned = [
      ...planAppointmentMessages(input).filter((m) => moved.has(`${m.purpose}@${m.dueAt}`)),
      ...(stranded.some((m) => m.purpose === 'cancellation') ? [planCancellationNotice(input)] : []),
    ].filter((m): m is PlannedMessage => m !== undefined);
    await schedule(replanned);
  };

  const onConsentWithdrawn = async (tenantId: string, contactId: string, channel: string) => {
    const contact = view.contact(tenantId, contactId);
    if (!contact) return;
    for (const appointment of view.appointmentsOf(tenantId, contactId, contact.phones[0] ?? '')) {
      await moveOffChannel(
        appointment,
        pendingAbout(appointment).filter((m) => m.channel === channel),
      );
    }
  };

  /**
   * A message this manager planned lands in the log after the event it reacted to, so a move, a cancellation or
   * a STOP written in between was handled before the message was in the view, and cancelled nothing. Each
   * message is therefore checked again when it is folded: one for a time that is no longer the appointment's,
   * for an appointment no longer open, or on a channel whose consent is withdrawn does not go.
   */
  const onMessageScheduled = async (tenantId: string, messageId: string) => {
    const message = view.message(tenantId, messageId);
    if (!message?.pending || message.purpose === 'reply') return;
    const appointment = view.appointment(tenantId, message.appointmentId);
    if (!appointment) return;
    if (message.purpose !== 'cancellation') {
      if (!isOpen(appointment)) {
        await cancel(tenantId, [message], `the appointment is ${appointment.status}`);
        return;
      }
      if (message.revision !== undefined && message.revision !== appointment.revision) {
        await cancel(tenantId, [message], 'the appointment was moved');
        return;
      }
    }
    if (view.contactOf(appointment)?.consent[message.channel] === false) {
      await moveOffChannel(appointment, [message]);
    }
  };

  const onScheduleConfigured = (tenantId: string) => {
    for (const appointment of view.openAppointments()) {
      if (appointment.tenantId === tenantId) armNoShow(appointment);
    }
  };

  const react = async (event: EventEnvelope) => {
    const stream = event.streamId.slice(0, event.streamId.indexOf('-'));
    if (stream === 'appointment') {
      const appointment = view.appointment(
        event.tenantId,
        event.streamId.slice(event.streamId.indexOf('.') + 1),
      );
      if (appointment) await onAppointment(event, appointment);
      return;
    }
    if (event.type === 'MessageReceived') {
      const messageId = event.streamId.slice(event.streamId.indexOf('.') + 1);
      await handleReply(
        { view, store, send, now, contactIdKey: options.contactIdKey },
        event.tenantId,
        messageId,
        event.data as Received,
      );
      return;
    }
    if (event.type === 'ConsentRecorded') {
      const data = event.data as { channel: string; granted: boolean };
      if (!data.granted) {
        await onConsentWithdrawn(
          event.tenantId,
          event.streamId.slice(event.streamId.indexOf('.') + 1),
          data.channel,
        );
      }
      return;
    }
    if (event.type === 'MessageScheduled') {
      await onMessageScheduled(event.tenantId, event.streamId.slice(event.streamId.indexOf('.') + 1));
      return;
    }
    if (event.type === 'ScheduleConfigured') onScheduleConfigured(event.tenantId);
  };

  const REACTS_TO = new Set([
    'AppointmentScheduled',
    'AppointmentRescheduled',
    'AppointmentCancelled',
    'AppointmentCompleted',
    'AppointmentNoShow',
    'AppointmentConfirmed',
    'MessageReceived',
    'MessageScheduled',
    'ConsentRecorded',
    'ScheduleConfigured',
  ]);
  const FOLDS = /^(appointment|contact|message|schedule|service|calendar)-/;

  // ------------------------------------------------------------------------------------------- following

  // A manager that ran before this was recorded takes this start as its first: it marks no old appointments.
  since = (await checkpoints.load(REMINDERS_SINCE)) ?? now().getTime();
  await checkpoints.save(REMINDERS_SINCE, since);
  /*
   * First start: what was booked before the manager existed is not messaged all at once; from here on. A
   * reaction is tried until it is done: skipping it would lose a reminder or a STOP for good. A refusal that is
   * final (the appointment closed meanwhile) is an answer, not a failure (commands.ts); what is left is the store
   * or a service being down, which passes.
   */
  const follower = await followLog({
    store,
    checkpoints,
    checkpointName: REMINDERS_CHECKPOINT,
    firstStart: 'log-end',
    name: 'reminders',
    folds: (streamId) => FOLDS.test(streamId),
    apply: (event) => view.apply(event),
    reactsTo: (event) => REACTS_TO.has(event.type),
    react,
    ready: () => {
      for (const appointment of view.openAppointments()) armNoShow(appointment);
    },
    log,
    ...(options.retryMs !== undefined && { retryMs: options.retryMs }),
  });

  return {
    stats: () => ({ noShowTimers: timers.size(), position: follower.position() }),
    poke: () => timers.poke(),
    caughtUp: async () => {
      // What it appends while catching up (reminders, consent) is caught up with too.
      await follower.caughtUp();
    },
    stop: async () => {
      await follower.stop();
      await timers.stop();
    },
  };
};
