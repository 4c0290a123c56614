import { z } from 'zod';
import { CommandRejected } from '../../application/errors.js';
import { MAX_IMPORT_ROWS, RowCollector, tooManyRows } from './collector.js';
import { buildLead, type FieldNames } from './leads.js';
import type { CountryCode } from './numbers.js';

/** One lead as a JSON body gives it; the shape only, the values are checked as a CSV row's are. */
const JsonLead = z.object({
  phone: z.string(),
  name: z.string().optional(),
  timeZone: z.string().optional(),
  language: z.string().optional(),
  variables: z.record(z.string(), z.string()).optional(),
});

const JSON_NAMES: FieldNames = {
  phone: 'phone',
  name: 'name',
  timeZone: 'timeZone',
  language: 'language',
  variable: (name) => `variables.${name}`,
};

/** `{ leads: [...] }`: the list itself, or a 400 saying what the body should be. */
export const leadListOf = (body: unknown, key: 'leads' | 'numbers'): readonly unknown[] => {
  const list = (body as Record<string, unknown> | null | undefined)?.[key];
  if (!Array.isArray(list)) {
    throw new CommandRejected(400, 'VALIDATION_FAILED', `send { "${key}": [ ... ] }`, key);
  }
  return list;
};

/** Reads a JSON body's leads like a CSV file's rows: row n is the list's n-th entry. */
export const readJsonLeads = (
  body: unknown,
  options: { readonly defaultCountry: CountryCode; readonly maxRows?: number },
): RowCollector => {
  const maxRows = options.maxRows ?? MAX_IMPORT_ROWS;
  const list = leadListOf(body, 'leads');
  if (list.length > maxRows) throw tooManyRows(maxRows);
  const collector = new RowCollector(maxRows);
  for (const entry of list) {
    const row = collector.nextRow();
    const shape = JsonLead.safeParse(entry);
    if (!shape.success) {
      collector.invalid(
        row,
        undefined,
        shape.error.issues.map((issue) => ({
          column: issue.path.length > 0 ? issue.path.map(String).join('.') : 'row',
          reason: issue.message,
        })),
      );
      continue;
    }
    const { variables, ...fields } = shape.data;
    collector.add(
      row,
      undefined,
      buildLead({ ...fields, variables: variables ?? {} }, options.defaultCountry, JSON_NAMES),
    );
  }
  return collector;
};
