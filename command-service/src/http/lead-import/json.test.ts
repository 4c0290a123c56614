import { describe, expect, it } from 'vitest';
import { CommandRejected } from '../../application/errors.js';
import { readJsonLeads } from './json.js';

describe('reading JSON leads', () => {
  it('builds leads like CSV rows: national numbers, own zone, variables', () => {
    const leads = readJsonLeads(
      {
        leads: [
          { phone: '(212) 555-0123', name: 'Ann', language: 'en', variables: { plan: ' Gold ' } },
          { phone: '+34912345678', timeZone: 'Atlantic/Canary' },
          { phone: '+1 212 555 0123', variables: { city: 'NYC' } },
        ],
      },
      { defaultCountry: 'US' },
    );
    leads.requireValid();
    expect(leads.rows).toBe(3);
    expect(leads.duplicates).toBe(1);
    expect([...leads.leads.values()]).toMatchObject([
      {
        phone: '+12125550123',
        name: 'Ann',
        country: 'US',
        timeZones: ['America/New_York'],
        variables: { plan: 'Gold', city: 'NYC' },
      },
      { phone: '+34912345678', country: 'ES', timeZones: ['Atlantic/Canary'], variables: {} },
    ]);
  });

  it('reports each bad entry by its position and field', () => {
    const leads = readJsonLeads(
      {
        leads: [
          { phone: 42 },
          { phone: '+12125550123', language: 'English' },
          { phone: '+12125550124', variables: { 'Bad Name': 'x' } },
          'not an object',
        ],
      },
      { defaultCountry: 'US' },
    );
    expect(leads.invalidRows).toBe(4);
    expect(leads.errors.map((e) => [e.row, e.column])).toEqual([
      [1, 'phone'],
      [2, 'language'],
      [3, 'variables.Bad Name'],
      [4, 'row'],
    ]);
    expect(leads.errors.every((e) => e.line === undefined)).toBe(true);
  });

  it('refuses a row whose variables, merged with an earlier row of its number, pass 50', () => {
    const many = (from: number) =>
      Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`v${from + i}`, 'x']));
    const leads = readJsonLeads(
      {
        leads: [
          { phone: '+12125550123', variables: many(0) },
          { phone: '+12125550123', variables: many(30) },
        ],
      },
      { defaultCountry: 'US' },
    );
    expect(leads.invalidRows).toBe(1);
    expect(leads.errors).toEqual([
      {
        row: 2,
        column: 'variables',
        reason: 'with the earlier rows of +12125550123, more than 50 variables',
      },
    ]);
  });

  it('refuses a body without a leads list, and one over the limit', () => {
    expect(() => readJsonLeads({ rows: [] }, { defaultCountry: 'US' })).toThrow(CommandRejected);
    const many = { leads: Array.from({ length: 3 }, () => ({ phone: '+12125550123' })) };
    expect(() => readJsonLeads(many, { defaultCountry: 'US', maxRows: 2 })).toThrow(/at most 2 rows/);
  });
});
