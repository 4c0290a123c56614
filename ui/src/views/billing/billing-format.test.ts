import { describe, expect, it } from 'vitest';
import type { useFormat } from '../../utils/format';
import { day, lastDay, money } from './billing-format';

type Format = ReturnType<typeof useFormat>;
/** Only the language tag is read by the billing formats. */
const inLanguage = (tag: string): Format => ({ tag: { value: tag } }) as unknown as Format;
const en = inLanguage('en-US');
const es = inLanguage('es-ES');

describe('billing formats', () => {
  it('shows integer cents as dollars in the console’s language, and an unknown amount as a dash', () => {
    expect(money(en, 3933)).toBe('$39.33');
    expect(money(en, 0)).toBe('$0.00');
    expect(money(en, 123456789)).toBe('$1,234,567.89');
    expect(money(es, 3933).replace(/\s/g, ' ')).toBe('39,33 US$');
    expect(money(en, null)).toBe('—');
  });

  it('names the last day of a period whose end is the next period’s first moment (UTC)', () => {
    expect(lastDay(en, '2027-01-01T00:00:00.000Z')).toBe('Dec 31, 2026');
    expect(lastDay(en, '2026-03-01T00:00:00.000Z')).toBe('Feb 28, 2026');
    expect(day(en, '2026-12-01T00:00:00.000Z')).toBe('Dec 1, 2026');
    expect(lastDay(en, null)).toBe('—');
  });
});
