import { describe, expect, it } from 'vitest';
import { completeSentences, splitSentences } from './sentences.js';

describe('splitSentences', () => {
  it.each([
    ['Hello! How can I help you today?', ['Hello!', 'How can I help you today?']],
    ['We open at 9. Call us then.', ['We open at 9.', 'Call us then.']],
    ['A cleaning is $3.50 per minute. Really.', ['A cleaning is $3.50 per minute.', 'Really.']],
    ['Dr. Lee sees you at 3 p.m. on Tuesday.', ['Dr. Lee sees you at 3 p.m. on Tuesday.']],
    [
      'Mr. and Mrs. Smith live on Main St. near the park.',
      ['Mr. and Mrs. Smith live on Main St. near the park.'],
    ],
    [
      'Bring ID, e.g. a passport, i.e. something official, etc. Thanks!',
      ['Bring ID, e.g. a passport, i.e. something official, etc. Thanks!'],
    ],
    ['Hola. ¿En qué le puedo ayudar? ¡Claro!', ['Hola.', '¿En qué le puedo ayudar?', '¡Claro!']],
    ['Well… let me see. Wait?! Okay', ['Well…', 'let me see.', 'Wait?!', 'Okay']],
    ['He said "fine." Then he left.', ['He said "fine."', 'Then he left.']],
    ['One moment.\nI am checking.', ['One moment.', 'I am checking.']],
    ['   ', []],
  ])('cuts %j', (text, sentences) => {
    expect(splitSentences(text)).toEqual(sentences);
  });
});

describe('completeSentences', () => {
  it('gives only sentences followed by a space, and the rest', () => {
    expect(completeSentences('Hello. How are')).toEqual({ sentences: ['Hello.'], rest: ' How are' });
    // "3." may be "3.50": nothing is complete until a space says so.
    expect(completeSentences('It costs 3.')).toEqual({ sentences: [], rest: 'It costs 3.' });
    expect(completeSentences('See Dr. ')).toEqual({ sentences: [], rest: 'See Dr. ' });
  });

  it('is prefix-stable: every prefix cuts into the leading sentences of the whole', () => {
    const text =
      'Thanks for calling Dr. Lee. It is $3.50, i.e. cheap! ¿Algo más? We open at 9 a.m. on Monday… Bye. ';
    const whole = splitSentences(text);
    for (let end = 0; end <= text.length; end += 1) {
      const { sentences } = completeSentences(text.slice(0, end));
      expect(whole.slice(0, sentences.length), `prefix ${end}`).toEqual(sentences);
      expect(splitSentences(text.slice(0, end) + text.slice(end)).slice(0, sentences.length)).toEqual(
        sentences,
      );
    }
  });
});
