import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CommandRejected } from '../../application/errors.js';
import { RowsInvalid } from './collector.js';
import { readCsvNumbers, readJsonNumbers } from './do-not-call-rows.js';

const csv = (text: string) => readCsvNumbers(Readable.from([text]), { defaultCountry: 'US' });

describe('reading do-not-call numbers', () => {
  it('reads one number per line, the first line included, once each', async () => {
    const numbers = await csv('(212) 555-0123\n+1 212 555 0123\n+34 912 345 678\n');
    numbers.requireValid();
    expect(numbers.rows).toBe(3);
    expect([...numbers.numbers]).toEqual(['+12125550123', '+34912345678']);
  });

  it('reads the phone column of a file with a header', async () => {
    const numbers = await csv('Name,Phone Number\nAnn,212-555-0123\nBo,310 555 0100\n');
    numbers.requireValid();
    expect([...numbers.numbers]).toEqual(['+12125550123', '+13105550100']);
  });

  it('reports bad rows with line and row, and refuses the file', async () => {
    const numbers = await csv('phone\n+12125550123\nnope\n\n555\n');
    expect(numbers.errors).toEqual([
      {
        row: 2,
        line: 3,
        column: 'phone',
        reason: 'nope is not a valid phone number (national numbers are read as US)',
      },
      {
        row: 3,
        line: 5,
        column: 'phone',
        reason: '555 is not a valid phone number (national numbers are read as US)',
      },
    ]);
    expect(() => numbers.requireValid()).toThrow(RowsInvalid);
    try {
      numbers.requireValid();
    } catch (error) {
      expect((error as RowsInvalid).body()).toMatchObject({
        error: { code: 'NUMBER_ROWS_INVALID' },
        invalidRows: 2,
        totalRows: 3,
      });
    }
  });

  it('refuses a file of several columns none of which is a phone', async () => {
    await expect(csv('name,city\nAnn,Boston\n')).rejects.toMatchObject({ code: 'CSV_HEADER_INVALID' });
  });

  it('reads JSON numbers and refuses other shapes', () => {
    const numbers = readJsonNumbers({ numbers: ['+12125550123', 42] }, { defaultCountry: 'US' });
    expect(numbers.numbers.size).toBe(1);
    expect(numbers.errors).toEqual([{ row: 2, column: 'phone', reason: 'the phone number is missing' }]);
    expect(() => readJsonNumbers({ leads: [] }, { defaultCountry: 'US' })).toThrow(CommandRejected);
  });
});
