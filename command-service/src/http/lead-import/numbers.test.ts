import { describe, expect, it } from 'vitest';
import { countryOfNumber, readPhoneNumber, zonesOfNumber } from './numbers.js';

describe('a number’s zones and country', () => {
  it('tells New York, Los Angeles and Madrid numbers by their prefix', () => {
    expect(zonesOfNumber('+12125550123')).toEqual(['America/New_York']);
    expect(zonesOfNumber('+13105550123')).toEqual(['America/Los_Angeles']);
    expect(zonesOfNumber('+34912345678')).toEqual(['Europe/Madrid']);
  });

  it('gives every zone of a prefix that spans several', () => {
    // South Dakota's 605 is split between Mountain and Central time.
    expect(zonesOfNumber('+16055550123').sort()).toEqual(['America/Denver', 'America/North_Dakota/Center']);
  });

  it('gives no zone for a prefix that names more than a lead may hold, or none at all', () => {
    // +1 alone covers 42 zones: the campaign's own zone applies instead.
    expect(zonesOfNumber('+1')).toEqual([]);
    expect(zonesOfNumber('+999123')).toEqual([]);
  });

  it('answers from memory after the first lookup, and hands out copies', () => {
    const first = zonesOfNumber('+12125550123');
    first.push('Europe/Paris');
    expect(zonesOfNumber('+12125550124')).toEqual(['America/New_York']);
  });

  it('tells a valid number’s country', () => {
    expect(countryOfNumber('+12125550123')).toBe('US');
    expect(countryOfNumber('+34912345678')).toBe('ES');
    expect(countryOfNumber('+4930123456')).toBe('DE');
    expect(countryOfNumber('+1999')).toBeUndefined();
  });

  it('reads national numbers with the default country', () => {
    expect(readPhoneNumber('(212) 555-0123', 'US')).toEqual({ e164: '+12125550123', country: 'US' });
    expect(readPhoneNumber('912 345 678', 'ES')).toEqual({ e164: '+34912345678', country: 'ES' });
    expect(readPhoneNumber('+44 20 7946 0958', 'US')).toEqual({ e164: '+442079460958', country: 'GB' });
    expect(readPhoneNumber('12345', 'US')).toBeUndefined();
    expect(readPhoneNumber('not a number', 'US')).toBeUndefined();
  });
});
