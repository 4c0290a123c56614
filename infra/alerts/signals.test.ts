import { statfsSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import Koa from 'koa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMetricsRegistry, httpMetrics } from '@ccp/command-service';
import { createSignals } from './signals.js';

/*
 * The figures the evaluator reads, from the same sources the platform fills: a real HTTP server counted by the
 * platform's own request metrics (some of its requests really fail with a 500), the disk of a real directory,
 * and the processors' and providers' reports as their modules give them.
 */

const registry = createMetricsRegistry();
let server: Server;
let base: string;

beforeAll(async () => {
  const app = new Koa();
  app.silent = true;
  app.use(httpMetrics(registry));
  app.use((ctx) => {
    if (ctx.path === '/fail') throw new Error('broken on purpose');
    ctx.body = 'ok';
  });
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  registry.clear();
});

const requests = async (paths: readonly string[]) => {
  for (const path of paths) await (await fetch(base + path)).text();
};
const logged: string[] = [];
const log = (line: string) => logged.push(line);

it('reads the server error rate since the last evaluation from the request counters', async () => {
  const signals = createSignals({ metrics: registry, dataDir: tmpdir(), now: () => new Date() });
  const kinds = new Set(['error_rate'] as const);
  expect((await signals.read(kinds, log))('error_rate', 'platform')).toBe(0);
  await requests(['/ok', '/ok', '/ok', '/fail']);
  expect((await signals.read(kinds, log))('error_rate', 'platform')).toBe(25);
  // The failure is behind: only what came since counts.
  await requests(['/ok', '/ok']);
  expect((await signals.read(kinds, log))('error_rate', 'platform')).toBe(0);
  await requests(['/fail']);
  expect((await signals.read(kinds, log))('error_rate', 'platform')).toBe(100);
  expect(logged).toEqual([]);
});

it('reads free disk, processor lag and failing providers; what has no source stays unknown', async () => {
  const signals = createSignals({
    metrics: registry,
    dataDir: tmpdir(),
    now: () => new Date(),
    processors: () => ({ sentiment: { p99Ms: 1500 }, sla: { p99Ms: 200 } }),
    providerFailures: () => [{ recovered: false }, { recovered: true }, { recovered: false }],
  });
  const read = await signals.read(
    new Set(['disk_space', 'processor_lag', 'provider_failures', 'sla_breach_burst'] as const),
    log,
  );
  const disk = statfsSync(tmpdir());
  expect(read('disk_space', 'platform')).toBeCloseTo((disk.bavail * disk.bsize) / 1024 / 1024, -2);
  expect(read('processor_lag', 'platform')).toBe(1.5);
  expect(read('provider_failures', 'platform')).toBe(2);
  // No read store: SLA breaches cannot be counted, and are not taken for zero.
  expect(read('sla_breach_burst', 'acme')).toBeUndefined();
  // Not asked for: not read.
  expect(read('usage_cap', 'acme')).toBeUndefined();
});

it('a source that fails leaves its figure unknown and says why', async () => {
  const signals = createSignals({ metrics: registry, dataDir: '/no/such/directory', now: () => new Date() });
  const read = await signals.read(new Set(['disk_space'] as const), log);
  expect(read('disk_space', 'platform')).toBeUndefined();
  expect(logged).toEqual([expect.stringMatching(/^alerts: cannot read disk_space: ENOENT/)]);
});
