import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createMetricsRegistry, httpMetrics } from '@ccp/command-service';
import { migrate, openChdbReadStore } from '@ccp/projections';
import { createSignals } from './signals.js';

/*
 * The figures the evaluator reads, from the same sources the platform fills: a real HTTP server counted by the
 * platform's own request metrics (some of its requests really fail with a 500), the disk of a real directory,
 * the read store (chdb, migrated as the platform migrates it), and the processors' and providers' reports as
 * their modules give them.
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
beforeEach(() => {
  logged.length = 0;
});

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

it('counts SLA breaches of the last 15 minutes per tenant and for the platform, from the read store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccp-alert-signals-'));
  const store = await openChdbReadStore({ path: dir });
  try {
    await migrate(store);
    const now = new Date('2026-03-02T10:00:00.000Z');
    const at = (minutesAgo: number) =>
      new Date(now.getTime() - minutesAgo * 60_000).toISOString().replace('T', ' ').replace('Z', '');
    const call = (tenantId: string, callId: string, minutesAgo: number, breaches: string[]) => ({
      tenant_id: tenantId,
      call_id: callId,
      started_at: at(minutesAgo),
      target_answer_seconds: 20,
      target_queue_wait_seconds: 60,
      target_handle_seconds: 600,
      breaches,
      version: 1,
    });
    await store.insert('call_sla', [
      call('acme', 'c1', 1, ['handle_time']),
      call('acme', 'c2', 5, ['time_to_answer', 'handle_time']),
      call('acme', 'c3', 14, ['queue_wait']),
      call('acme', 'c4', 20, ['handle_time']),
      call('acme', 'c5', 2, []),
      call('globex', 'g1', 3, ['time_to_answer']),
    ]);
    const signals = createSignals({
      metrics: registry,
      dataDir: dir,
      now: () => now,
      readStore: () => store,
    });
    const read = await signals.read(new Set(['sla_breach_burst', 'usage_cap'] as const), log);
    expect(read('sla_breach_burst', 'acme')).toBe(3);
    expect(read('sla_breach_burst', 'globex')).toBe(1);
    expect(read('sla_breach_burst', 'initech')).toBe(0);
    expect(read('sla_breach_burst', 'platform')).toBe(4);
    // No plan recorded: no cap used (the query the super admin's usage page runs).
    expect(read('usage_cap', 'acme')).toBe(0);
    expect(read('usage_cap', 'platform')).toBe(0);
    expect(logged).toEqual([]);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
