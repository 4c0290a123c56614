import { describe, expect, it } from 'vitest';
import { phoneLength } from './phrases.js';

describe('phoneLength', () => {
  it('keeps the first two sentences, a decimal price and an abbreviation whole', () => {
    expect(phoneLength('Standard delivery is $6.95. Express is $19.95. Both ship from Denver.')).toBe(
      'Standard delivery is $6.95. Express is $19.95.',
    );
    expect(phoneLength('Mail it to our P.O. box. We answer within a week. Thanks.')).toBe(
      'Mail it to our P.O. box. We answer within a week.',
    );
  });

  it('cuts a long sentence at a word', () => {
    const long = `${'word '.repeat(60)}end.`;
    const cut = phoneLength(long, 40);
    expect(cut.length).toBeLessThanOrEqual(41);
    expect(cut.endsWith('…')).toBe(true);
  });
});
