import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReserveSlot, wallClockAt } from '@ccp/schemas';
import { calendarDecider, initialCalendarState, type CalendarState } from '../calendar.js';
import { command } from '../testing.js';
import { freeSlots, placementFor } from './availability.js';
import type { CalendarView, ServiceView, TimeSpan, WeeklyInterval, Weekday } from './views.js';

const MINUTE = 60_000;
const DAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const ZONES = ['America/New_York', 'Europe/Madrid', 'UTC', 'Asia/Kathmandu', 'Australia/Lord_Howe'];
// Ranges around DST changes in the zones above, and one ordinary week.
const RANGE_STARTS = [
  '2026-03-06T00:00:00Z',
  '2026-03-27T00:00:00Z',
  '2026-10-23T00:00:00Z',
  '2026-10-30T00:00:00Z',
  '2026-04-03T00:00:00Z',
  '2026-06-10T00:00:00Z',
];
const NOW = new Date('2026-01-15T00:00:00Z');

const hhmm = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const weekly = (maxLength: number): fc.Arbitrary<WeeklyInterval[]> =>
  fc.array(
    fc
      .record({
        day: fc.constantFrom(...DAYS),
        open: fc.integer({ min: 0, max: 1400 }),
        length: fc.integer({ min: 15, max: maxLength }),
      })
      .map(({ day, open, length }) => ({
        day,
        open: hhmm(open),
        close: hhmm(Math.min(open + length, 1439)),
      })),
    { maxLength: 10 },
  );

const span = (base: number, startMinutes: number, lengthMinutes: number): TimeSpan => ({
  from: new Date(base + startMinutes * MINUTE).toISOString(),
  until: new Date(base + (startMinutes + lengthMinutes) * MINUTE).toISOString(),
});

const WEEK_MINUTES = 7 * 24 * 60;

const scenario = fc
  .record({
    timeZone: fc.constantFrom(...ZONES),
    rangeStart: fc.constantFrom(...RANGE_STARTS),
    rangeDays: fc.integer({ min: 1, max: 5 }),
    workingHours: weekly(720),
    breaks: weekly(90),
    reservations: fc.array(
      fc.record({
        start: fc.integer({ min: -600, max: WEEK_MINUTES }),
        length: fc.integer({ min: 5, max: 180 }),
        before: fc.integer({ min: 0, max: 30 }),
        after: fc.integer({ min: 0, max: 30 }),
      }),
      { maxLength: 40 },
    ),
    timeOff: fc.array(
      fc.record({
        start: fc.integer({ min: 0, max: WEEK_MINUTES }),
        length: fc.integer({ min: 30, max: 1440 }),
      }),
      { maxLength: 3 },
    ),
    busy: fc.array(
      fc.record({
        start: fc.integer({ min: 0, max: WEEK_MINUTES }),
        length: fc.integer({ min: 15, max: 240 }),
      }),
      { maxLength: 6 },
    ),
    services: fc.array(
      fc.record({
        duration: fc.integer({ min: 1, max: 24 }).map((n) => n * 5),
        before: fc.integer({ min: 0, max: 20 }),
        after: fc.integer({ min: 0, max: 20 }),
      }),
      { minLength: 1, maxLength: 2 },
    ),
    step: fc.constantFrom(5, 15, 30, 60),
  })
  .map((s) => {
    const base = Date.parse(s.rangeStart);
    const calendar: CalendarView = {
      resourceId: 'r1',
      timeZone: s.timeZone,
      workingHours: s.workingHours,
      breaks: s.breaks,
      languages: [],
      timeOff: s.timeOff.map((t, i) => ({ ...span(base, t.start, t.length), timeOffId: `off-${i}` })),
      externalBusy: s.busy.map((b) => span(base, b.start, b.length)),
      reservations: s.reservations.map((r, i) => ({
        appointmentId: `ap-${i}`,
        startsAt: span(base, r.start, r.length).from,
        endsAt: span(base, r.start, r.length).until,
        bufferBeforeMinutes: r.before,
        bufferAfterMinutes: r.after,
      })),
      removed: false,
    };
    const services: ServiceView[] = s.services.map((x, i) => ({
      serviceId: `svc-${i}`,
      durationMinutes: x.duration,
      bufferBeforeMinutes: x.before,
      bufferAfterMinutes: x.after,
      resourceIds: ['r1'],
      languages: [],
      retired: false,
    }));
    return {
      calendar,
      services,
      from: new Date(base),
      until: new Date(base + s.rangeDays * 86_400_000),
      step: s.step,
    };
  });

const overlapping = (a: { from: number; until: number }, b: { from: number; until: number }) =>
  a.from < b.until && b.from < a.until;

/** Whether the resource works at `t`, read minute by minute from the wall clock (not from the code under test). */
const worksAt = (calendar: CalendarView, t: number): boolean => {
  const w = wallClockAt(new Date(t), calendar.timeZone);
  const day = DAYS[w.weekday]!;
  const minute = w.hour * 60 + w.minute;
  const within = (i: WeeklyInterval) => {
    const [oh, om] = i.open.split(':').map(Number);
    const [ch, cm] = i.close.split(':').map(Number);
    return i.day === day && minute >= oh! * 60 + om! && minute < ch! * 60 + cm!;
  };
  return calendar.workingHours.some(within) && !calendar.breaks.some(within);
};

const stateOf = (calendar: CalendarView): CalendarState => ({
  ...initialCalendarState(),
  status: 'active',
  settings: {
    name: 'R',
    kind: 'staff',
    timeZone: calendar.timeZone,
    workingHours: [...calendar.workingHours],
    breaks: [...calendar.breaks],
    languages: [],
  },
  timeOff: calendar.timeOff.map((t, i) => ({ ...t, timeOffId: `off-${i}` })),
  externalBusy: calendar.externalBusy,
  reservations: calendar.reservations,
});

describe('freeSlots on random calendars', () => {
  it('offers no slot that overlaps blocked time, leaves working hours, is off the grid or before now; each can be reserved', () => {
    fc.assert(
      fc.property(scenario, ({ calendar, services, from, until, step }) => {
        const slots = freeSlots({
          services,
          calendars: [calendar],
          from,
          until,
          now: NOW,
          stepMinutes: step,
        });
        const before = services[0]!.bufferBeforeMinutes * MINUTE;
        const after = services[services.length - 1]!.bufferAfterMinutes * MINUTE;
        const blocked = [
          ...calendar.reservations.map((r) => ({
            from: Date.parse(r.startsAt) - r.bufferBeforeMinutes * MINUTE,
            until: Date.parse(r.endsAt) + r.bufferAfterMinutes * MINUTE,
          })),
          ...[...calendar.timeOff, ...calendar.externalBusy].map((t) => ({
            from: Date.parse(t.from),
            until: Date.parse(t.until),
          })),
        ];
        const state = stateOf(calendar);
        let previous = -Infinity;
        for (const slot of slots) {
          const start = Date.parse(slot.startsAt);
          const end = Date.parse(slot.endsAt);
          expect(start).toBeGreaterThan(previous);
          previous = start;
          expect(start).toBeGreaterThanOrEqual(from.getTime());
          expect(start).toBeLessThan(until.getTime());
          expect(end - start).toBe(services.reduce((sum, s) => sum + s.durationMinutes, 0) * MINUTE);
          const local = wallClockAt(new Date(start), calendar.timeZone);
          expect((local.hour * 60 + local.minute) % step).toBe(0);
          const padded = { from: start - before, until: end + after };
          expect(blocked.some((b) => overlapping(b, padded))).toBe(false);
          for (let t = start; t < end; t += 5 * MINUTE) expect(worksAt(calendar, t)).toBe(true);
          expect(worksAt(calendar, end - MINUTE)).toBe(true);
          const { placement, durationMinutes } = placementFor(services, slot);
          const reserve = command(
            ReserveSlot,
            {
              tenantId: 'acme',
              resourceId: 'r1',
              appointmentId: 'new-one',
              startsAt: slot.startsAt,
              endsAt: new Date(start + durationMinutes * MINUTE).toISOString(),
              bufferBeforeMinutes: placement.bufferBeforeMinutes,
              bufferAfterMinutes: placement.bufferAfterMinutes,
            },
            { now: NOW },
          );
          expect(calendarDecider.decide(reserve, state)).toHaveLength(1);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('offers every grid time the calendar decider would accept (on a 60-minute grid, one hour service)', () => {
    fc.assert(
      fc.property(scenario, ({ calendar, from, until }) => {
        const service: ServiceView = {
          serviceId: 's',
          durationMinutes: 60,
          bufferBeforeMinutes: 0,
          bufferAfterMinutes: 0,
          resourceIds: ['r1'],
          languages: [],
          retired: false,
        };
        const offered = new Set(
          freeSlots({
            services: [service],
            calendars: [calendar],
            from,
            until,
            now: NOW,
            stepMinutes: 60,
          }).map((s) => s.startsAt),
        );
        const state = stateOf(calendar);
        for (let t = from.getTime(); t < until.getTime(); t += 15 * MINUTE) {
          const local = wallClockAt(new Date(t), calendar.timeZone);
          if (local.minute !== 0) continue;
          const startsAt = new Date(t).toISOString();
          const reserve = command(
            ReserveSlot,
            {
              tenantId: 'acme',
              resourceId: 'r1',
              appointmentId: 'probe',
              startsAt,
              endsAt: new Date(t + 60 * MINUTE).toISOString(),
            },
            { now: NOW },
          );
          let accepted: boolean;
          try {
            accepted = calendarDecider.decide(reserve, state).length === 1;
          } catch {
            accepted = false;
          }
          expect(offered.has(startsAt), startsAt).toBe(accepted);
        }
      }),
      { numRuns: 60 },
    );
  });
});
