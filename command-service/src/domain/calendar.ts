import type {
  CommandMetadata,
  CommandOf,
  EventOf,
  ResourceSettings,
  calendarCommands,
  calendarEvents,
} from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';
import { normalize, overlaps, type Interval } from './scheduling/intervals.js';
import { reservedSpan, slotProblem } from './scheduling/availability.js';
import type { CalendarView, ReservationView, TimeSpan } from './scheduling/views.js';

export type CalendarCommand = CommandOf<(typeof calendarCommands)[number]>;
export type CalendarEvent = EventOf<(typeof calendarEvents)[number]>;

export interface TimeOffEntry extends TimeSpan {
  readonly timeOffId: string;
  readonly reason?: string;
}

/** A resource's calendar (`calendar-<tenant>.<resourceId>`): its settings and what takes its time. */
export interface CalendarState {
  readonly status: 'none' | 'active' | 'removed';
  readonly settings: ResourceSettings | undefined;
  readonly timeOff: readonly TimeOffEntry[];
  readonly externalBusy: readonly TimeSpan[];
  readonly reservations: readonly ReservationView[];
  /**
   * Each appointment's reservation before its last SlotReserved (null: it had none), so a booking or a move
   * that then fails can be put back (UndoReservation).
   */
  readonly previous: Readonly<Record<string, ReservationView | null>>;
  readonly external: { readonly provider: 'google'; readonly calendarId: string } | undefined;
  readonly externalEvents: Readonly<Record<string, string>>;
}

export const initialCalendarState = (): CalendarState => ({
  status: 'none',
  settings: undefined,
  timeOff: [],
  externalBusy: [],
  reservations: [],
  previous: {},
  external: undefined,
  externalEvents: {},
});

/** The calendar as availability reads it; undefined for a resource that was never added. */
export const calendarViewOf = (resourceId: string, state: CalendarState): CalendarView | undefined => {
  if (state.status === 'none' || !state.settings) return undefined;
  const { timeZone, workingHours, breaks, languages } = state.settings;
  return {
    resourceId,
    timeZone,
    workingHours,
    breaks,
    languages,
    timeOff: state.timeOff,
    externalBusy: state.externalBusy,
    reservations: state.reservations,
    removed: state.status === 'removed',
  };
};

type ActiveCalendar = CalendarState & { readonly settings: ResourceSettings };

const active = (state: CalendarState): ActiveCalendar => {
  if (state.status === 'none' || !state.settings) {
    throw new DomainError('RESOURCE_NOT_FOUND', 'the resource does not exist', 'resourceId');
  }
  if (state.status === 'removed') {
    throw new DomainError('RESOURCE_REMOVED', 'the resource was removed', 'resourceId');
  }
  return state as ActiveCalendar;
};

const spanOf = (t: TimeSpan): Interval => ({ from: Date.parse(t.from), until: Date.parse(t.until) });

const sameReservation = (a: ReservationView, b: ReservationView): boolean =>
  Date.parse(a.startsAt) === Date.parse(b.startsAt) &&
  Date.parse(a.endsAt) === Date.parse(b.endsAt) &&
  a.bufferBeforeMinutes === b.bufferBeforeMinutes &&
  a.bufferAfterMinutes === b.bufferAfterMinutes;

/** Whether a command naming a reservation by its time (or by none: any) is about the current one. */
const isCurrent = (
  current: ReservationView | undefined,
  startsAt: string | undefined,
  endsAt: string | undefined,
): boolean =>
  startsAt === undefined ||
  (current !== undefined &&
    Date.parse(current.startsAt) === Date.parse(startsAt) &&
    (endsAt === undefined || Date.parse(current.endsAt) === Date.parse(endsAt)));

const reservationOfCommand = (data: ReservationView): ReservationView => ({
  appointmentId: data.appointmentId,
  startsAt: data.startsAt,
  endsAt: data.endsAt,
  bufferBeforeMinutes: data.bufferBeforeMinutes,
  bufferAfterMinutes: data.bufferAfterMinutes,
});

const PROBLEMS = {
  OUTSIDE_WORKING_HOURS: 'the time is outside the resource’s working hours or in a break',
  SLOT_UNAVAILABLE: 'the resource is off or busy at that time',
  SLOT_TAKEN: 'the resource is already booked at that time',
} as const;

const reserve = (
  calendar: ActiveCalendar,
  wanted: ReservationView,
  metadata: CommandMetadata,
): CalendarEvent[] => {
  if (Date.parse(wanted.endsAt) <= Date.parse(wanted.startsAt)) {
    throw new DomainError('SLOT_INVALID', 'a reservation must end after it starts', 'endsAt');
  }
  const current = calendar.reservations.find((r) => r.appointmentId === wanted.appointmentId);
  if (current && sameReservation(current, wanted)) return [];
  if (Date.parse(wanted.startsAt) <= metadata.now.getTime()) {
    throw new DomainError('SLOT_IN_PAST', 'a reservation must start in the future', 'startsAt');
  }
  const problem = slotProblem({ ...calendar.settings, ...calendar }, wanted);
  if (problem) throw new DomainError(problem, PROBLEMS[problem], 'startsAt');
  return [{ type: 'SlotReserved', data: wanted }];
};

const addTimeOff = (
  calendar: ActiveCalendar,
  data: Extract<CalendarCommand, { type: 'AddTimeOff' }>['data'],
): CalendarEvent[] => {
  const span = spanOf(data);
  const same = calendar.timeOff.find((t) => t.timeOffId === data.timeOffId);
  if (same) {
    if (Date.parse(same.from) === span.from && Date.parse(same.until) === span.until) return [];
    throw new DomainError('TIME_OFF_EXISTS', `time off ${data.timeOffId} already exists`, 'timeOffId');
  }
  if (calendar.timeOff.some((t) => overlaps(spanOf(t), span))) {
    throw new DomainError('TIME_OFF_OVERLAPS', 'the time off overlaps other time off', 'from');
  }
  // The same spans ReserveSlot keeps clear of time off: a reservation with its buffers.
  if (calendar.reservations.some((r) => overlaps(reservedSpan(r), span))) {
    throw new DomainError('TIME_OFF_CONFLICTS', 'the time off covers a booked appointment', 'from');
  }
  const { timeOffId, from, until, reason } = data;
  return [
    { type: 'TimeOffAdded', data: { timeOffId, from, until, ...(reason !== undefined && { reason }) } },
  ];
};

/** Busy time outside the window stays; inside it, the new report replaces the old (clipped to the window). */
const syncedBusy = (
  current: readonly TimeSpan[],
  window: TimeSpan,
  busy: readonly TimeSpan[],
): { kept: TimeSpan[]; inside: TimeSpan[] } => {
  const w = spanOf(window);
  const inside = normalize(busy.map(spanOf))
    .map((b) => ({ from: Math.max(b.from, w.from), until: Math.min(b.until, w.until) }))
    .filter((b) => b.from < b.until)
    .map((b) => ({ from: new Date(b.from).toISOString(), until: new Date(b.until).toISOString() }));
  return { kept: current.filter((b) => !overlaps(spanOf(b), w)), inside };
};

const sameSpans = (a: readonly TimeSpan[], b: readonly TimeSpan[]): boolean =>
  a.length === b.length &&
  a.every(
    (x, i) =>
      Date.parse(x.from) === Date.parse(b[i]!.from) && Date.parse(x.until) === Date.parse(b[i]!.until),
  );

export const decide = (command: CalendarCommand, state: CalendarState): CalendarEvent[] => {
  switch (command.type) {
    case 'AddResource': {
      if (state.status !== 'none') {
        throw new DomainError(
          'RESOURCE_EXISTS',
          `resource ${command.data.resourceId} already exists`,
          'resourceId',
        );
      }
      const { tenantId: _t, resourceId: _r, ...settings } = command.data;
      return [{ type: 'ResourceAdded', data: settings }];
    }
    case 'ReviseResource': {
      active(state);
      const { tenantId: _t, resourceId: _r, ...settings } = command.data;
      return [{ type: 'ResourceRevised', data: settings }];
    }
    case 'RemoveResource': {
      if (state.status === 'removed') return [];
      const calendar = active(state);
      const now = command.metadata.now.getTime();
      if (calendar.reservations.some((r) => Date.parse(r.endsAt) > now)) {
        throw new DomainError('RESOURCE_HAS_BOOKINGS', 'the resource has appointments to come', 'resourceId');
      }
      return [{ type: 'ResourceRemoved', data: {} }];
    }
    case 'AddTimeOff':
      return addTimeOff(active(state), command.data);
    case 'RemoveTimeOff': {
      active(state);
      const { timeOffId } = command.data;
      return state.timeOff.some((t) => t.timeOffId === timeOffId)
        ? [{ type: 'TimeOffRemoved', data: { timeOffId } }]
        : [];
    }
    case 'ReserveSlot':
      return reserve(active(state), reservationOfCommand(command.data), command.metadata);
    case 'ReleaseSlot': {
      const { appointmentId, startsAt, endsAt } = command.data;
      const current = state.reservations.find((r) => r.appointmentId === appointmentId);
      return current && isCurrent(current, startsAt, endsAt)
        ? [{ type: 'SlotReleased', data: { appointmentId } }]
        : [];
    }
    case 'UndoReservation': {
      const { appointmentId, startsAt, endsAt } = command.data;
      if (!(appointmentId in state.previous)) return [];
      const current = state.reservations.find((r) => r.appointmentId === appointmentId);
      if (!isCurrent(current, startsAt, endsAt)) return [];
      const previous = state.previous[appointmentId];
      if (previous) return [{ type: 'SlotReserved', data: previous }];
      return state.reservations.some((r) => r.appointmentId === appointmentId)
        ? [{ type: 'SlotReleased', data: { appointmentId } }]
        : [];
    }
    case 'SyncExternalBusy': {
      active(state);
      const { source, window, busy } = command.data;
      const { kept, inside } = syncedBusy(state.externalBusy, window, busy);
      const before = state.externalBusy.filter((b) => overlaps(spanOf(b), spanOf(window)));
      if (kept.length + before.length === state.externalBusy.length && sameSpans(before, inside)) return [];
      return [{ type: 'ExternalBusySynced', data: { source, window, busy: inside } }];
    }
    case 'LinkExternalCalendar': {
      active(state);
      const { provider, calendarId } = command.data;
      if (state.external?.provider === provider && state.external.calendarId === calendarId) return [];
      return [{ type: 'ExternalCalendarLinked', data: { provider, calendarId } }];
    }
    case 'UnlinkExternalCalendar':
      active(state);
      return state.external ? [{ type: 'ExternalCalendarUnlinked', data: {} }] : [];
    case 'RecordExternalEvent': {
      active(state);
      const { appointmentId, externalEventId } = command.data;
      if (state.externalEvents[appointmentId] === externalEventId) return [];
      return [
        {
          type: 'ExternalEventRecorded',
          data: { appointmentId, ...(externalEventId !== undefined && { externalEventId }) },
        },
      ];
    }
  }
};

const withoutKey = <V>(record: Readonly<Record<string, V>>, key: string): Record<string, V> => {
  const { [key]: _dropped, ...rest } = record;
  return rest;
};

export const evolve = (state: CalendarState, event: CalendarEvent): CalendarState => {
  switch (event.type) {
    case 'ResourceAdded':
      return { ...state, status: 'active', settings: event.data };
    case 'ResourceRevised':
      return { ...state, settings: event.data };
    case 'ResourceRemoved':
      return { ...state, status: 'removed' };
    case 'TimeOffAdded':
      return { ...state, timeOff: [...state.timeOff, event.data] };
    case 'TimeOffRemoved':
      return { ...state, timeOff: state.timeOff.filter((t) => t.timeOffId !== event.data.timeOffId) };
    case 'SlotReserved': {
      const { appointmentId } = event.data;
      const current = state.reservations.find((r) => r.appointmentId === appointmentId);
      return {
        ...state,
        reservations: [...state.reservations.filter((r) => r.appointmentId !== appointmentId), event.data],
        previous: { ...state.previous, [appointmentId]: current ?? null },
      };
    }
    case 'SlotReleased': {
      const { appointmentId } = event.data;
      return {
        ...state,
        reservations: state.reservations.filter((r) => r.appointmentId !== appointmentId),
        previous: withoutKey(state.previous, appointmentId),
      };
    }
    case 'ExternalBusySynced': {
      const { kept, inside } = syncedBusy(state.externalBusy, event.data.window, event.data.busy);
      return { ...state, externalBusy: [...kept, ...inside] };
    }
    case 'ExternalCalendarLinked':
      return { ...state, external: event.data };
    case 'ExternalCalendarUnlinked':
      return { ...state, external: undefined };
    case 'ExternalEventRecorded': {
      const { appointmentId, externalEventId } = event.data;
      return {
        ...state,
        externalEvents:
          externalEventId === undefined
            ? withoutKey(state.externalEvents, appointmentId)
            : { ...state.externalEvents, [appointmentId]: externalEventId },
      };
    }
  }
};

export const calendarDecider: Decider<CalendarCommand, CalendarEvent, CalendarState> = {
  initialState: initialCalendarState,
  decide,
  evolve,
};
