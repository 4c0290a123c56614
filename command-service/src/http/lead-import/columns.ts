import { LeadVariableName } from '@ccp/schemas';
import { CommandRejected } from '../../application/errors.js';

/** Where each lead field sits in a CSV row, read from the header once. */
export interface LeadColumns {
  readonly phone: number;
  readonly name?: number;
  readonly firstName?: number;
  readonly lastName?: number;
  readonly timeZone?: number;
  readonly language?: number;
  /** Every other column, and the name fields a greeting uses, under its variable name. */
  readonly variables: readonly { readonly index: number; readonly name: string; readonly header: string }[];
  /** The header as written, to name a column in an error. */
  readonly headers: readonly string[];
}

const MAX_VARIABLES = 50;

const FIELD_OF: Readonly<Record<string, keyof Omit<LeadColumns, 'variables' | 'headers'>>> = {
  phone: 'phone',
  phone_number: 'phone',
  number: 'phone',
  name: 'name',
  first_name: 'firstName',
  last_name: 'lastName',
  time_zone: 'timeZone',
  timezone: 'timeZone',
  language: 'language',
};

/** `First Name` → `first_name`: what a column is called as a variable ({{first_name}}). */
export const variableNameOf = (header: string): string =>
  header
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');

const headerInvalid = (message: string, column: string): CommandRejected =>
  new CommandRejected(422, 'CSV_HEADER_INVALID', message, column);

/**
 * Reads the header row. A header the import cannot use (no phone column, a column twice, a name that cannot be
 * a variable, too many variables) refuses the whole file: every row would be read wrongly.
 */
export const columnsOf = (header: readonly string[]): LeadColumns => {
  const fields: { -readonly [K in keyof Omit<LeadColumns, 'variables' | 'headers'>]?: number } = {};
  const variables: { index: number; name: string; header: string }[] = [];
  const seen = new Set<string>();
  header.forEach((raw, index) => {
    const key = variableNameOf(raw);
    if (key === '') throw headerInvalid(`column ${index + 1} has no name`, `column ${index + 1}`);
    // An id column keeps the lead's id in the source system, as a variable.
    const name = key === 'id' || key === 'lead_id' ? 'external_id' : key;
    const field = FIELD_OF[name];
    const slot = field ?? name;
    if (seen.has(slot)) throw headerInvalid(`the column ${raw.trim()} is given twice`, raw.trim());
    seen.add(slot);
    if (field) fields[field] = index;
    // A greeting says "Hi {{first_name}}": the name parts stay variables besides making the lead's name.
    if (field === undefined || field === 'firstName' || field === 'lastName') {
      if (!LeadVariableName.safeParse(name).success) {
        throw headerInvalid(
          `the column ${raw.trim()} cannot be a variable: a name is 1-40 lower-case letters, digits or "_", a letter first`,
          raw.trim(),
        );
      }
      variables.push({ index, name, header: raw.trim() });
    }
  });
  if (fields.phone === undefined) {
    throw headerInvalid('the file has no phone column (phone, phone_number or number)', 'phone');
  }
  if (variables.length > MAX_VARIABLES) {
    throw headerInvalid(
      `at most ${MAX_VARIABLES} variable columns, the file has ${variables.length}`,
      'header',
    );
  }
  return { ...fields, phone: fields.phone, variables, headers: header.map((h) => h.trim()) };
};
