import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyTooLarge, readRawBody } from './raw-body.js';

// A real HTTP server on loopback that answers what readRawBody made of the request.
let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    readRawBody(req, 10).then(
      (raw) => res.end(`ok ${raw.toString('hex')}`),
      (error: unknown) => {
        res.setHeader('connection', 'close');
        res.end(error instanceof BodyTooLarge ? `413 ${error.message}` : `error ${String(error)}`);
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends the chunks, chunked (no content-length) unless `length` is given. */
const post = (chunks: Buffer[], length?: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        headers: length !== undefined ? { 'content-length': String(length) } : {},
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });

describe('readRawBody', () => {
  it('gives the bytes exactly as sent, up to the limit', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0x7b, 0x22]);
    expect(await post([bytes, bytes], 8)).toBe(`ok ${Buffer.concat([bytes, bytes]).toString('hex')}`);
    expect(await post([Buffer.alloc(10, 1)])).toBe(`ok ${'01'.repeat(10)}`);
  });

  it('refuses a declared length over the limit, and a chunked body once it passes the limit', async () => {
    expect(await post([Buffer.alloc(11)], 11)).toBe('413 the body is larger than 10 bytes');
    expect(await post([Buffer.alloc(6), Buffer.alloc(6)])).toBe('413 the body is larger than 10 bytes');
  });
});
