import { describe, expect, it } from 'vitest';
import { freeSlots, placementFor } from './availability.js';
import { serviceViewOf, type CalendarView, type Weekday } from './views.js';

const DAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const calendar = (timeZone: string, open: string, close: string): CalendarView => ({
  resourceId: 'dana',
  timeZone,
  workingHours: DAYS.map((day) => ({ day, open, close })),
  breaks: [],
  languages: [],
  timeOff: [],
  externalBusy: [],
  reservations: [],
  removed: false,
});

const hour = serviceViewOf('visit', {
  durationMinutes: 60,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  resourceIds: ['dana'],
  languages: [],
});
const halfHour = { ...hour, durationMinutes: 30 };
const now = new Date('2026-01-01T00:00:00Z');

const startsOn = (view: CalendarView, from: string, until: string, step = 60, service = hour) =>
  freeSlots({
    services: [service],
    calendars: [view],
    from: new Date(from),
    until: new Date(until),
    now,
    stepMinutes: step,
  }).map((s) => s.startsAt);

describe('working hours across DST changes', () => {
  it('New York, spring forward (8 March 2026): 09:00–17:00 is still eight one-hour slots, an hour earlier in UTC', () => {
    const ny = calendar('America/New_York', '09:00', '17:00');
    const before = startsOn(ny, '2026-03-07T05:00:00Z', '2026-03-08T05:00:00Z');
    const on = startsOn(ny, '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z');
    expect(before).toHaveLength(8);
    expect(before[0]).toBe('2026-03-07T14:00:00.000Z');
    expect(on).toHaveLength(8);
    expect(on[0]).toBe('2026-03-08T13:00:00.000Z');
    expect(on[7]).toBe('2026-03-08T20:00:00.000Z');
  });

  it('New York, spring forward: the local times 02:00–02:59 do not exist and are not offered', () => {
    const night = calendar('America/New_York', '01:00', '05:00');
    const slots = startsOn(night, '2026-03-08T05:00:00Z', '2026-03-08T12:00:00Z', 30, halfHour);
    // 01:00 EST (06:00Z) to 05:00 EDT (09:00Z) is three hours: 01:00, 01:30, then 03:00 … 04:30.
    expect(slots).toEqual([
      '2026-03-08T06:00:00.000Z',
      '2026-03-08T06:30:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T07:30:00.000Z',
      '2026-03-08T08:00:00.000Z',
      '2026-03-08T08:30:00.000Z',
    ]);
  });

  it('New York, fall back (1 November 2026): the repeated hour is offered twice, 01:00 EDT and 01:00 EST', () => {
    const night = calendar('America/New_York', '01:00', '03:00');
    const slots = startsOn(night, '2026-11-01T04:00:00Z', '2026-11-01T12:00:00Z');
    expect(slots).toEqual([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
  });

  it('Madrid, spring forward (29 March 2026): 09:00 is 08:00Z the day before and 07:00Z on the day', () => {
    const madrid = calendar('Europe/Madrid', '09:00', '17:00');
    const slots = startsOn(madrid, '2026-03-27T23:00:00Z', '2026-03-29T22:00:00Z');
    expect(slots.filter((s) => s.startsWith('2026-03-28'))).toHaveLength(8);
    expect(slots.filter((s) => s.startsWith('2026-03-29'))).toHaveLength(8);
    expect(slots[0]).toBe('2026-03-28T08:00:00.000Z');
    expect(slots[8]).toBe('2026-03-29T07:00:00.000Z');
  });

  it('Madrid, fall back (25 October 2026): 09:00–17:00 is eight slots from 08:00Z', () => {
    const madrid = calendar('Europe/Madrid', '09:00', '17:00');
    const slots = startsOn(madrid, '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z');
    expect(slots).toHaveLength(8);
    expect(slots[0]).toBe('2026-10-25T08:00:00.000Z');
  });

  it('Madrid, fall back night: hours closing at 02:00 close the first time the clock reads 02:00 (00:00Z), not the second', () => {
    // Found by the property test (seed 241286454): 02:00 happens at 00:00Z (CEST) and again at 01:00Z (CET).
    const night = calendar('Europe/Madrid', '00:00', '02:00');
    const slots = startsOn(night, '2026-10-24T21:00:00Z', '2026-10-25T03:00:00Z', 30, halfHour);
    expect(slots).toEqual([
      '2026-10-24T22:00:00.000Z',
      '2026-10-24T22:30:00.000Z',
      '2026-10-24T23:00:00.000Z',
      '2026-10-24T23:30:00.000Z',
    ]);
  });

  it('Madrid, fall back night: 02:01–03:00 happens twice, with the minute the clock reads 02:00 CET between', () => {
    const night = calendar('Europe/Madrid', '02:01', '03:00');
    const tenMinutes = { ...hour, durationMinutes: 10 };
    const slots = startsOn(night, '2026-10-24T22:00:00Z', '2026-10-25T03:00:00Z', 5, tenMinutes);
    // 00:05Z … 00:50Z (02:05 … 02:50 CEST), then 01:05Z … 01:50Z (02:05 … 02:50 CET): none across 01:00Z.
    expect(slots).toHaveLength(20);
    expect(slots[9]).toBe('2026-10-25T00:50:00.000Z');
    expect(slots[10]).toBe('2026-10-25T01:05:00.000Z');
  });

  it('Madrid, spring forward night: 02:00–02:59 is skipped on a 15-minute grid', () => {
    const night = calendar('Europe/Madrid', '01:00', '04:00');
    const slots = startsOn(night, '2026-03-28T23:00:00Z', '2026-03-29T06:00:00Z', 15, halfHour);
    // 01:00 CET (00:00Z) to 04:00 CEST (02:00Z): two hours, grid 01:00 … 01:45, 03:00 … 03:30.
    expect(slots).toHaveLength(7);
    expect(slots.every((s) => Date.parse(s) + 30 * 60_000 <= Date.parse('2026-03-29T02:00:00Z'))).toBe(true);
  });
});

describe('placementFor', () => {
  it('books the offered slot: the services back to back, the first one’s buffer before and the last one’s after', () => {
    const cleaning = { ...hour, serviceId: 'cleaning', durationMinutes: 45, bufferBeforeMinutes: 10 };
    const whitening = { ...hour, serviceId: 'whitening', durationMinutes: 30, bufferAfterMinutes: 15 };
    const slot = {
      startsAt: '2026-03-10T14:00:00.000Z',
      endsAt: '2026-03-10T15:15:00.000Z',
      resourceId: 'dana',
    };
    expect(placementFor([cleaning, whitening], slot)).toEqual({
      startsAt: slot.startsAt,
      durationMinutes: 75,
      placement: {
        resourceId: 'dana',
        serviceIds: ['cleaning', 'whitening'],
        bufferBeforeMinutes: 10,
        bufferAfterMinutes: 15,
      },
    });
  });
});
