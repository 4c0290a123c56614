/**
 * Read-side benchmark: 1 million calls and 10 million utterances (default; `npx tsx tests/bench/query-api.ts
 * <calls>` for another size) loaded into the embedded ClickHouse (chdb), then every dashboard query of the query
 * API timed for the biggest tenant (60 % of the calls): p50/p95 over warm runs, and the ratio to the 150 ms goal.
 * Figures are printed, never asserted.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openReadStore } from '@ccp/projections';
import {
  agentComparison,
  callVolume,
  departmentStats,
  outcomes,
  sentimentOverTime,
  slaCompliance,
  topIntents,
  usage,
  type ReportContext,
  callDetail,
  listCalls,
  liveMetrics,
} from '@ccp/query-api';
import { loadSyntheticCalls } from '../support/synthetic-calls.js';

const calls = Number(process.argv[2] ?? 1_000_000);
const RUNS = 20;
const GOAL_MS = 150;
const dir = mkdtempSync(join(tmpdir(), 'ccp-bench-query-'));
const store = await openReadStore({ kind: 'chdb', dataDir: dir });
await migrate(store);
const now = new Date();

console.log(`\nQuery API read side (chdb, embedded ClickHouse; ${calls.toLocaleString('en-US')} calls)`);
const load = await loadSyntheticCalls(store, { calls, utterancesPerCall: 10, now });
console.log(
  `  loaded ${load.calls.toLocaleString('en-US')} calls and ${load.utterances.toLocaleString('en-US')} utterances ` +
    `(+ sentiment, intents, SLA, usage rows) in ${load.seconds.toFixed(1)} s ` +
    `(${Math.round((load.calls + load.utterances) / load.seconds).toLocaleString('en-US')} rows/s)`,
);
await store.command('OPTIMIZE TABLE calls FINAL');
const [big] = await store.query<{ n: string }>(
  'SELECT count() AS n FROM calls WHERE tenant_id = {t:String}',
  {
    t: load.bigTenant,
  },
);
console.log(`  biggest tenant ${load.bigTenant}: ${Number(big?.n).toLocaleString('en-US')} calls`);

const ctx: ReportContext = {
  store,
  tenantId: load.bigTenant,
  timeZone: 'America/New_York',
  planTier: 'professional',
  now,
};
const days = (n: number) => new Date(now.getTime() - n * 86_400_000).toISOString();
const last30 = { from: days(30), to: now.toISOString() };
const last90 = { from: days(90), to: now.toISOString() };
const [sample] = await store.query<{ call_id: string }>(
  'SELECT call_id FROM calls WHERE tenant_id = {t:String} LIMIT 1',
  { t: load.bigTenant },
);
const base = { status: undefined, escalated: undefined, sort: 'started_at' as const, order: 'desc' as const };

const queries: [string, () => Promise<unknown>][] = [
  ['live metrics', () => liveMetrics(store, load.bigTenant, ctx.timeZone, now)],
  ['volume by day, 30 d', () => callVolume(ctx, last30, 'day')],
  ['volume by hour, 30 d', () => callVolume(ctx, last30, 'hour')],
  ['volume by week, 90 d', () => callVolume(ctx, last90, 'week')],
  ['outcomes, 30 d', () => outcomes(ctx, last30)],
  ['outcomes, 90 d', () => outcomes(ctx, last90)],
  ['sentiment by day, 30 d', () => sentimentOverTime(ctx, last30, 'day')],
  ['sentiment by day, 90 d', () => sentimentOverTime(ctx, last90, 'day')],
  ['top intents, 30 d', () => topIntents(ctx, last30, 10)],
  ['top intents, 90 d', () => topIntents(ctx, last90, 10)],
  ['agents compared, 30 d', () => agentComparison(ctx, last30)],
  ['departments, 30 d', () => departmentStats(ctx, last30)],
  ['SLA, 30 d', () => slaCompliance(ctx, last30)],
  ['usage, 90 d', () => usage(ctx, last90)],
  [
    'calls, first page',
    () => listCalls(store, load.bigTenant, { ...last30, ...base }, { offset: 0, limit: 50 }, now),
  ],
  [
    'calls, page 200',
    () => listCalls(store, load.bigTenant, { ...last30, ...base }, { offset: 10_000, limit: 50 }, now),
  ],
  ['call with transcript', () => callDetail(store, load.bigTenant, sample?.call_id ?? '')],
];

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const rows: { name: string; p50: number; p95: number }[] = [];
for (const [name, run] of queries) {
  await run(); // warm: first-touch of the parts and marks
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  rows.push({ name, p50: percentile(times, 50), p95: percentile(times, 95) });
}

const width = Math.max(...rows.map((r) => r.name.length));
console.log(`\n  ${'query'.padEnd(width)}    p50 ms    p95 ms   p95 / ${GOAL_MS} ms goal`);
for (const r of rows) {
  console.log(
    `  ${r.name.padEnd(width)}  ${r.p50.toFixed(1).padStart(8)}  ${r.p95.toFixed(1).padStart(8)}   ${(r.p95 / GOAL_MS).toFixed(2)}`,
  );
}
const all = rows.map((r) => r.p95).sort((a, b) => a - b);
console.log(
  `\n  worst p95 ${all.at(-1)?.toFixed(1)} ms; ${rows.filter((r) => r.p95 <= GOAL_MS).length} of ${rows.length} ` +
    `queries within the ${GOAL_MS} ms goal; data on disk ${execSync(`du -sh ${dir}`).toString().split('\t')[0]}`,
);
await store.close();
rmSync(dir, { recursive: true, force: true });
