import {
  firstOverlapping,
  insideOne,
  MINUTE,
  normalize,
  overlaps,
  overlapsAny,
  type Interval,
} from './intervals.js';
import { DAY, localAt } from './local-time.js';
import type {
  CalendarBookings,
  CalendarView,
  ReservationView,
  ServiceView,
  TimeSpan,
  WorkingWeek,
} from './views.js';
import { workingIntervals } from './working-hours.js';

/** What a slot needs kept free: [startsAt − buffer before, endsAt + buffer after). */
export const reservedSpan = (r: Omit<ReservationView, 'appointmentId'>): Interval => ({
  from: Date.parse(r.startsAt) - r.bufferBeforeMinutes * MINUTE,
  until: Date.parse(r.endsAt) + r.bufferAfterMinutes * MINUTE,
});

const spanOf = (t: TimeSpan): Interval => ({ from: Date.parse(t.from), until: Date.parse(t.until) });

/** Why a resource cannot take a reservation; the calendar decider refuses with these codes. */
export type SlotProblem = 'OUTSIDE_WORKING_HOURS' | 'SLOT_UNAVAILABLE' | 'SLOT_TAKEN';

/**
 * Whether `reservation` fits the calendar: its service time inside working hours (minus breaks), and its span
 * with buffers clear of time off, external busy time and every other appointment's span with buffers. The one
 * rule both the calendar decider (refusals) and freeSlots (offers) apply.
 */
export const slotProblem = (
  calendar: WorkingWeek & CalendarBookings,
  reservation: ReservationView,
): SlotProblem | undefined => {
  const service = { from: Date.parse(reservation.startsAt), until: Date.parse(reservation.endsAt) };
  if (!insideOne(workingIntervals(calendar, service.from, service.until), service)) {
    return 'OUTSIDE_WORKING_HOURS';
  }
  const span = reservedSpan(reservation);
  if (overlapsAny(unavailableOf(calendar), span)) return 'SLOT_UNAVAILABLE';
  const taken = calendar.reservations.some(
    (other) => other.appointmentId !== reservation.appointmentId && overlaps(reservedSpan(other), span),
  );
  return taken ? 'SLOT_TAKEN' : undefined;
};

/** Time off and external busy time, normalized. */
const unavailableOf = (calendar: CalendarBookings): Interval[] =>
  normalize([...calendar.timeOff.map(spanOf), ...calendar.externalBusy.map(spanOf)]);

interface Blocked {
  readonly timeOff: CalendarBookings['timeOff'];
  readonly externalBusy: CalendarBookings['externalBusy'];
  readonly intervals: readonly Interval[];
}

/**
 * Everything that blocks a calendar, normalized once per version of its bookings: calendars are immutable
 * (evolve makes new arrays only for what changed), so repeated queries on the same state reuse the sort.
 */
const blockedCache = new WeakMap<readonly ReservationView[], Blocked>();

const blockedOf = (calendar: CalendarBookings): readonly Interval[] => {
  const cached = blockedCache.get(calendar.reservations);
  if (cached && cached.timeOff === calendar.timeOff && cached.externalBusy === calendar.externalBusy) {
    return cached.intervals;
  }
  const intervals = normalize([...calendar.reservations.map(reservedSpan), ...unavailableOf(calendar)]);
  blockedCache.set(calendar.reservations, {
    timeOff: calendar.timeOff,
    externalBusy: calendar.externalBusy,
    intervals,
  });
  return intervals;
};

/** Time held on a resource for an offer not yet booked (instants or ISO strings). */
export interface Hold {
  readonly resourceId: string;
  readonly from: Date | string;
  readonly until: Date | string;
}

const heldSpan = (h: Hold): Interval => ({
  from: new Date(h.from).getTime(),
  until: new Date(h.until).getTime(),
});

export interface FreeSlotsQuery {
  /** In booking order: a multi-service booking runs back to back on one resource. */
  readonly services: readonly ServiceView[];
  readonly calendars: readonly CalendarView[];
  /** Slots that start in [from, until). */
  readonly from: Date;
  readonly until: Date;
  /** Slots start after this. */
  readonly now: Date;
  /** Slots start on this grid of the resource's local time (minutes from local midnight). */
  readonly stepMinutes?: number;
  readonly resourceId?: string;
  /** A BCP 47 tag; services and resources with languages must offer its primary language. */
  readonly language?: string;
  readonly limit?: number;
  /** Time held for bookings in progress elsewhere. */
  readonly holds?: readonly Hold[];
}

export interface FreeSlot {
  readonly startsAt: string;
  readonly endsAt: string;
  readonly resourceId: string;
}

const primary = (tag: string): string => tag.split('-')[0]!.toLowerCase();

const speaks = (languages: readonly string[], language: string | undefined): boolean =>
  language === undefined || languages.length === 0 || languages.some((l) => primary(l) === primary(language));

/** What a booking of `services` back to back takes: its duration and the buffers around it. */
export const bookingShape = (services: readonly ServiceView[]) => ({
  durationMinutes: services.reduce((sum, s) => sum + s.durationMinutes, 0),
  bufferBeforeMinutes: services[0]?.bufferBeforeMinutes ?? 0,
  bufferAfterMinutes: services[services.length - 1]?.bufferAfterMinutes ?? 0,
});

/** Slots found are sorted as one number each: the start minute, then the resource's index in 20 bits. */
const RESOURCE_BITS = 2 ** 20;

/**
 * Grid starts inside a working interval: local times on the step grid (from local midnight) that exist, in
 * order. Within an interval whose offset does not change (nearly all) the grid is a fixed UTC stride, and
 * `visit` answers the earliest start worth trying next, so a long blocked stretch is jumped over.
 */
const gridStarts = (
  timeZone: string,
  interval: Interval,
  earliest: number,
  latestStart: number,
  step: number,
  visit: (start: number) => number,
): void => {
  const first = Math.max(interval.from, earliest);
  if (first > latestStart) return;
  const offsetFirst = localAt(timeZone, first) - first;
  const offsetLast = localAt(timeZone, latestStart) - latestStart;
  const localFirst = first + offsetFirst;
  const dayStart = Math.floor(localFirst / DAY) * DAY;
  let local = dayStart + Math.ceil((localFirst - dayStart) / step) * step;
  if (offsetFirst === offsetLast) {
    for (let t = local - offsetFirst; t <= latestStart;) {
      const next = visit(t);
      t += next > t ? Math.ceil((next - t) / step) * step : step;
    }
    return;
  }
  // A DST change inside the interval: walk the local grid and keep every instant showing a grid time (none for
  // a time skipped forward, both for a time repeated when clocks go back).
  const starts: number[] = [];
  for (const last = latestStart + Math.max(offsetFirst, offsetLast); local <= last; local += step) {
    for (const t of new Set([local - offsetFirst, local - offsetLast])) {
      if (t >= first && t <= latestStart && localAt(timeZone, t) === local) starts.push(t);
    }
  }
  for (const t of starts.sort((a, b) => a - b)) visit(t);
};

/**
 * The free slots for `services` back to back: on one resource that serves all of them (and the language),
 * inside its working hours minus breaks, with the slot and its buffers (the first service's before, the last's
 * after) clear of every reservation with its buffers, time off, external busy time and hold. Sorted by start,
 * then resource. Each calendar's blocked time is sorted once and searched by bisection.
 */
export const freeSlots = (query: FreeSlotsQuery): FreeSlot[] => {
  const step = (query.stepMinutes ?? 15) * MINUTE;
  if (!Number.isInteger(step / MINUTE) || step < 5 * MINUTE || step > DAY) {
    throw new RangeError('stepMinutes must be a whole number of minutes from 5 to 1440');
  }
  const { services } = query;
  if (services.length === 0 || services.some((s) => s.retired || !speaks(s.languages, query.language))) {
    return [];
  }
  const shape = bookingShape(services);
  const duration = shape.durationMinutes * MINUTE;
  const before = shape.bufferBeforeMinutes * MINUTE;
  const after = shape.bufferAfterMinutes * MINUTE;
  const from = query.from.getTime();
  const until = query.until.getTime();
  // Strictly after now: a slot starting this very minute is already too late to book.
  const earliest = Math.max(from, Math.floor(query.now.getTime() / MINUTE) * MINUTE + MINUTE);

  const calendars = query.calendars.filter(
    (c) =>
      !c.removed &&
      (query.resourceId === undefined || c.resourceId === query.resourceId) &&
      speaks(c.languages, query.language) &&
      services.every((s) => s.resourceIds.includes(c.resourceId)),
  );
  if (calendars.length >= RESOURCE_BITS) throw new RangeError('too many calendars for one query');
  const found: number[] = [];
  calendars.forEach((calendar, resourceIndex) => {
    const blocked = blockedOf(calendar);
    const held = normalize(
      (query.holds ?? []).filter((h) => h.resourceId === calendar.resourceId).map(heldSpan),
    );
    const visit = (start: number): number => {
      const from = start - before;
      const until = start + duration + after;
      const blocker = firstOverlapping(blocked, from, until) ?? firstOverlapping(held, from, until);
      if (blocker) return blocker.until + before;
      found.push((start / MINUTE) * RESOURCE_BITS + resourceIndex);
      return start;
    };
    for (const open of workingIntervals(calendar, earliest, until)) {
      gridStarts(calendar.timeZone, open, earliest, Math.min(open.until - duration, until - 1), step, visit);
    }
  });
  const sorted = Float64Array.from(found).sort();
  const chosen = query.limit === undefined ? sorted : sorted.subarray(0, query.limit);
  return Array.from(chosen, (key) => {
    const start = Math.floor(key / RESOURCE_BITS) * MINUTE;
    return {
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(start + duration).toISOString(),
      resourceId: calendars[key % RESOURCE_BITS]!.resourceId,
    };
  });
};

/** What ScheduleAppointment books for a slot freeSlots offered: exactly that time on that resource. */
export const placementFor = (services: readonly ServiceView[], slot: FreeSlot) => {
  const shape = bookingShape(services);
  return {
    startsAt: slot.startsAt,
    durationMinutes: shape.durationMinutes,
    placement: {
      resourceId: slot.resourceId,
      serviceIds: services.map((s) => s.serviceId),
      bufferBeforeMinutes: shape.bufferBeforeMinutes,
      bufferAfterMinutes: shape.bufferAfterMinutes,
    },
  };
};

/** The calendar reservation an appointment's placement makes at a start time. */
export const reservationOf = (
  appointmentId: string,
  startsAt: string,
  durationMinutes: number,
  buffers: { readonly bufferBeforeMinutes: number; readonly bufferAfterMinutes: number },
): ReservationView => ({
  appointmentId,
  startsAt: new Date(Date.parse(startsAt)).toISOString(),
  endsAt: new Date(Date.parse(startsAt) + durationMinutes * MINUTE).toISOString(),
  bufferBeforeMinutes: buffers.bufferBeforeMinutes,
  bufferAfterMinutes: buffers.bufferAfterMinutes,
});
