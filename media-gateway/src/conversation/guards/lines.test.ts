import { describe, expect, it } from 'vitest';
import {
  ACTION_KINDS,
  checkingLine,
  claimedActions,
  confirmationQuestion,
  fillerLine,
  noAnswerLine,
  notDoneLine,
  readsBackSlot,
  slotReadBack,
  unsupportedFacts,
} from './index.js';

const NY = 'America/New_York';
const SLOT = '2026-12-08T20:00:00.000Z';
const NOW = new Date('2026-12-07T14:00:00Z');

describe('confirmationQuestion', () => {
  it('reads the slot back and asks, English and Spanish', () => {
    const en = slotReadBack(SLOT, NY, 'en');
    const es = slotReadBack(SLOT, NY, 'es');
    expect(confirmationQuestion('book_appointment', en, 'en')).toBe(
      'Just to confirm: Tuesday, December 8 at 3:00 PM. Shall I book it?',
    );
    expect(confirmationQuestion('reschedule_appointment', en, 'en-GB')).toBe(
      'Just to confirm: Tuesday, December 8 at 3:00 PM. Shall I move it there?',
    );
    expect(confirmationQuestion('cancel_appointment', en, 'fr')).toBe(
      'Just to confirm: Tuesday, December 8 at 3:00 PM. Shall I cancel it?',
    );
    expect(confirmationQuestion('book_appointment', es, 'es')).toBe(
      'Para confirmar: el martes 8 de diciembre a las 15:00. ¿La reservo?',
    );
    expect(confirmationQuestion('reschedule_appointment', es, 'es-MX')).toBe(
      'Para confirmar: el martes 8 de diciembre a las 15:00. ¿La cambio?',
    );
    expect(confirmationQuestion('cancel_appointment', es, 'es')).toBe(
      'Para confirmar: el martes 8 de diciembre a las 15:00. ¿La cancelo?',
    );
  });

  it('is a read-back of its slot that claims nothing', () => {
    for (const tool of ['book_appointment', 'reschedule_appointment', 'cancel_appointment'] as const) {
      for (const language of ['en', 'es']) {
        const question = confirmationQuestion(tool, slotReadBack(SLOT, NY, language), language);
        expect(readsBackSlot(question, SLOT, NY, NOW)).toBe(true);
        expect(claimedActions(question)).toEqual({ done: [], promised: [] });
      }
    }
  });
});

describe('honest lines', () => {
  it('say what they must in the language, English for others', () => {
    expect(notDoneLine('booked', 'en')).toBe("I haven't booked anything yet. Would you like me to book it?");
    expect(notDoneLine('booked', 'es-ES')).toBe('Todavía no he reservado nada. ¿Quiere que la reserve?');
    expect(notDoneLine('cancelled', 'de')).toBe(notDoneLine('cancelled', 'en'));
    expect(checkingLine('en')).toBe('Let me check.');
    expect(checkingLine('es')).toBe('Déjeme comprobarlo.');
    expect(noAnswerLine('en')).toBe("I don't have that information, but I can take a message for the team.");
    expect(noAnswerLine('es')).toBe('No tengo esa información, pero puedo tomar un mensaje para el equipo.');
    expect(fillerLine('en')).toBe('One moment.');
    expect(fillerLine('es')).toBe('Un momento.');
  });

  it('every not-done line differs by action and carries no fact to check', () => {
    for (const language of ['en', 'es']) {
      const lines = ACTION_KINDS.map((kind) => notDoneLine(kind, language));
      expect(new Set(lines).size).toBe(ACTION_KINDS.length);
      for (const line of [...lines, checkingLine(language), noAnswerLine(language), fillerLine(language)]) {
        expect(unsupportedFacts(line, [])).toEqual([]);
        expect(claimedActions(line)).toEqual({ done: [], promised: [] });
      }
    }
  });
});
