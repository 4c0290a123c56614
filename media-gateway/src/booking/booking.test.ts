import { describe, expect, it } from 'vitest';
import { chooseOffers, inPartOfDay, instantOn, searchWindow, SlotHolds, type Slot } from './offers.js';
import { servicesNamed } from './services-named.js';
import { sayOffers, sayTimes } from './spoken.js';

/*
 * The pure pieces of booking on a call: which services a caller's words name, which free slots they are
 * offered, the holds that keep one caller's offers from another, and how the offers are said.
 */

const SERVICES = [
  { serviceId: 'cut', name: 'Haircut' },
  { serviceId: 'colour', name: 'Colour' },
  { serviceId: 'beard', name: 'Beard trim' },
  { serviceId: 'trim', name: 'Trim' },
  { serviceId: 'clean', name: 'Teeth cleaning' },
  { serviceId: 'color-es', name: 'Coloración' },
];
const ids = (words: string) => servicesNamed(words, SERVICES).map((s) => s.serviceId);

describe('services named by a caller', () => {
  it('finds several services in the order said, for a back-to-back booking', () => {
    expect(ids("I'd like a haircut and a colour tomorrow")).toEqual(['cut', 'colour']);
    expect(ids('a colour, then a haircut')).toEqual(['colour', 'cut']);
  });

  it('ignores case and accents, and takes plurals and a name’s own words', () => {
    expect(ids('HAIRCUTS please')).toEqual(['cut']);
    expect(ids('una coloracion')).toEqual(['color-es']);
    expect(ids('I need a cleaning')).toEqual(['clean']);
  });

  it('prefers a name said whole over a shorter name inside it', () => {
    expect(ids('a beard trim')).toEqual(['beard']);
    expect(ids('just a trim')).toEqual(['trim']);
  });

  it('names nothing when no service is said, and no word is matched inside another', () => {
    expect(ids('I want an appointment')).toEqual([]);
    expect(ids('a trimmer')).toEqual([]);
  });
});

const TZ = 'America/New_York';
const slot = (startsAt: string, resourceId = 'sam', minutes = 30): Slot => ({
  startsAt,
  endsAt: new Date(Date.parse(startsAt) + minutes * 60_000).toISOString(),
  resourceId,
});

describe('offers', () => {
  const day = [
    slot('2026-12-08T14:00:00.000Z'),
    slot('2026-12-08T14:00:00.000Z', 'lee'),
    slot('2026-12-08T14:15:00.000Z'),
    slot('2026-12-08T14:30:00.000Z'),
    slot('2026-12-08T15:30:00.000Z'),
    slot('2026-12-08T16:00:00.000Z'),
    slot('2026-12-08T17:45:00.000Z'),
  ];

  it('are two or three times an hour or more apart, one resource per time', () => {
    expect(chooseOffers(day).map((s) => s.startsAt.slice(11, 16))).toEqual(['14:00', '15:30', '17:45']);
    expect(chooseOffers(day)[0]?.resourceId).toBe('sam');
  });

  it('fill up with closer times when the day has few', () => {
    const few = [slot('2026-12-08T14:00:00.000Z'), slot('2026-12-08T14:15:00.000Z')];
    expect(chooseOffers(few).map((s) => s.startsAt.slice(11, 16))).toEqual(['14:00', '14:15']);
  });

  it('near a time asked for are the closest ones, in time order', () => {
    const near = new Date('2026-12-08T15:40:00.000Z');
    expect(chooseOffers(day, near).map((s) => s.startsAt.slice(11, 16))).toEqual(['14:30', '15:30', '16:00']);
  });

  it('look in the day named, in the tenant’s zone, or the next two weeks', () => {
    const now = new Date('2026-12-07T16:00:00.000Z');
    expect(searchWindow('2026-12-08', TZ, now)).toEqual({
      from: new Date('2026-12-08T05:00:00.000Z'),
      until: new Date('2026-12-09T05:00:00.000Z'),
    });
    // Today: from now, not from midnight.
    expect(searchWindow('2026-12-07', TZ, now).from).toEqual(now);
    expect(searchWindow(undefined, TZ, now).until).toEqual(new Date('2026-12-21T16:00:00.000Z'));
    expect(instantOn('2026-12-08', '15:00', TZ)).toEqual(new Date('2026-12-08T20:00:00.000Z'));
    expect(inPartOfDay('2026-12-08T16:00:00.000Z', 'morning', TZ)).toBe(true);
    expect(inPartOfDay('2026-12-08T18:00:00.000Z', 'morning', TZ)).toBe(false);
  });
});

describe('holds', () => {
  it('keep a call’s offers from other calls until they expire or the call lets go', () => {
    const holds = new SlotHolds(5 * 60_000);
    const now = new Date('2026-12-07T16:00:00.000Z');
    const offered = [slot('2026-12-08T14:00:00.000Z')];
    holds.hold('call-a', offered, now);
    expect(holds.heldByOthers('call-a', now)).toEqual([]);
    expect(holds.heldByOthers('call-b', now)).toEqual([
      {
        resourceId: 'sam',
        from: new Date('2026-12-08T14:00:00.000Z'),
        until: new Date('2026-12-08T14:30:00.000Z'),
      },
    ]);
    expect(holds.heldBy('call-a', now)).toEqual(offered);
    expect(holds.heldByOthers('call-b', new Date(now.getTime() + 5 * 60_000))).toEqual([]);
    holds.hold('call-a', offered, now);
    holds.release('call-a');
    expect(holds.heldByOthers('call-b', now)).toEqual([]);
  });
});

describe('offers said on the phone', () => {
  const thursday = (hhmm: string) => instantOn('2026-12-10', hhmm, TZ);

  it('says the times of one day with the day once, in English and Spanish', () => {
    const starts = [thursday('14:30'), thursday('16:00')];
    expect(sayOffers(starts, TZ, 'en')).toBe(
      'I have 2:30 PM or 4 PM on Thursday, December 10. What time would suit you?',
    );
    expect(sayTimes(starts, TZ, 'es')).toBe('el jueves 10 de diciembre a las 2:30 o a las 4 de la tarde');
  });

  it('says each day of times on several days, and each period when they differ', () => {
    const starts = [thursday('09:00'), thursday('12:00'), instantOn('2026-12-11', '13:00', TZ)];
    expect(sayTimes(starts, TZ, 'en')).toBe(
      '9 AM or noon on Thursday, December 10 or 1 PM on Friday, December 11',
    );
    expect(sayTimes([thursday('09:00'), thursday('13:00')], TZ, 'es')).toBe(
      'el jueves 10 de diciembre a las 9 de la mañana o a la 1 de la tarde',
    );
  });
});
