import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundRefused, outboundAllowFromEnv, outboundGuard, type Resolve } from './outbound-guard.js';

// Real servers on loopback: one the operator allowed (127.0.0.1), one that stands for an internal service
// (127.0.0.2, loopback too, never allowed) and counts every request that reaches it.
let allowedServer: Server;
let internalServer: Server;
let internalHits = 0;
let allowedPort = 0;
let internalPort = 0;

const listen = async (server: Server, host: string): Promise<number> => {
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
};

beforeAll(async () => {
  internalServer = createServer((_req, res) => {
    internalHits += 1;
    res.end('secret');
  });
  internalPort = await listen(internalServer, '127.0.0.2');
  allowedServer = createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://x').searchParams.get('to');
    if (target !== null) {
      res.writeHead(302, { location: target });
      res.end();
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () =>
      res.end(
        req.url?.startsWith('/headers')
          ? `${req.method} auth=${req.headers.authorization ?? '-'} cookie=${req.headers.cookie ?? '-'} proxy=${req.headers['proxy-authorization'] ?? '-'} key=${req.headers['x-api-key'] ?? '-'} x=${req.headers['x-kept'] ?? '-'}`
          : `${req.method} ${body}`,
      ),
    );
  });
  allowedPort = await listen(allowedServer, '127.0.0.1');
});
afterAll(() => {
  allowedServer?.close();
  internalServer?.close();
});

// Names as a public DNS server could answer them (an attacker controls their own domain's records).
const resolve: Resolve = async (hostname) => {
  const records: Record<string, string> = {
    'receiver.example': '127.0.0.1',
    'rebind.example': '127.0.0.2',
    'metadata.example': '169.254.169.254',
    'public.example': '93.184.215.14',
  };
  const address = records[hostname];
  if (address === undefined) throw new Error(`ENOTFOUND ${hostname}`);
  return [{ address, family: 4 }];
};

const guard = outboundGuard({ allow: ['127.0.0.1/32'], resolve });
const strict = outboundGuard({ resolve });

describe('the outbound-request guard', () => {
  it.each([
    'http://127.0.0.2/',
    'http://[::1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://[::]/',
    'http://[::ffff:127.0.0.2]/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://2130706434/',
    'http://0x7f.0.0.2/',
    'http://rebind.example/',
    'http://metadata.example/',
    'ftp://public.example/',
    'file:///etc/passwd',
    'not a url',
  ])('refuses %s, before any connection', async (url) => {
    await expect(guard.check(url)).rejects.toBeInstanceOf(OutboundRefused);
    await expect(guard.fetch(url)).rejects.toBeInstanceOf(OutboundRefused);
  });

  it('lets a public address through the check', async () => {
    expect((await strict.check('https://public.example/hook')).hostname).toBe('public.example');
  });

  it('takes a name that does not resolve yet when set, and refuses it when called', async () => {
    expect((await strict.check('https://not-yet.example/hook')).hostname).toBe('not-yet.example');
    const failed = await strict.fetch('https://not-yet.example/hook').catch((e: unknown) => e);
    expect(String((failed as { cause?: unknown }).cause)).toMatch(/ENOTFOUND not-yet.example/);
  });

  it('reaches a range the operator allowed, by address and by name, with the body', async () => {
    const direct = await guard.fetch(`http://127.0.0.1:${allowedPort}/`, { method: 'POST', body: 'hello' });
    expect(await direct.text()).toBe('POST hello');
    const named = await guard.fetch(`http://receiver.example:${allowedPort}/`);
    expect(await named.text()).toBe('GET ');
  });

  it('refuses loopback when the operator allowed nothing', async () => {
    await expect(strict.fetch(`http://127.0.0.1:${allowedPort}/`)).rejects.toBeInstanceOf(OutboundRefused);
    await expect(strict.fetch(`http://receiver.example:${allowedPort}/`)).rejects.toBeInstanceOf(
      OutboundRefused,
    );
  });

  it('follows a redirect to an allowed address, and refuses one to an internal address or name', async () => {
    const hop = `http://127.0.0.1:${allowedPort}/`;
    const followed = await guard.fetch(`${hop}?to=${encodeURIComponent(hop)}`, { method: 'POST', body: 'x' });
    // A 302 after a POST continues as a GET, as browsers do.
    expect(await followed.text()).toBe('GET ');
    for (const internal of [
      `http://127.0.0.2:${internalPort}/`,
      `http://rebind.example:${internalPort}/`,
      `http://[::ffff:127.0.0.2]:${internalPort}/`,
    ]) {
      await expect(guard.fetch(`${hop}?to=${encodeURIComponent(internal)}`)).rejects.toBeInstanceOf(
        OutboundRefused,
      );
    }
    expect(internalHits).toBe(0);
  });

  it("returns a redirect as is when the caller asked for redirect: 'manual', and follows nothing", async () => {
    const hop = `http://127.0.0.1:${allowedPort}/`;
    let hits = 0;
    const counting = createServer((_req, res) => {
      hits += 1;
      res.end('reached');
    });
    const countingPort = await listen(counting, '127.0.0.1');
    try {
      const target = `http://127.0.0.1:${countingPort}/`;
      const manual = await guard.fetch(`${hop}?to=${encodeURIComponent(target)}`, {
        method: 'POST',
        body: 'payload',
        redirect: 'manual',
      });
      expect(manual.status).toBe(302);
      expect(manual.headers.get('location')).toBe(target);
      expect(hits).toBe(0);
    } finally {
      counting.close();
    }
  });

  it('keeps credentials on a same-origin redirect and drops them when the redirect changes origin', async () => {
    const headers = {
      authorization: 'Bearer tenant-token',
      cookie: 'sid=1',
      'proxy-authorization': 'Basic cHJveHk=',
      'x-api-key': 'sk-ant-tenant',
      'x-kept': 'yes',
    };
    const same = `http://127.0.0.1:${allowedPort}/headers`;
    const sameHop = await guard.fetch(`http://127.0.0.1:${allowedPort}/?to=${encodeURIComponent(same)}`, {
      headers,
    });
    expect(await sameHop.text()).toBe(
      'GET auth=Bearer tenant-token cookie=sid=1 proxy=Basic cHJveHk= key=sk-ant-tenant x=yes',
    );
    // Same server, another name: another origin, as a redirect to someone else's host would be.
    const other = `http://receiver.example:${allowedPort}/headers`;
    const otherHop = await guard.fetch(`http://127.0.0.1:${allowedPort}/?to=${encodeURIComponent(other)}`, {
      headers: new Headers(headers),
    });
    expect(await otherHop.text()).toBe('GET auth=- cookie=- proxy=- key=- x=yes');
  });

  it('stops after three redirects', async () => {
    let url = `http://127.0.0.1:${allowedPort}/`;
    for (let i = 0; i < 4; i += 1) url = `http://127.0.0.1:${allowedPort}/?to=${encodeURIComponent(url)}`;
    await expect(guard.fetch(url)).rejects.toThrow(/more than 3 redirects/);
  });

  it('says which rule refused, not what answered there', async () => {
    const refusal = await guard.fetch(`http://127.0.0.2:${internalPort}/`).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(OutboundRefused);
    expect((refusal as Error).message).not.toMatch(/ECONNREFUSED|secret/);
  });

  it('reads the operator allowance from the environment and refuses a malformed one', () => {
    expect(outboundAllowFromEnv(' 10.1.0.0/16, ::1 ,')).toEqual(['10.1.0.0/16', '::1']);
    expect(outboundAllowFromEnv(undefined)).toEqual([]);
    expect(() => outboundAllowFromEnv('10.1.0.0/99')).toThrow(/OUTBOUND_ALLOW/);
  });
});
