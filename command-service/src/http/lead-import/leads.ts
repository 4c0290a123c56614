import { hash } from 'node:crypto';
import { Lead } from '@ccp/schemas';
import { isKnownTimeZone, readPhoneNumber, zonesOfNumber, type CountryCode } from './numbers.js';

/** One row's values, named, before they are checked; `columns` says what to call each field in an error. */
export interface LeadInput {
  readonly phone: string;
  readonly name?: string | undefined;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
  readonly timeZone?: string | undefined;
  readonly language?: string | undefined;
  readonly variables: Readonly<Record<string, string>>;
}

export interface FieldNames {
  readonly phone: string;
  readonly name: string;
  readonly timeZone: string;
  readonly language: string;
  /** The column a variable came from. */
  variable(name: string): string;
}

export interface FieldError {
  readonly column: string;
  readonly reason: string;
}

export type BuiltLead =
  | { readonly ok: true; readonly lead: Lead; readonly ownZone: boolean }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

const MAX_VALUE = 500;

/**
 * A number is one lead per campaign: its id is derived from the number alone. The one-shot hash is the same
 * SHA-256 as createHash's, at about half the cost per row.
 */
export const leadIdOf = (e164: string): string => `lead-${hash('sha256', e164, 'hex').slice(0, 16)}`;

const present = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
};

/**
 * Builds one lead from a row: the number read with `defaultCountry` when national and stored E.164, its
 * country, the row's own zone when it names one, else the zones its number rings in. Every fault of the row is
 * returned, not only the first.
 */
export const buildLead = (input: LeadInput, defaultCountry: CountryCode, names: FieldNames): BuiltLead => {
  const errors: FieldError[] = [];
  const rawPhone = present(input.phone);
  const number = rawPhone === undefined ? undefined : readPhoneNumber(rawPhone, defaultCountry);
  if (rawPhone === undefined) errors.push({ column: names.phone, reason: 'the phone number is missing' });
  else if (number === undefined) {
    errors.push({
      column: names.phone,
      reason: `${rawPhone} is not a valid phone number (national numbers are read as ${defaultCountry})`,
    });
  }
  const ownZone = present(input.timeZone);
  if (ownZone !== undefined && !isKnownTimeZone(ownZone)) {
    errors.push({ column: names.timeZone, reason: `${ownZone} is not an IANA time zone` });
  }
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.variables)) {
    const trimmed = present(value);
    if (trimmed === undefined) continue;
    if (trimmed.length > MAX_VALUE) {
      errors.push({ column: names.variable(name), reason: `at most ${MAX_VALUE} characters` });
    } else variables[name] = trimmed;
  }
  if (errors.length > 0 || number === undefined) return { ok: false, errors };

  const name =
    present(input.name) ??
    present([present(input.firstName), present(input.lastName)].filter(Boolean).join(' '));
  const language = present(input.language);
  const candidate: Lead = {
    leadId: leadIdOf(number.e164),
    phone: number.e164,
    ...(name !== undefined && { name }),
    ...(language !== undefined && { language }),
    ...(number.country !== undefined && { country: number.country }),
    timeZones: ownZone !== undefined ? [ownZone] : zonesOfNumber(number.e164),
    variables,
  };
  const checked = Lead.safeParse(candidate);
  // The candidate itself is kept, not the schema's copy of it: its values are already trimmed, so both are
  // equal, and a 100,000-row file then allocates one object per lead rather than two.
  if (checked.success) return { ok: true, lead: candidate, ownZone: ownZone !== undefined };
  return {
    ok: false,
    errors: checked.error.issues.map((issue) => ({
      column: columnOfIssue(issue.path, names),
      reason: issue.message,
    })),
  };
};

const columnOfIssue = (path: readonly PropertyKey[], names: FieldNames): string => {
  const [field, key] = path;
  if (field === 'variables' && typeof key === 'string') return names.variable(key);
  if (field === 'name' || field === 'language' || field === 'phone') return names[field];
  if (field === 'timeZones') return names.timeZone;
  return String(field ?? 'row');
};

/**
 * The same number twice in one file is one lead: the later row's filled-in fields win, variables are merged.
 * Zones change only when the later row named its own (otherwise both rows have the number's zones).
 */
export const mergeLead = (earlier: Lead, later: Lead, laterOwnZone: boolean): Lead => ({
  ...earlier,
  ...(later.name !== undefined && { name: later.name }),
  ...(later.language !== undefined && { language: later.language }),
  ...(laterOwnZone && { timeZones: later.timeZones }),
  variables: { ...earlier.variables, ...later.variables },
});
