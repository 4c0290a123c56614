import type { Lead } from '@ccp/schemas';
import { CommandRejected } from '../../application/errors.js';
import { mergeLead, type BuiltLead, type FieldError } from './leads.js';

/** A fault of one row: `row` counts data rows from 1, `line` is the file's line (the header is line 1). */
export interface RowError {
  readonly row: number;
  readonly line?: number;
  readonly column: string;
  readonly reason: string;
}

/** The most rows one import may have; a larger file is refused (413) without being read further. */
export const MAX_IMPORT_ROWS = 200_000;
/** A lead's variables at most (schemas Lead.variables). */
const MAX_VARIABLES = 50;
/** Errors listed in a refusal; all are counted. */
export const MAX_LISTED_ERRORS = 1000;

export const tooManyRows = (max: number): CommandRejected =>
  new CommandRejected(413, 'TOO_MANY_ROWS', `an import has at most ${max} rows; split the file`);

/**
 * What an import read: only the valid leads (compact, merged by number) and the faults, never the file itself,
 * so that a large file costs memory in proportion to its leads.
 */
export class RowCollector {
  rows = 0;
  invalidRows = 0;
  /** Rows whose number an earlier row of the file already had. */
  duplicates = 0;
  readonly errors: RowError[] = [];
  readonly leads = new Map<string, Lead>();

  constructor(private readonly maxRows = MAX_IMPORT_ROWS) {}

  /** Counts a row before it is read, so that a file over the limit stops at its first extra row. */
  nextRow(): number {
    if (this.rows >= this.maxRows) throw tooManyRows(this.maxRows);
    this.rows += 1;
    return this.rows;
  }

  invalid(row: number, line: number | undefined, errors: readonly FieldError[]): void {
    this.invalidRows += 1;
    for (const error of errors) {
      if (this.errors.length >= MAX_LISTED_ERRORS) break;
      this.errors.push({ row, ...(line !== undefined && { line }), ...error });
    }
  }

  add(row: number, line: number | undefined, built: BuiltLead): void {
    if (!built.ok) {
      this.invalid(row, line, built.errors);
      return;
    }
    const { lead } = built;
    const earlier = this.leads.get(lead.phone);
    if (earlier === undefined) this.leads.set(lead.phone, lead);
    else {
      const merged = mergeLead(earlier, lead, built.ownZone);
      if (Object.keys(merged.variables).length > MAX_VARIABLES) {
        this.invalid(row, line, [
          {
            column: 'variables',
            reason: `with the earlier rows of ${lead.phone}, more than ${MAX_VARIABLES} variables`,
          },
        ]);
        return;
      }
      this.duplicates += 1;
      this.leads.set(lead.phone, merged);
    }
  }

  /** Any bad row refuses the whole import: a half-imported file is harder to fix than a refused one. */
  requireValid(): void {
    if (this.rows === 0) throw new CommandRejected(422, 'NO_ROWS', 'the file has no rows');
    if (this.invalidRows > 0) throw new RowsInvalid(this.invalidRows, this.rows, this.errors);
  }
}

/** The 422 of an import with bad rows: the usual error body plus the rows at fault. */
export class RowsInvalid extends CommandRejected {
  constructor(
    readonly invalidRows: number,
    readonly totalRows: number,
    readonly rowErrors: readonly RowError[],
    code = 'LEAD_ROWS_INVALID',
  ) {
    super(422, code, `${invalidRows} of ${totalRows} rows are invalid; nothing was imported`);
  }

  body(): Record<string, unknown> {
    return {
      error: { code: this.code, message: this.message },
      invalidRows: this.invalidRows,
      totalRows: this.totalRows,
      rows: this.rowErrors,
    };
  }
}
