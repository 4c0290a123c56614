/**
 * The platform benchmark (issue 19, item 6): the platform as its own process, this process as the load generator
 * reaching it over HTTP, and in the same run the raw ceilings of the engines under it, so each figure is read
 * beside what the machine can do. Figures and ratios are printed, never asserted.
 *   1. ceilings: chdb batched inserts (1,000 and 10,000 rows), the SQLite event store (one event and 100 per
 *      append), and with --kafka kafkajs produce and consume against the project's local broker;
 *   2. commands/s and p50/p99 at 1, 16 and 64 clients, on a platform started with STREAM_PROCESSING=false (the
 *      write side alone, as the command API runs in the scale profile); what they write, plus complete calls,
 *      is the backlog of the next phase;
 *   3. drain: the same data directory started again with the processors on; events/s until every processor
 *      reading calls has handled the newest event, from its own /api/admin/processors;
 *   4. steady lag p50/p99 per processor at several offered rates, a rate stopped early (and the higher ones
 *      skipped) when the platform clearly cannot keep up.
 * `npm run bench:platform` (embedded bus), `npm run bench:platform -- --kafka` (BUS=kafka, a local broker).
 * Options: --rates=200,500,1000,2000 --seconds=15 (per rate) --calls=300 (complete calls added to the backlog).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProcessors } from '@ccp/stream-processors';
import { chdbCeiling, kafkaCeiling, sqliteCeiling, type KafkaCeiling } from './platform-ceilings.js';
import {
  commandRate,
  connect,
  drain,
  startBenchPlatform,
  steady,
  TENANT,
  writeCalls,
  type BenchPlatform,
  type CommandFigures,
  type DrainFigures,
  type SteadyFigures,
} from './platform-load.js';

const option = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const withKafka = process.argv.includes('--kafka');
const rates = option('rates', '200,500,1000,2000').split(',').map(Number);
const perRate = Number(option('seconds', '15'));
const backlogCalls = Number(option('calls', '300'));
if (rates.some((r) => !(r > 0)) || !(perRate > 0) || !(backlogCalls >= 0))
  throw new Error('--rates takes positive events/s separated by commas; --seconds and --calls numbers');

const fmt = (n: number) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: n < 10 ? 1 : 0 }) : '–';
const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(n < 0.1 ? 1 : 0)}%` : '–');
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const log = (line: string) => console.log(line);

const dir = mkdtempSync(join(tmpdir(), 'ccp-bench-platform-'));
const children = new Set<BenchPlatform>();
let kafka: { stop(): Promise<void> } | undefined;
let cleaning: Promise<void> | undefined;
const cleanUp = () => {
  cleaning ??= (async () => {
    for (const child of children) await child.stop();
    await kafka?.stop();
    rmSync(dir, { recursive: true, force: true });
  })();
  return cleaning;
};
// No orphans: Ctrl-C or a kill stops the platform (it closes its stores) and the broker before this exits; an
// exit by any other path (an uncaught error) kills the platform at least.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    log(`\n${signal}: stopping the platform${kafka ? ' and the broker' : ''}`);
    void cleanUp().finally(() => process.exit(130));
  });
process.on('exit', () => {
  for (const child of children) child.child.kill('SIGKILL');
});

const startPlatform = async (env: Record<string, string>) => {
  const platform = await startBenchPlatform({ DATA_DIR: join(dir, 'platform'), ...env });
  children.add(platform);
  return platform;
};
const stopPlatform = async (platform: BenchPlatform) => {
  await platform.stop();
  children.delete(platform);
  // A projection rebuild during a run would be measured as the pipeline's own work: said if one happened.
  for (const line of platform.output().split('\n'))
    if (/rebuil|error/i.test(line)) log(`  platform said: ${line.trim()}`);
};

const run = async () => {
  log(
    `Platform benchmark, ${withKafka ? 'Kafka' : 'embedded'} bus, chdb read store, SQLite event store; ${cpus().length} cores, Node ${process.version}, load average ${load()}`,
  );
  // 1. Ceilings.
  log('\n1. Ceilings (this process, same machine, same run)');
  const chdb = await chdbCeiling(dir, [
    [1_000, 20_000],
    [10_000, 100_000],
  ]);
  for (const c of chdb) log(`  chdb insert, batches of ${fmt(c.batch)}: ${fmt(c.rowsPerSecond)} rows/s`);
  const sqliteSingle = await sqliteCeiling(dir, 1, 3_000);
  const sqliteBatched = await sqliteCeiling(dir, 100, 100_000);
  log(
    `  SQLite event store, 1 event/append: ${fmt(sqliteSingle)} events/s; 100/append: ${fmt(sqliteBatched)}`,
  );
  const env: Record<string, string> = {};
  let kafkaFigures: KafkaCeiling | undefined;
  if (withKafka) {
    const { startLocalKafka } = await import('@ccp/infra');
    const started = performance.now();
    const broker = await startLocalKafka({ withRegistry: true });
    kafka = broker;
    log(`  local Kafka broker and registry started in ${fmt((performance.now() - started) / 1000)} s`);
    env.BUS = 'kafka';
    env.KAFKA_BROKERS = broker.brokers.join(',');
    env.SCHEMA_REGISTRY_URL = broker.registryUrl ?? '';
    kafkaFigures = await kafkaCeiling(broker.brokers, 50_000, 120_000);
    log(
      `  kafkajs: produce ${fmt(kafkaFigures.producePerSecond)} messages/s, consume ${fmt(kafkaFigures.consumePerSecond)} messages/s`,
    );
  }

  // 2. Commands, the write side alone.
  log('\n2. Commands over HTTP (RecordUtterance), platform process with STREAM_PROCESSING=false');
  const writer = await startPlatform({ ...env, STREAM_PROCESSING: 'false' });
  log(`  platform process started in ${fmt(writer.startupSeconds)} s`);
  const client = await connect(writer.url);
  await client.command('CreateTenant', { tenantId: TENANT, name: 'Bench', planTier: 'enterprise' });
  const commands: CommandFigures[] = [];
  for (const [clients, requests] of [
    [1, 1_000],
    [16, 4_000],
    [64, 8_000],
  ] as const) {
    const figures = await commandRate(client, clients, requests);
    commands.push(figures);
    log(
      `  ${String(clients).padStart(2)} client(s): ${fmt(figures.perSecond)} commands/s, p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms`,
    );
  }
  const started = performance.now();
  const head = Math.max(
    ...commands.map((c) => c.position),
    await writeCalls(client, 'CA-backlog', backlogCalls, 16),
  );
  log(
    `  backlog: ${fmt(backlogCalls)} complete calls added in ${fmt((performance.now() - started) / 1000)} s`,
  );
  await stopPlatform(writer);

  // 3. Drain.
  const concerned = createProcessors()
    .filter((p) => p.categories.includes('call'))
    .map((p) => p.name);
  log(`\n3. Drain: the backlog (log head ${fmt(head)}) with the processors on (${concerned.join(', ')})`);
  const reader = await startPlatform({ ...env, STREAM_PROCESSING: 'true' });
  log(`  platform process started in ${fmt(reader.startupSeconds)} s (processors may start reading before)`);
  const drained: DrainFigures = await drain(await connect(reader.url), concerned, head, 300_000, withKafka);
  log(
    `  ${fmt(drained.remaining)} events left at the first poll, ${drained.complete ? 'drained' : 'NOT drained (timeout)'} in ${fmt(drained.seconds)} s: ${fmt(drained.perSecond)} events/s`,
  );
  for (const [name, rate] of Object.entries(drained.processors))
    log(`    ${name.padEnd(10)} ${fmt(rate).padStart(7)} events/s`);

  // 4. Steady lag.
  await stopPlatform(reader);
  log(
    `\n4. Steady load: calls at a fixed rate, ${perRate} s each, on a platform process started for each rate (its lag window then holds that rate alone)`,
  );
  const steadyFigures: SteadyFigures[] = [];
  for (const rate of rates) {
    const platform = await startPlatform({ ...env, STREAM_PROCESSING: 'true' });
    const figures = await steady(await connect(platform.url), concerned, rate, perRate, {
      maxLagMs: 10_000,
      catchUpMs: 60_000,
      prefix: `CA-steady-${rate}`,
    });
    steadyFigures.push(figures);
    log(
      `  ${fmt(rate)} events/s offered, ${fmt(figures.achieved)} events/s written (${fmt(figures.events)} events)${figures.stopped ? `; STOPPED EARLY: ${figures.stopped}` : ''}`,
    );
    log(
      `    (the processors polled every 25 ms; a poll's round trip p50 ${figures.poll.p50.toFixed(1)} ms, p99 ${figures.poll.p99.toFixed(1)} ms)`,
    );
    await stopPlatform(platform);
    log(
      `    ${''.padEnd(10)} recorded → rows written (platform)   acknowledged → seen handled (load generator)`,
    );
    for (const [name, l] of Object.entries(figures.lag)) {
      const own = figures.own[name];
      log(
        `    ${name.padEnd(10)} p50 ${fmt(own?.p50Ms ?? Number.NaN).padStart(6)} ms  p99 ${fmt(own?.p99Ms ?? Number.NaN).padStart(6)} ms      p50 ${fmt(l.p50).padStart(6)} ms  p99 ${fmt(l.p99).padStart(6)} ms${l.unread ? `  (${fmt(l.unread)} events still unread after the catch-up time)` : ''}`,
      );
    }
    if (figures.stopped) {
      log(`  the platform cannot keep up with ${fmt(rate)} events/s here: higher rates skipped`);
      break;
    }
  }
  summary(chdb, sqliteSingle, sqliteBatched, kafkaFigures, commands, drained, steadyFigures);
  log(`\nload average at the end ${load()}`);
};

const summary = (
  chdb: Awaited<ReturnType<typeof chdbCeiling>>,
  sqliteSingle: number,
  sqliteBatched: number,
  kafkaFigures: KafkaCeiling | undefined,
  commands: readonly CommandFigures[],
  drained: DrainFigures,
  steadyFigures: readonly SteadyFigures[],
) => {
  const chdb10k = chdb.find((c) => c.batch === 10_000)?.rowsPerSecond ?? Number.NaN;
  const chdb1k = chdb.find((c) => c.batch === 1_000)?.rowsPerSecond ?? Number.NaN;
  const c64 = commands.find((c) => c.clients === 64);
  const rows: [string, string, string][] = [
    [
      `drain (${withKafka ? 'Kafka' : 'embedded'})`,
      `${fmt(drained.perSecond)} events/s`,
      withKafka ? '≥ 5,000' : '≥ 10,000',
    ],
  ];
  for (const s of steadyFigures) {
    const worst = Math.max(...Object.values(s.own).map((l) => l.p99Ms));
    const slowest = Object.entries(s.own).find(([, l]) => l.p99Ms === worst)?.[0] ?? '';
    rows.push([
      `steady ${fmt(s.offered)}/s, worst p99`,
      `${fmt(worst)} ms (${slowest})${s.stopped ? ' stopped' : ''}`,
      s.offered === 2_000 ? '< 500 ms' : '',
    ]);
  }
  for (const c of commands)
    rows.push([
      `commands, ${c.clients} client(s)`,
      `${fmt(c.perSecond)}/s, p99 ${c.p99.toFixed(1)} ms`,
      c.clients === 64 ? '≥ 5,000/s, p99 < 50 ms' : '',
    ]);
  rows.push(
    ['pipeline ÷ chdb ceiling (10,000 batches)', pct(drained.perSecond / chdb10k), '≥ 25%'],
    ['pipeline ÷ chdb ceiling (1,000 batches)', pct(drained.perSecond / chdb1k), ''],
    ['commands (64) ÷ SQLite 1-event appends', pct((c64?.perSecond ?? Number.NaN) / sqliteSingle), ''],
    ['commands (64) ÷ SQLite 100-event appends', pct((c64?.perSecond ?? Number.NaN) / sqliteBatched), ''],
  );
  if (kafkaFigures)
    rows.push(
      ['pipeline ÷ kafkajs consume', pct(drained.perSecond / kafkaFigures.consumePerSecond), ''],
      ['pipeline ÷ kafkajs produce', pct(drained.perSecond / kafkaFigures.producePerSecond), ''],
    );
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  log('\nSummary (aims from issue 19; benchmarks, never asserted)');
  log(`  ${'figure'.padEnd(w0)}  ${'measured'.padEnd(w1)}  aim`);
  for (const [name, value, aim] of rows) log(`  ${name.padEnd(w0)}  ${value.padEnd(w1)}  ${aim}`);
};

try {
  await run();
} finally {
  await cleanUp();
}
