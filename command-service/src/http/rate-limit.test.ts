import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rateLimiter } from './rate-limit.js';

let close: (() => void) | undefined;
afterEach(() => close?.());

const serve = async (limits: Parameters<typeof rateLimiter>[0]) => {
  const app = new Koa();
  app.use(rateLimiter(limits));
  app.use((ctx) => {
    ctx.body = { ok: true };
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  close = () => server.close();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return (path = '/api/x', token?: string) =>
    fetch(url + path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
};

describe('rate limits per credential and per address', () => {
  it('refuses the request over a credential’s limit with 429 and Retry-After; other credentials go on', async () => {
    let t = 0;
    const get = await serve({ perCredential: 3, perAddress: 100, now: () => t });
    for (let i = 0; i < 3; i++) expect((await get('/api/x', 'key-a')).status).toBe(200);
    const refused = await get('/api/x', 'key-a');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('20');
    expect(await refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect((await get('/api/x', 'key-b')).status).toBe(200);
    // Tokens come back with time: a third of the minute gives one.
    t += 20_000;
    expect((await get('/api/x', 'key-a')).status).toBe(200);
    expect((await get('/api/x', 'key-a')).status).toBe(429);
  });

  it('limits an address whatever credentials it sends, and leaves exempt paths alone', async () => {
    const get = await serve({
      perCredential: 100,
      perAddress: 2,
      now: () => 0,
      exempt: (path) => path === '/health',
    });
    expect((await get('/api/x', 'a')).status).toBe(200);
    expect((await get('/api/x', 'b')).status).toBe(200);
    const refused = await get('/api/x', 'c');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/address/);
    expect((await get('/health')).status).toBe(200);
  });
});
