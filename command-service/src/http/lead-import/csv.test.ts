import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CommandRejected } from '../../application/errors.js';
import { RowsInvalid } from './collector.js';
import { readCsvLeads } from './csv.js';
import { leadIdOf } from './leads.js';

/** The file as a request would deliver it: in pieces, split at arbitrary bytes. */
const file = (text: string, pieceSize = 7): Readable => {
  const bytes = Buffer.from(text, 'utf8');
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += pieceSize) pieces.push(bytes.subarray(i, i + pieceSize));
  return Readable.from(pieces);
};

const read = (text: string, defaultCountry: 'US' | 'ES' = 'US', maxRows?: number) =>
  readCsvLeads(file(text), { defaultCountry, ...(maxRows !== undefined && { maxRows }) });

const refusal = async (run: () => Promise<unknown>): Promise<CommandRejected> => {
  try {
    await run();
  } catch (error) {
    if (error instanceof CommandRejected) return error;
    throw error;
  }
  throw new Error('not refused');
};

describe('reading a CSV lead file', () => {
  it('builds leads with E.164 numbers, countries, zones, names, languages and variables', async () => {
    const read1 = await read(
      [
        'Phone,First Name,Last Name,Language,Plan Tier,ID',
        '+1 212 555 0123,Ann,Lee,en,Gold,A-1',
        '+34 912 345 678,José,García,es,,A-2',
      ].join('\n'),
    );
    read1.requireValid();
    expect([...read1.leads.values()]).toEqual([
      {
        leadId: leadIdOf('+12125550123'),
        phone: '+12125550123',
        name: 'Ann Lee',
        language: 'en',
        country: 'US',
        timeZones: ['America/New_York'],
        variables: { first_name: 'Ann', last_name: 'Lee', plan_tier: 'Gold', external_id: 'A-1' },
      },
      {
        leadId: leadIdOf('+34912345678'),
        phone: '+34912345678',
        name: 'José García',
        language: 'es',
        country: 'ES',
        timeZones: ['Europe/Madrid'],
        variables: { first_name: 'José', last_name: 'García', external_id: 'A-2' },
      },
    ]);
    expect(leadIdOf('+12125550123')).toMatch(/^lead-[0-9a-f]{16}$/);
    // Stored ids never change: the first 16 hex digits of the number's SHA-256.
    expect(leadIdOf('+12125550123')).toBe(
      `lead-${createHash('sha256').update('+12125550123').digest('hex').slice(0, 16)}`,
    );
  });

  it('reads quoted fields with commas, quotes and line breaks, and strips a byte order mark', async () => {
    const leads = await read(
      '\uFEFFphone,name,notes\r\n"(310) 555-0100","Smith, Jo","said ""call after 5""\nthen hung up"\r\n',
    );
    leads.requireValid();
    expect([...leads.leads.values()]).toMatchObject([
      {
        phone: '+13105550100',
        name: 'Smith, Jo',
        timeZones: ['America/Los_Angeles'],
        variables: { notes: 'said "call after 5"\nthen hung up' },
      },
    ]);
  });

  it('reads national numbers as numbers of the default country', async () => {
    const spain = await read('number\n912 345 678\n', 'ES');
    spain.requireValid();
    expect([...spain.leads.keys()]).toEqual(['+34912345678']);
    const us = await read('phone_number\n912 345 678\n', 'US');
    expect(us.invalidRows).toBe(1);
  });

  it('keeps a row’s own zone over its number’s, and gives every zone of a number in several', async () => {
    const leads = await read('phone,time_zone\n+12125550123,America/Chicago\n+16055550123,\n');
    leads.requireValid();
    expect(leads.leads.get('+12125550123')?.timeZones).toEqual(['America/Chicago']);
    expect(leads.leads.get('+16055550123')?.timeZones.sort()).toEqual([
      'America/Denver',
      'America/North_Dakota/Center',
    ]);
  });

  it('reports every bad row with its line, row and column, and counts them all', async () => {
    const leads = await read(
      [
        'phone,timezone,name',
        '+12125550123,America/New_York,Ann',
        '12345,Mars/Olympus,Bob', // line 3: two faults
        '+12125550124,,"Multi',
        'line"',
        '+12125550125,UTC', // line 6: ragged
        '',
        '+12125550126,,' + 'x'.repeat(121), // line 8: name too long
      ].join('\n'),
    );
    expect(leads.rows).toBe(5);
    expect(leads.invalidRows).toBe(3);
    expect(leads.errors).toEqual([
      {
        row: 2,
        line: 3,
        column: 'phone',
        reason: '12345 is not a valid phone number (national numbers are read as US)',
      },
      { row: 2, line: 3, column: 'timezone', reason: 'Mars/Olympus is not an IANA time zone' },
      { row: 4, line: 6, column: 'row', reason: expect.stringContaining('Invalid Record Length') },
      { row: 5, line: 8, column: 'name', reason: expect.stringContaining('120') },
    ]);
    const refused = await refusal(async () => leads.requireValid());
    expect(refused).toBeInstanceOf(RowsInvalid);
    expect((refused as RowsInvalid).body()).toMatchObject({
      error: { code: 'LEAD_ROWS_INVALID', message: '3 of 5 rows are invalid; nothing was imported' },
      invalidRows: 3,
      totalRows: 5,
    });
  });

  it('lists the first 1,000 faults and counts the rest', async () => {
    const rows = Array.from({ length: 1500 }, () => 'nope').join('\n');
    const leads = await read(`phone\n${rows}\n`);
    expect(leads.invalidRows).toBe(1500);
    expect(leads.errors).toHaveLength(1000);
    expect(leads.errors[999]).toMatchObject({ row: 1000, line: 1001 });
  });

  it('merges rows of the same number: later filled-in fields win, variables merge', async () => {
    const leads = await read(
      [
        'phone,name,language,city,plan',
        '+12125550123,Ann,en,Boston,',
        '(212) 555-0123,,es,,Gold',
        '+13105550100,Cy,,,',
      ].join('\n'),
    );
    leads.requireValid();
    expect(leads.rows).toBe(3);
    expect(leads.duplicates).toBe(1);
    expect(leads.leads.size).toBe(2);
    expect(leads.leads.get('+12125550123')).toMatchObject({
      name: 'Ann',
      language: 'es',
      variables: { city: 'Boston', plan: 'Gold' },
    });
  });

  it('refuses a header without a phone column, a column twice, or a name that is no variable', async () => {
    expect(await refusal(() => read('name,city\nAnn,Boston\n'))).toMatchObject({
      status: 422,
      code: 'CSV_HEADER_INVALID',
      field: 'phone',
    });
    expect(await refusal(() => read('phone,Phone Number\n+12125550123,+12125550124\n'))).toMatchObject({
      code: 'CSV_HEADER_INVALID',
      field: 'Phone Number',
    });
    expect(await refusal(() => read('phone,2nd line\n+12125550123,x\n'))).toMatchObject({
      code: 'CSV_HEADER_INVALID',
      field: '2nd line',
    });
  });

  it('refuses an empty file and a file with a header only', async () => {
    expect((await refusal(async () => (await read('')).requireValid())).code).toBe('NO_ROWS');
    expect((await refusal(async () => (await read('phone\n')).requireValid())).code).toBe('NO_ROWS');
  });

  it('fails, rather than waits for ever, when the request breaks off', async () => {
    let sent = false;
    const broken = new Readable({
      read() {
        if (sent) this.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
        else this.push('phone\n+12125550123\n');
        sent = true;
      },
    });
    await expect(readCsvLeads(broken, { defaultCountry: 'US' })).rejects.toThrow('aborted');
    const closed = new Readable({ read() {} });
    closed.push('phone\n+12125550123\n');
    setTimeout(() => closed.destroy(), 10);
    await expect(readCsvLeads(closed, { defaultCountry: 'US' })).rejects.toThrow(/ended before/);
  });

  it('stops at the first row past the limit with a 413', async () => {
    const rows = Array.from({ length: 11 }, (_, i) => `+1212555${String(1000 + i)}`).join('\n');
    expect(await refusal(() => read(`phone\n${rows}\n`, 'US', 10))).toMatchObject({
      status: 413,
      code: 'TOO_MANY_ROWS',
    });
    expect((await read(`phone\n${rows}\n`, 'US', 11)).leads.size).toBe(11);
  });
});
