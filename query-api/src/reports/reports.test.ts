import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateSync } from 'node:zlib';
import { simpleParser, type ParsedMail } from 'mailparser';
import { PDFParse } from 'pdf-parse';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deliverByEmail,
  deliverByWebhook,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from './deliver.js';
import { chartSvg, renderReport, type ReportDocument } from './render.js';
import { tableOf } from './tables.js';

const volume = {
  interval: 'day',
  timeZone: 'America/New_York',
  buckets: [
    { bucket: '2026-11-22 00:00:00', calls: 12, answered: 12, escalated: 2, resolved: 9, abandoned: 1 },
    { bucket: '2026-11-23 00:00:00', calls: 30, answered: 29, escalated: 4, resolved: 24, abandoned: 2 },
  ],
};
const doc = (rows = volume): ReportDocument => ({
  tenantName: 'Bright Smile Dental',
  reportName: 'Daily volume',
  range: { from: new Date('2026-11-22T05:00:00Z'), to: new Date('2026-11-24T05:00:00Z') },
  timeZone: 'America/New_York',
  generatedAt: new Date('2026-11-24T13:00:00Z'),
  table: tableOf('volume', rows),
});

/** Path operators (line to, curve to, rectangle) in a PDF's compressed content streams. */
const drawingOperators = (pdf: Buffer): number => {
  const text = pdf.toString('latin1');
  let count = 0;
  for (let at = text.indexOf('stream\n'); at >= 0; at = text.indexOf('stream\n', at + 1)) {
    const end = text.indexOf('endstream', at);
    if (end < 0) break;
    try {
      count += (
        inflateSync(pdf.subarray(at + 7, end))
          .toString('latin1')
          .match(/ (l|c|re)\n/g) ?? []
      ).length;
    } catch {
      // Not a deflated stream (fonts, images): not page content.
    }
    at = end;
  }
  return count;
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('report tables', () => {
  it('turns every kind of report into rows, refusing a result of another shape', () => {
    expect(tableOf('volume', volume).rows[1]).toEqual(['2026-11-23 00:00:00', 30, 29, 4, 24, 2]);
    const outcomes = tableOf('outcomes', {
      calls: 10,
      ended: 9,
      resolved: 6,
      escalated: 2,
      abandoned: 1,
      outcomes: [{ outcome: 'resolved', calls: 6 }],
      successRate: 0.666,
      resolutionByAiRate: 0.5,
      escalationRate: 0.2,
      averageHandleSeconds: 95.5,
      averageSatisfaction: 4.5,
      feedbackCount: 4,
    });
    expect(outcomes.rows).toContainEqual(['success rate', 0.666]);
    expect(outcomes.chart?.rows).toEqual([['resolved', 6]]);
    expect(() => tableOf('agents', volume)).toThrow();
  });
});

describe('report rendering', () => {
  it('writes CSV and JSON', async () => {
    const csv = await renderReport(doc(), 'csv');
    expect(csv.filename).toBe('daily-volume-2026-11-24.csv');
    expect(csv.body.toString()).toBe(
      'bucket,calls,answered,escalated,resolved,abandoned\n' +
        '2026-11-22 00:00:00,12,12,2,9,1\n' +
        '2026-11-23 00:00:00,30,29,4,24,2\n',
    );
    const json = JSON.parse((await renderReport(doc(), 'json')).body.toString()) as Record<string, unknown>;
    expect(json).toMatchObject({
      report: 'Daily volume',
      tenant: 'Bright Smile Dental',
      columns: expect.any(Array),
    });
  });

  it('draws the chart as SVG and writes a PDF with it and the table', { timeout: 30_000 }, async () => {
    const svg = await chartSvg(doc().table);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('2026-11-23');
    const file = await renderReport(doc(), 'pdf');
    expect(file.contentType).toBe('application/pdf');
    expect(file.body.subarray(0, 5).toString()).toBe('%PDF-');
    const text = (await new PDFParse({ data: new Uint8Array(file.body) }).getText()).text;
    expect(text).toContain('Daily volume');
    expect(text).toContain('Bright Smile Dental');
    expect(text).toContain('2026-11-23 00:00:00');
    expect(text).toContain('Page 1 of 1');
    // The chart is vector drawing: its lines and curves are in the page's content, absent without a chart.
    const withoutChart = await renderReport({ ...doc(), table: { ...doc().table, chart: undefined } }, 'pdf');
    expect(drawingOperators(file.body)).toBeGreaterThan(drawingOperators(withoutChart.body) + 10);
  });

  it('pages a long table, with the header on every page', { timeout: 30_000 }, async () => {
    const long = {
      ...volume,
      buckets: Array.from({ length: 120 }, (_, n) => ({
        bucket: `2026-11-01 ${String(n % 24).padStart(2, '0')}:00:00 #${n}`,
        calls: n,
        answered: n,
        escalated: 0,
        resolved: n,
        abandoned: 0,
      })),
    };
    const file = await renderReport(doc(long), 'pdf');
    const parsed = await new PDFParse({ data: new Uint8Array(file.body) }).getText();
    expect(parsed.pages.length).toBeGreaterThan(2);
    for (const page of parsed.pages) expect(page.text).toContain('bucket');
  });
});

describe('report delivery', () => {
  it('mails the report through an SMTP server (a local one, really spoken to)', async () => {
    const received: ParsedMail[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData: (stream, _session, callback) => {
        void simpleParser(stream).then((mail) => {
          received.push(mail);
          callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.server.address() as AddressInfo;
    const file = await renderReport(doc(), 'csv');
    const sent = await deliverByEmail(
      { url: `smtp://127.0.0.1:${port}`, from: 'reports@customercare.local' },
      {
        to: ['ops@bright.example', 'cfo@bright.example'],
        subject: 'Daily volume',
        text: 'Attached.',
        attachment: file,
      },
    );
    expect(sent.messageId).toMatch(/@/);
    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(mail?.subject).toBe('Daily volume');
    expect(JSON.stringify(mail?.to)).toContain('cfo@bright.example');
    expect(mail?.attachments[0]?.filename).toBe(file.filename);
    expect(mail?.attachments[0]?.content.toString()).toBe(file.body.toString());
  });

  it('posts the report to a webhook, signed; a forged signature does not verify; a 500 is an error', async () => {
    const requests: { headers: IncomingMessage['headers']; body: string }[] = [];
    let answer = 204;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        requests.push({ headers: request.headers, body });
        response.statusCode = answer;
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const file = await renderReport(doc(), 'json');
    const message = {
      reportId: 'daily',
      reportName: 'Daily volume',
      slot: '2026-11-24T08:00',
      attachment: file,
    };
    expect(await deliverByWebhook({ url, secret: 'shh' }, message, { fetch })).toEqual({ status: 204 });
    const [request] = requests;
    const signature = String(request?.headers[SIGNATURE_HEADER]);
    const timestamp = String(request?.headers[TIMESTAMP_HEADER]);
    expect(verifyWebhookSignature('shh', request?.body ?? '', signature, timestamp)).toBe(true);
    expect(verifyWebhookSignature('other', request?.body ?? '', signature, timestamp)).toBe(false);
    expect(verifyWebhookSignature('shh', `${request?.body ?? ''} `, signature, timestamp)).toBe(false);
    expect(
      verifyWebhookSignature(
        'shh',
        request?.body ?? '',
        signature,
        timestamp,
        new Date(Date.now() + 3_600_000),
      ),
    ).toBe(false);
    const payload = JSON.parse(request?.body ?? '{}') as { content: string; slot: string };
    expect(payload.slot).toBe('2026-11-24T08:00');
    expect(Buffer.from(payload.content, 'base64').toString()).toBe(file.body.toString());
    answer = 500;
    await expect(deliverByWebhook({ url, secret: 'shh' }, message, { fetch })).rejects.toThrow(/500/);
  });

  /**
   * A test vector made outside this code, once, with OpenSSL 3 (the README's scheme: X-CCP-Signature is
   * sha256=HMAC-SHA256(secret, "<X-CCP-Timestamp>.<body>"), hex):
   *   printf '%s' "1764835200.$BODY" | openssl dgst -sha256 -hmac 'whsec-vector-7f3a'
   * with BODY the JSON below (its content is base64 of "bucket,calls\n2025-12-04,42\n"), 1764835200 being
   * 2025-12-04T08:00:00Z. Both the sender and the receiver's check must agree with it, not only with each other.
   */
  const VECTOR = {
    secret: 'whsec-vector-7f3a',
    timestamp: '1764835200',
    body: '{"reportId":"daily","reportName":"Daily volume","slot":"2025-12-04T08:00","filename":"daily.csv","contentType":"text/csv","content":"YnVja2V0LGNhbGxzCjIwMjUtMTItMDQsNDIK"}',
    signature: 'sha256=b07e6c78cb7e5bd1f217c0a1e5454844ff439297969d9dfdc5e4296ac5bfd5b2',
  };

  it('signs and verifies webhooks as an independently computed HMAC-SHA256 test vector says', async () => {
    const at = new Date(Number(VECTOR.timestamp) * 1000);
    expect(verifyWebhookSignature(VECTOR.secret, VECTOR.body, VECTOR.signature, VECTOR.timestamp, at)).toBe(
      true,
    );
    const oneDigitOff = VECTOR.signature.replace(/.$/, (d) => (d === '0' ? '1' : '0'));
    expect(verifyWebhookSignature(VECTOR.secret, VECTOR.body, oneDigitOff, VECTOR.timestamp, at)).toBe(false);

    const requests: { headers: IncomingMessage['headers']; body: string }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        requests.push({ headers: request.headers, body });
        response.statusCode = 204;
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    await deliverByWebhook(
      { url, secret: VECTOR.secret },
      {
        reportId: 'daily',
        reportName: 'Daily volume',
        slot: '2025-12-04T08:00',
        attachment: {
          filename: 'daily.csv',
          contentType: 'text/csv',
          body: Buffer.from('bucket,calls\n2025-12-04,42\n'),
        },
      },
      { fetch, now: () => at },
    );
    expect(requests[0]?.body).toBe(VECTOR.body);
    expect(requests[0]?.headers[TIMESTAMP_HEADER]).toBe(VECTOR.timestamp);
    expect(requests[0]?.headers[SIGNATURE_HEADER]).toBe(VECTOR.signature);
  });
});
