import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Parser, type CsvError, type Options } from 'csv-parse';
import { RowCollector, MAX_IMPORT_ROWS } from './collector.js';
import { columnsOf, type LeadColumns } from './columns.js';
import { buildLead, type FieldNames, type LeadInput } from './leads.js';
import type { CountryCode } from './numbers.js';

export interface CsvReadOptions {
  readonly defaultCountry: CountryCode;
  readonly maxRows?: number;
}

/** Lines a record spans beyond its first: the line breaks inside its quoted fields. */
const extraLines = (record: readonly string[]): number => {
  let count = 0;
  for (const field of record) {
    if (field.includes('\n')) count += field.split('\n').length - 1;
  }
  return count;
};

/**
 * csv-parse's stream parser handing each record to `onRecord`, with the line count at that moment, as the
 * parser pushes it (inside its parse of a chunk, in file order), instead of queueing it for a reader. Not its
 * `on_record` option: for each record that one is called with, csv-parse builds a context object out of two
 * object spreads, which cost about a sixth of a 100,000-row import; the parser's live `info` holds the same
 * line count at this point.
 */
class RecordParser extends Parser {
  /** A record refused by `onRecord` stops the read: the rest of the chunk being parsed is not handed on. */
  private failed = false;

  constructor(
    options: Options,
    private readonly onRecord: (record: string[], lines: number) => void,
  ) {
    super(options);
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) return super.push(null, encoding);
    if (this.failed) return false;
    try {
      this.onRecord(chunk as string[], this.info.lines);
    } catch (error) {
      this.failed = true;
      this.destroy(error instanceof Error ? error : new Error(String(error)));
    }
    return true;
  }
}

/**
 * Reads a CSV file record by record as it arrives and hands each row to `row` with its data-row number and
 * first line. Every record is handled inside the parser's own callbacks, in file order, and none is passed on:
 * neither the file nor its records are ever held. A ragged row or a broken quote is a fault of that row and
 * reading goes on; a header that cannot be used, or a row past `maxRows`, stops the read.
 */
export const readCsvRecords = async (
  source: Readable,
  onHeader: (header: readonly string[]) => void,
  onRow: (record: readonly string[], line: number) => void,
  onBadRow: (line: number, reason: string) => void,
): Promise<void> => {
  let header = false;
  const parser = new RecordParser(
    {
      bom: true,
      relax_column_count: false,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        if (error) {
          const line = typeof error.lines === 'number' ? error.lines : 0;
          onBadRow(line, error.message.replace(/ on line \d+$/, ''));
        }
      },
    },
    (record, lines) => {
      const line = lines - extraLines(record);
      if (!header) {
        header = true;
        onHeader(record);
      } else onRow(record, line);
    },
  );
  // Not pipeline(): on an early stop it would destroy the request, and with it the socket the refusal goes on.
  // pipe() does not pass a broken request on, though: without these the read would wait for ever.
  const broken = (error: Error) => parser.destroy(error);
  const closed = () => {
    if (!source.readableEnded) parser.destroy(new Error('the request ended before its body did'));
  };
  source.once('error', broken);
  source.once('close', closed);
  source.pipe(parser);
  parser.resume();
  try {
    await finished(parser);
  } finally {
    source.off('error', broken);
    source.off('close', closed);
    source.unpipe(parser);
  }
};

const namesOf = (columns: LeadColumns): FieldNames => {
  const header = (index: number | undefined, fallback: string): string =>
    index === undefined ? fallback : (columns.headers[index] ?? fallback);
  const byVariable = new Map(columns.variables.map((v) => [v.name, v.header]));
  return {
    phone: header(columns.phone, 'phone'),
    name: header(columns.name ?? columns.firstName, 'name'),
    timeZone: header(columns.timeZone, 'time_zone'),
    language: header(columns.language, 'language'),
    variable: (name) => byVariable.get(name) ?? name,
  };
};

const at = (record: readonly string[], index: number | undefined): string | undefined =>
  index === undefined ? undefined : record[index];

const inputOf = (record: readonly string[], columns: LeadColumns): LeadInput => {
  const variables: Record<string, string> = {};
  for (const { index, name } of columns.variables) {
    const value = record[index];
    if (value !== undefined && value !== '') variables[name] = value;
  }
  return {
    phone: record[columns.phone] ?? '',
    name: at(record, columns.name),
    firstName: at(record, columns.firstName),
    lastName: at(record, columns.lastName),
    timeZone: at(record, columns.timeZone),
    language: at(record, columns.language),
    variables,
  };
};

/** Reads a CSV lead file into valid leads (merged by number) and the faults of every bad row. */
export const readCsvLeads = async (source: Readable, options: CsvReadOptions): Promise<RowCollector> => {
  const collector = new RowCollector(options.maxRows ?? MAX_IMPORT_ROWS);
  let columns: LeadColumns | undefined;
  let names: FieldNames | undefined;
  await readCsvRecords(
    source,
    (header) => {
      columns = columnsOf(header);
      names = namesOf(columns);
    },
    (record, line) => {
      const row = collector.nextRow();
      if (columns === undefined || names === undefined) return;
      collector.add(row, line, buildLead(inputOf(record, columns), options.defaultCountry, names));
    },
    (line, reason) => {
      const row = collector.nextRow();
      collector.invalid(row, line, [{ column: 'row', reason }]);
    },
  );
  return collector;
};
