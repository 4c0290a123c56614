import { describe, expect, it } from 'vitest';
import { isAffirmative } from './index.js';

const YES = [
  'yes',
  'Yes.',
  'Yeah',
  'yep',
  'Yes please',
  'Yes, please.',
  'sure',
  'Correct.',
  "That's right",
  'right',
  'OK',
  'okay',
  'Go ahead.',
  'Please do',
  'Perfect, thank you!',
  'Yes, that works, thanks.',
  'Uh, yes.',
  'Sounds good',
  'Sí',
  'si',
  'Sí, por favor.',
  'Claro',
  'Correcto',
  'De acuerdo',
  'Vale',
  'Perfecto, gracias.',
  'Por favor',
  'Sí, adelante.',
  'Eso es.',
  'Sí, resérvela.',
  'Sure thing.',
  'Yes, do that.',
  'Yes, that is correct.',
  'sí, claro',
  // What the offline engine takes as a yes: the gate must agree, or it stops a booking the engine confirmed.
  'great',
  'Fine.',
  'uh huh',
  'Sale',
  'Yes, under Maria Known.',
  'Yes, the name is Ana.',
];

const NOT_YES = [
  '',
  'no',
  'No, Friday.',
  'not really',
  'Wait',
  'Yes, wait, actually Friday.',
  'Actually, can we do 4?',
  'yes but at 4 PM',
  "I don't know",
  'Hmm.',
  'Is it possible on Friday?',
  'Yes, and can I bring my dog?',
  'Yes, Tuesday at 4.',
  'What time was that?',
  'Espere',
  'Mejor el viernes',
  'No, gracias.',
  'Sí, pero a las 4.',
  '¿Y el precio?',
  'Un momento',
  'Quizás',
  'I want to speak to someone',
  'Tuesday',
  'Sí, quiero cambiar también otra cita.',
  'yes I think so',
  'no no, yes',
  'Yes, at 3 please.',
  'Sure, tomorrow morning.',
];

describe('isAffirmative', () => {
  it.each(YES)('%s is a yes', (line) => {
    expect(isAffirmative(line)).toBe(true);
  });
  it.each(NOT_YES)('%s is not a yes', (line) => {
    expect(isAffirmative(line)).toBe(false);
  });
});
