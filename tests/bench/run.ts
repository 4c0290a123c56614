/**
 * Benchmarks of the event-sourced core, printed as figures and ratios (never asserted):
 *   - appends/s to the SQLite event store, one event per append and batched, durable (synchronous=full) and
 *     process-crash-safe (synchronous=normal);
 *   - p50/p99 latency of one command through the HTTP API, sequential and with concurrent clients.
 * Run with `npm run bench`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore } from '@ccp/command-service';
import { apiClient, login, startTestPlatform, SUPER_ADMIN } from '../support/platform.js';

const dir = mkdtempSync(join(tmpdir(), 'ccp-bench-'));
const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const ms = (n: number) => `${n.toFixed(2)} ms`;

const event = (n: number) => ({
  id: randomUUID(),
  type: 'UtteranceRecorded',
  data: {
    speaker: 'caller',
    text: `benchmark line ${n} with a few words of text`,
    confidence: 0.9,
    language: 'en',
  },
  metadata: {
    version: 2,
    tenantId: 'bench',
    occurredAt: new Date().toISOString(),
    causationId: null,
    correlationId: 'c',
    actor: { kind: 'system', id: 'bench' },
  },
});

const appendRate = async (synchronous: 'full' | 'normal', batch: number, total: number) => {
  const store = createSqliteEventStore({ path: join(dir, `append-${synchronous}-${batch}.db`), synchronous });
  const streams = 100;
  const revisions = new Array<number>(streams).fill(-1);
  const started = performance.now();
  for (let written = 0; written < total; written += batch) {
    const s = (written / batch) % streams;
    const events = Array.from({ length: batch }, (_, i) => event(written + i));
    const expected = revisions[s] === -1 ? 'no_stream' : (revisions[s] ?? 0);
    revisions[s] = (await store.append(`call-bench.s${s}`, events, expected)).nextRevision;
  }
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return total / seconds;
};

const commandLatency = async (requests: number, concurrency: number) => {
  // The benchmark is one client sending as fast as it can: rate limits would measure themselves.
  const t = await startTestPlatform(join(dir, `http-${concurrency}`), {
    env: { RATE_LIMIT_PER_KEY: '100000000', RATE_LIMIT_PER_IP: '100000000' },
  });
  const root = apiClient(t.url, await login(t.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  await root.command('CreateTenant', { tenantId: 'bench', name: 'Bench', planTier: 'enterprise' });
  const calls = Array.from({ length: concurrency }, (_, c) => `CA-bench-${c}`);
  for (const callId of calls) {
    await root.command('StartCall', {
      tenantId: 'bench',
      callId,
      direction: 'inbound',
      from: '+15550001111',
      to: '+15550002222',
      provider: 'simulator',
    });
  }
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    calls.map(async (callId) => {
      while (next < requests) {
        const n = next++;
        const t0 = performance.now();
        const response = await root.command('RecordUtterance', {
          tenantId: 'bench',
          callId,
          utteranceId: `u${n}`,
          speaker: 'caller',
          text: `benchmark line ${n}`,
          confidence: 0.9,
          language: 'en',
        });
        if (response.status !== 200) throw new Error(`command failed: ${JSON.stringify(response.body)}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await t.stop();
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), perSecond: requests / seconds };
};

try {
  console.log('SQLite event store appends (100 streams, ~200-byte events)');
  const rows: [string, number][] = [];
  for (const [sync, batch, total] of [
    ['full', 1, 3_000],
    ['normal', 1, 20_000],
    ['full', 100, 100_000],
    ['normal', 100, 200_000],
  ] as const) {
    const rate = await appendRate(sync, batch, total);
    rows.push([`${sync}/${batch}`, rate]);
    console.log(
      `  synchronous=${sync.padEnd(6)} ${String(batch).padStart(3)} event(s)/append: ${fmt(rate).padStart(9)} events/s`,
    );
  }
  const rate = (key: string) => rows.find(([k]) => k === key)?.[1] ?? NaN;
  console.log(
    `  batching x${(rate('full/100') / rate('full/1')).toFixed(1)} (full), x${(rate('normal/100') / rate('normal/1')).toFixed(1)} (normal); normal vs full, single: x${(rate('normal/1') / rate('full/1')).toFixed(1)}`,
  );

  console.log(
    '\nOne command through the HTTP API (RecordUtterance: auth, validate, load stream, decide, append)',
  );
  const sequential = await commandLatency(2_000, 1);
  console.log(
    `  1 client:   p50 ${ms(sequential.p50)}, p99 ${ms(sequential.p99)}, ${fmt(sequential.perSecond)} commands/s`,
  );
  const concurrent = await commandLatency(4_000, 16);
  console.log(
    `  16 clients: p50 ${ms(concurrent.p50)}, p99 ${ms(concurrent.p99)}, ${fmt(concurrent.perSecond)} commands/s`,
  );
  console.log(
    `  throughput x${(concurrent.perSecond / sequential.perSecond).toFixed(1)} with 16 clients; p99 x${(concurrent.p99 / sequential.p99).toFixed(1)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
