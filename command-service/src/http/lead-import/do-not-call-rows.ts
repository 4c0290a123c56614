import type { Readable } from 'node:stream';
import { CommandRejected } from '../../application/errors.js';
import { MAX_IMPORT_ROWS, MAX_LISTED_ERRORS, RowsInvalid, tooManyRows, type RowError } from './collector.js';
import { variableNameOf } from './columns.js';
import { readCsvRecords } from './csv.js';
import { leadListOf } from './json.js';
import { readPhoneNumber, type CountryCode } from './numbers.js';

/** The numbers a do-not-call file lists, once each, and the faults of its bad rows. */
export class NumberCollector {
  rows = 0;
  invalidRows = 0;
  readonly errors: RowError[] = [];
  readonly numbers = new Set<string>();

  constructor(
    private readonly defaultCountry: CountryCode,
    private readonly maxRows = MAX_IMPORT_ROWS,
  ) {}

  nextRow(): number {
    if (this.rows >= this.maxRows) throw tooManyRows(this.maxRows);
    this.rows += 1;
    return this.rows;
  }

  invalid(row: number, line: number | undefined, column: string, reason: string): void {
    this.invalidRows += 1;
    if (this.errors.length < MAX_LISTED_ERRORS) {
      this.errors.push({ row, ...(line !== undefined && { line }), column, reason });
    }
  }

  add(value: unknown, line: number | undefined): void {
    const row = this.nextRow();
    const text = typeof value === 'string' ? value.trim() : '';
    const read = text === '' ? undefined : readPhoneNumber(text, this.defaultCountry);
    if (read === undefined) {
      const reason =
        text === ''
          ? 'the phone number is missing'
          : `${text} is not a valid phone number (national numbers are read as ${this.defaultCountry})`;
      this.invalid(row, line, 'phone', reason);
    } else this.numbers.add(read.e164);
  }

  /** Any bad row refuses the file: nothing is added. */
  requireValid(): void {
    if (this.rows === 0) throw new CommandRejected(422, 'NO_ROWS', 'the file has no rows');
    if (this.invalidRows > 0) {
      throw new RowsInvalid(this.invalidRows, this.rows, this.errors, 'NUMBER_ROWS_INVALID');
    }
  }
}

const PHONE_HEADERS = new Set(['phone', 'phone_number', 'number']);

/**
 * A do-not-call CSV: one number per line, or a file with a header naming a `phone` (or `phone_number`,
 * `number`) column. A first line with such a name is that header; otherwise it is the first number.
 */
export const readCsvNumbers = async (
  source: Readable,
  options: { readonly defaultCountry: CountryCode; readonly maxRows?: number },
): Promise<NumberCollector> => {
  const collector = new NumberCollector(options.defaultCountry, options.maxRows);
  let column = 0;
  await readCsvRecords(
    source,
    (first) => {
      const index = first.findIndex((cell) => PHONE_HEADERS.has(variableNameOf(cell)));
      if (index >= 0) column = index;
      else if (first.length === 1) collector.add(first[0], 1);
      else {
        throw new CommandRejected(
          422,
          'CSV_HEADER_INVALID',
          'the file has no phone column (phone, phone_number or number)',
          'phone',
        );
      }
    },
    (record, line) => collector.add(record[column], line),
    (line, reason) => collector.invalid(collector.nextRow(), line, 'row', reason),
  );
  return collector;
};

/** `{ numbers: [...] }`: row n is the list's n-th entry. */
export const readJsonNumbers = (
  body: unknown,
  options: { readonly defaultCountry: CountryCode; readonly maxRows?: number },
): NumberCollector => {
  const maxRows = options.maxRows ?? MAX_IMPORT_ROWS;
  const list = leadListOf(body, 'numbers');
  if (list.length > maxRows) throw tooManyRows(maxRows);
  const collector = new NumberCollector(options.defaultCountry, maxRows);
  for (const entry of list) collector.add(entry, undefined);
  return collector;
};
