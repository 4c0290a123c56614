import { describe, expect, it } from 'vitest';
import { numbersInDigits } from './number-words.js';

describe('numbersInDigits', () => {
  it.each([
    ['It costs eighty dollars.', 'It costs 80 dollars.'],
    ['around a hundred bucks', 'around 100 bucks'],
    ['two hundred and fifty', '250'],
    ['three thousand and five', '3005'],
    ['twenty-five minutes', '25 minutes'],
    ['one and a half miles', '1.5 miles'],
    ['half an hour', '30 minutes'],
    ['open at seven thirty', 'open at 7:30'],
    ['close at half past six', 'close at 6:30'],
    ['five five five, one two three', '5 5 5, 1 2 3'],
    ['treinta y un euros', '31 euros'],
    ['dos mil quinientos', '2500'],
    ['ciento veinte', '120'],
    ['a las once', 'a las 11'],
    ['a la una', 'a la 1'],
    // words that are no numbers here
    ['once you confirm', 'once you confirm'],
    ['which one do you mean', 'which one do you mean'],
    ['one of our staff', 'one of our staff'],
    ['una cita', 'una cita'],
    ['a couple of times', 'a couple of times'],
  ])('%s → %s', (text, digits) => {
    expect(numbersInDigits(text).text).toBe(digits);
  });

  it('maps a span of the digits back to the words as written', () => {
    const text = 'A checkup is around a hundred bucks, or twenty-five for kids.';
    const rewritten = numbersInDigits(text);
    const at = (digits: string): string => {
      const start = rewritten.text.indexOf(digits);
      const span = rewritten.source({ start, end: start + digits.length });
      return text.slice(span.start, span.end);
    };
    expect(at('100 bucks')).toBe('a hundred bucks');
    expect(at('25')).toBe('twenty-five');
    expect(at('or')).toBe('or');
  });
});
