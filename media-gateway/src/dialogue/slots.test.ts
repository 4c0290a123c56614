import { describe, expect, it } from 'vitest';
import {
  extractName,
  extractService,
  extractWhen,
  pickAppointment,
  resolveWhen,
  type SlotContext,
} from './slots.js';
import { isoWithOffset, offsetMinutes, wallClockToInstant } from '@ccp/schemas';

/** Friday, March 7 2025, 10:00 in New York (EST); clocks go forward on Sunday, March 9 at 2:00. */
const NY: SlotContext = {
  language: 'en',
  now: new Date('2025-03-07T15:00:00Z'),
  timeZone: 'America/New_York',
};

const when = (text: string, ctx: SlotContext = NY): string | undefined => {
  const mention = extractWhen(text, ctx).reduce<ReturnType<typeof extractWhen>[number] | undefined>(
    (a, b) => (a ? { ...a, ...b, date: b.date ?? a.date, time: b.time ?? a.time } : b),
    undefined,
  );
  const at = resolveWhen(mention, ctx);
  return at ? isoWithOffset(at, ctx.timeZone) : undefined;
};

describe('time zones', () => {
  it('knows the offset at an instant, DST included', () => {
    expect(offsetMinutes('America/New_York', new Date('2025-01-15T12:00:00Z'))).toBe(-300);
    expect(offsetMinutes('America/New_York', new Date('2025-07-15T12:00:00Z'))).toBe(-240);
    expect(offsetMinutes('Asia/Kolkata', new Date('2025-07-15T12:00:00Z'))).toBe(330);
  });

  it('turns a wall-clock time into the right instant on both sides of a DST change', () => {
    const at = (day: number, hour: number) =>
      wallClockToInstant({ year: 2025, month: 3, day, hour, minute: 0 }, 'America/New_York').toISOString();
    expect(at(8, 15)).toBe('2025-03-08T20:00:00.000Z');
    expect(at(10, 15)).toBe('2025-03-10T19:00:00.000Z');
    // 2:30 on March 9 does not exist in New York: the clock reads 3:30 EDT then.
    expect(
      isoWithOffset(
        wallClockToInstant({ year: 2025, month: 3, day: 9, hour: 2, minute: 30 }, 'America/New_York'),
        'America/New_York',
      ),
    ).toBe('2025-03-09T03:30:00-04:00');
  });
});

describe('dates and times', () => {
  it('reads English dates relative to now in the tenant zone', () => {
    expect(when('tomorrow at 3pm')).toBe('2025-03-08T15:00:00-05:00');
    expect(when('Monday at 9')).toBe('2025-03-10T09:00:00-04:00');
    // A time without am/pm is a business hour.
    expect(when('Tuesday at 3')).toBe('2025-03-11T15:00:00-04:00');
    // Today's 9 AM has passed: the next one.
    expect(when('at 9am')).toBe('2025-03-08T09:00:00-05:00');
    expect(when('tomorrow')).toBeUndefined();
  });

  it('reads Spanish dates, including "de la tarde" and "pasado mañana"', () => {
    const es = { ...NY, language: 'es' };
    expect(when('mañana a las 3 de la tarde', es)).toBe('2025-03-08T15:00:00-05:00');
    expect(when('pasado mañana a las 11 de la mañana', es)).toBe('2025-03-09T11:00:00-04:00');
    expect(when('el martes a las 10', es)).toBe('2025-03-11T10:00:00-04:00');
  });

  it('reads hours said in words after a time word, in English and Spanish', () => {
    const ES: SlotContext = { ...NY, language: 'es' };
    expect(when('el jueves a las dos de la tarde', ES)).toBe('2025-03-13T14:00:00-04:00');
    expect(when('mañana a las diez y media', ES)).toBe('2025-03-08T10:30:00-05:00');
    expect(when('tomorrow at two thirty')).toBe('2025-03-08T14:30:00-05:00');
    // Not after a time word, or not an hour: words stay words.
    expect(when('I need two fillings')).toBeUndefined();
    expect(when('call me back at once')).toBeUndefined();
  });

  it('is the same instant from any server zone, and differs by tenant zone', () => {
    expect(when('tomorrow at 3pm', { ...NY, timeZone: 'Europe/Madrid' })).toBe('2025-03-08T15:00:00+01:00');
    expect(when('tomorrow at 3pm', { ...NY, timeZone: 'Australia/Sydney' })).toBe(
      '2025-03-09T15:00:00+11:00',
    );
  });

  it('takes a bare hour only when a time was asked for', () => {
    expect(extractWhen('how about 11?', NY)).toEqual([]);
    expect(extractWhen('how about 11?', NY, true)[0]?.time).toEqual({ hour: 11, minute: 0 });
    expect(extractWhen('4:30', NY, true)[0]?.time).toEqual({ hour: 16, minute: 30 });
  });
});

describe('names and services', () => {
  it('finds names after the usual leads, in English and Spanish', () => {
    expect(extractName('my name is Ana López')).toBe('Ana López');
    expect(extractName('Hi, this is John Carter, calling about my bill')).toBe('John Carter');
    expect(extractName('me llamo maría josé')).toBe('María José');
    expect(extractName('soy Pedro')).toBe('Pedro');
    expect(extractName('Please call me back tomorrow, this is Ana Lopez')).toBe('Ana Lopez');
    expect(extractName('call me Ana')).toBe('Ana');
    expect(extractName('this is ridiculous')).toBeUndefined();
    expect(extractName("I'm calling about my bill")).toBeUndefined();
    expect(extractName('Ana López')).toBeUndefined();
    expect(extractName('Ana López', true)).toBe('Ana López');
  });

  it('finds the service after "book a" and "cita para"', () => {
    expect(extractService("I'd like to book a cleaning for tomorrow at 3")).toBe('cleaning');
    expect(extractService('can I schedule an eye exam on Monday')).toBe('eye exam');
    expect(extractService('I need an appointment for a root canal')).toBe('root canal');
    expect(extractService('quiero reservar una limpieza para mañana')).toBe('limpieza');
    expect(extractService('quiero una cita para un corte de pelo')).toBe('corte de pelo');
    expect(extractService('I want to book an appointment')).toBeUndefined();
    expect(extractService('A cleaning, please.', true)).toBe('cleaning');
    // Asked for, a service in the caller's own, longer words.
    expect(extractService('ajuste del cerrojo de seguridad', true)).toBe('ajuste del cerrojo de seguridad');
    expect(extractService('to fix the leaky kitchen tap', true)).toBe('to fix the leaky kitchen tap');
  });
});

describe('appointment references', () => {
  const appointments = [
    { appointmentId: 'a', service: 'cleaning', startsAt: '2025-03-11T19:00:00.000Z', status: 'scheduled' },
    { appointmentId: 'b', service: 'eye exam', startsAt: '2025-03-13T14:30:00.000Z', status: 'scheduled' },
  ];

  it('picks by day, by service, by ordinal, or not at all when it stays ambiguous', () => {
    expect(pickAppointment(appointments, 'my appointment on Tuesday', NY)?.appointmentId).toBe('a');
    expect(pickAppointment(appointments, 'the one on March 13', NY)?.appointmentId).toBe('b');
    expect(pickAppointment(appointments, 'the eye exam', NY)?.appointmentId).toBe('b');
    expect(pickAppointment(appointments, 'the second one', NY)?.appointmentId).toBe('b');
    expect(pickAppointment(appointments, 'my appointment', NY)).toBeUndefined();
    expect(pickAppointment(appointments, 'my appointment on Friday', NY)).toBeUndefined();
    expect(pickAppointment(appointments.slice(0, 1), 'my appointment', NY)?.appointmentId).toBe('a');
  });
});
