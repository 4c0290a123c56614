import { describe, expect, it } from 'vitest';
import type { Lead } from '@ccp/schemas';
import { addImport, emptyBook, leadAt } from './lead-book.js';

const lead = (n: number, variables: Record<string, string> = {}): Lead => ({
  leadId: `lead-${n}`,
  phone: `+1212555${String(n).padStart(4, '0')}`,
  timeZones: ['America/New_York'],
  variables,
});

describe('addImport', () => {
  it('answers the same rows added to the same book again (decide, then evolve) with the same result', () => {
    const book = emptyBook();
    const rows = [lead(1), lead(2), lead(1, { plan: 'gold' })];
    const counted = addImport(book, rows);
    // A fresh array of the same leads, as stagedRows gives it on each call.
    expect(addImport(book, [...rows])).toBe(counted);
    expect(counted).toMatchObject({ added: 2, merged: 1 });
    expect(leadAt(counted.book, 0)?.variables).toEqual({ plan: 'gold' });
  });

  it('folds other rows, or the same rows into another book, anew', () => {
    const book = emptyBook();
    const first = addImport(book, [lead(1), lead(2)]);
    const other = addImport(book, [lead(1), lead(3)]);
    expect(other).not.toBe(first);
    expect(leadAt(other.book, 1)?.leadId).toBe('lead-3');
    const again = addImport(first.book, [lead(1), lead(2)]);
    expect(again).toMatchObject({ added: 0, merged: 2 });
    expect(again.book.size).toBe(2);
  });
});
