import { describe, expect, it } from 'vitest';
import { render, say, voiceFor } from '../../dialogue/phrases.js';
import { sayOffers } from '../../booking/spoken.js';
import { readsBackSlot, slotReadBack } from './index.js';

const NY = 'America/New_York';
const MADRID = 'Europe/Madrid';
/** Monday, December 7, 2026, 9:00 in New York. */
const NOW = new Date('2026-12-07T14:00:00Z');
/** Tuesday, December 8, 2026, 3:00 PM in New York. */
const SLOT = '2026-12-08T20:00:00.000Z';
const SLOT_WITH_OFFSET = '2026-12-08T15:00:00-05:00';

const offline = (
  language: 'en' | 'es',
  tone: string,
  utterance: Parameters<typeof render>[0][number],
): string => render([utterance], voiceFor(`Tone: ${tone}`, language, NY));

const when = (iso: string) => ({ at: new Date(iso), timeZone: NY });

describe('slotReadBack', () => {
  it('reads the slot in the zone, English and Spanish', () => {
    expect(slotReadBack(SLOT, NY, 'en')).toBe('Tuesday, December 8 at 3:00 PM');
    expect(slotReadBack(SLOT_WITH_OFFSET, NY, 'en-US')).toBe('Tuesday, December 8 at 3:00 PM');
    expect(slotReadBack(SLOT, NY, 'es')).toBe('el martes 8 de diciembre a las 15:00');
    expect(slotReadBack(SLOT, MADRID, 'es-ES')).toBe('el martes 8 de diciembre a las 21:00');
    expect(slotReadBack('2026-12-08T14:05:00Z', NY, 'en')).toBe('Tuesday, December 8 at 9:05 AM');
    expect(slotReadBack('2026-12-08T14:05:00Z', NY, 'es')).toBe('el martes 8 de diciembre a las 9:05');
    expect(slotReadBack('2026-12-08T12:30:00Z', MADRID, 'es')).toBe('el martes 8 de diciembre a las 13:30');
    expect(slotReadBack('2026-12-08T00:30:00Z', MADRID, 'es')).toBe('el martes 8 de diciembre a la 1:30');
    expect(slotReadBack(SLOT, NY, 'fr')).toBe('Tuesday, December 8 at 3:00 PM');
  });

  it('is itself a read-back of the slot', () => {
    for (const language of ['en', 'es']) {
      for (const zone of [NY, MADRID]) {
        expect(readsBackSlot(slotReadBack(SLOT, zone, language), SLOT, zone, NOW)).toBe(true);
      }
    }
  });
});

describe('readsBackSlot: what the offline engine says when it confirms', () => {
  const cases: [string, string][] = [];
  for (const tone of ['professional', 'friendly']) {
    for (const language of ['en', 'es'] as const) {
      cases.push([
        `confirmBooking ${language} ${tone}`,
        offline(language, tone, say.confirmBooking({ service: 'Haircut', when: when(SLOT), name: 'Ana' })),
      ]);
      cases.push([
        `confirmReschedule ${language} ${tone}`,
        offline(
          language,
          tone,
          say.confirmReschedule({ service: 'Haircut', from: when('2026-12-07T19:00:00Z'), to: when(SLOT) }),
        ),
      ]);
      cases.push([
        `confirmCancel ${language} ${tone}`,
        offline(language, tone, say.confirmCancel({ service: 'Haircut', when: when(SLOT) })),
      ]);
      cases.push([
        `closedThen ${language} ${tone}`,
        offline(language, tone, say.closedThen({ when: when(SLOT), move: false })),
      ]);
    }
  }
  it.each(cases)('%s reads the slot back', (_name, text) => {
    expect(readsBackSlot(text, SLOT, NY, NOW)).toBe(true);
  });

  it.each(cases)('%s is no read-back of another slot', (_name, text) => {
    expect(readsBackSlot(text, '2026-12-08T21:00:00Z', NY, NOW)).toBe(false); // 4 PM
    expect(readsBackSlot(text, '2026-12-09T20:00:00Z', NY, NOW)).toBe(false); // Wednesday 3 PM
  });

  it('reads back noon, morning and evening times the way sayWhen says them', () => {
    for (const iso of [
      '2026-12-08T17:00:00Z',
      '2026-12-08T14:30:00Z',
      '2026-12-09T01:00:00Z',
      '2026-12-08T05:00:00Z',
    ]) {
      for (const language of ['en', 'es'] as const) {
        const text = offline(
          language,
          'professional',
          say.confirmBooking({ service: 'Cut', when: when(iso), name: 'Bo' }),
        );
        expect(readsBackSlot(text, iso, NY, NOW), text).toBe(true);
      }
    }
  });

  it('the reschedule question does not read back the time it moves from', () => {
    const text = offline(
      'en',
      'professional',
      say.confirmReschedule({ service: 'Haircut', from: when('2026-12-07T19:00:00Z'), to: when(SLOT) }),
    );
    expect(readsBackSlot(text, '2026-12-07T19:00:00Z', NY, NOW)).toBe(false);
  });

  it('an offer of several times is no read-back of one of them', () => {
    const offers = sayOffers([new Date(SLOT), new Date('2026-12-08T21:00:00Z')], NY, 'en');
    expect(readsBackSlot(offers, SLOT, NY, NOW)).toBe(false);
    const es = sayOffers([new Date(SLOT), new Date('2026-12-08T21:00:00Z')], NY, 'es');
    expect(readsBackSlot(es, SLOT, NY, NOW)).toBe(false);
  });
});

describe('readsBackSlot: spoken forms', () => {
  const cases: [string, boolean][] = [
    ['Tuesday at 3 PM, shall I book it?', true],
    ['So Tuesday, December 8 at 3pm?', true],
    ['December 8th at 3:00 p.m. then.', true],
    ['Tuesday at 15:00.', true],
    ['Tomorrow at 3 PM, is that right?', true],
    ['tomorrow at 3:00', true],
    ['Shall I book Tuesday at 3?', true],
    ['Entonces el martes a las 3 de la tarde, ¿la reservo?', true],
    ['Mañana a las 15:00, ¿le parece bien?', true],
    ['El 8 de diciembre a las 3 de la tarde.', true],
    ['Mañana por la mañana a las 3 de la tarde', true],
    ['So that is the 8th at 3 PM?', true],
    ['El día 8 a las 15:00, ¿correcto?', true],
    ['So that is the 9th at 3 PM?', false],
    ['Tuesday at three PM, shall I book it?', true],
    ['Tuesday at three in the afternoon.', true],
    ["Tuesday at three o'clock.", true],
    ['El martes a las tres de la tarde.', true],
    ['El martes a las tres y media de la tarde.', false],
    ['Tuesday at three thirty PM.', false],
    ['Tuesday at four PM.', false],
    ['Tuesday at three in the morning.', false],
    ['Today at 3 PM?', false],
    ['Hoy a las 3 de la tarde', false],
    ['Tuesday at 3 AM?', false],
    ['Tuesday at 4 PM?', false],
    ['Wednesday at 3 PM?', false],
    ['Tuesday, December 9 at 3 PM?', false],
    ['Tuesday at 3 PM or 4 PM?', false],
    ['Tuesday at 3 PM, or Wednesday at 3 PM?', false],
    ['Shall I book it for Tuesday?', false],
    ['Shall I book it at 3 PM?', false],
    ['Shall I book it?', false],
    ['Mañana a las 10 de la mañana', false],
    ['El martes a las 3 de la mañana', false],
  ];
  it.each(cases)('%s → %s', (text, expected) => {
    expect(readsBackSlot(text, SLOT, NY, NOW)).toBe(expected);
  });

  it('hours written out in words', () => {
    const half = '2026-12-08T20:30:00Z'; // Tuesday 3:30 PM in New York
    expect(readsBackSlot('Tuesday at three thirty PM.', half, NY, NOW)).toBe(true);
    expect(readsBackSlot('El martes a las tres y media de la tarde.', half, NY, NOW)).toBe(true);
    expect(readsBackSlot('Tuesday at three PM.', half, NY, NOW)).toBe(false);
  });

  it('"today" and "tomorrow" are days in the zone, not in UTC', () => {
    // 23:30 on Monday in New York is already Tuesday in UTC: "tomorrow" there is Tuesday.
    const lateMonday = new Date('2026-12-08T04:30:00Z');
    expect(readsBackSlot('Tomorrow at 3 PM', SLOT, NY, lateMonday)).toBe(true);
    expect(readsBackSlot('Today at 3 PM', SLOT, NY, lateMonday)).toBe(false);
  });

  it('an unreadable slot is never read back', () => {
    expect(readsBackSlot('Tuesday at 3 PM', 'not a time', NY, NOW)).toBe(false);
  });
});
