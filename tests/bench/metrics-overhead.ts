/**
 * The cost of the platform's metrics and traces on the command path (issue 18's aim: under 5% at 500 commands/s),
 * printed as figures and ratios, never asserted. The same commands (RecordUtterance on 16 calls) go through the
 * command handler on a SQLite event store bare, instrumented as the platform runs them (observedCommandHandler over
 * observedEventStore), instrumented and traced (tracedCommandHandler over those, a span per command exported in
 * batches by OTLP/HTTP to a sink in a child process, so that the sink's reading costs this process nothing), and
 * traced with one trace in ten kept (parentbased_traceidratio 0.1), at a paced 500 commands/s and then as fast as
 * one client can send, in rounds whose order turns; commands/s, CPU time per command (the export of each round's
 * spans included) and latency p50/p99 of each as medians over the rounds, and the ratios to bare. On a shared
 * machine a round can be slowed by other work: the median leaves such a round out, a mean would not. Then the
 * instrumentation alone, around a handler and a store that do nothing (the µs it adds to each command, free of the
 * store's noise), and one scrape of the registry: its time and size.
 *
 *   npx tsx tests/bench/metrics-overhead.ts
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import {
  commandRoutes,
  createCommandHandler,
  createMetricsRegistry,
  createSqliteEventStore,
  createTracing,
  observedCommandHandler,
  observedEventStore,
  tracedCommandHandler,
  tracingOff,
  type CommandHandler,
  type CommandResult,
  type EventStore,
  type Tracing,
} from '@ccp/command-service';

const dir = mkdtempSync(join(tmpdir(), 'ccp-bench-metrics-'));
const CALLS = 16;
const ROUNDS = 8;
const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A stand-in of an OTLP/HTTP collector in a child process: answers every POST 200 after reading it, keeps nothing.
 */
const startSink = async () => {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => r.end('{}')); });
       s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  child.on('error', (error) => console.error(`OTLP sink: ${error.message}`));
  const [port] = (await once(child.stdout, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${port.toString().trim()}`, stop: () => child.kill() };
};

const setUp = async (name: string, instrumented: boolean, tracing: Tracing = tracingOff) => {
  const registry = createMetricsRegistry();
  const bare = createSqliteEventStore({ path: join(dir, `${name}.db`), synchronous: 'normal' });
  const store = instrumented ? observedEventStore(bare, registry) : bare;
  const plain = createCommandHandler({ store, routes: commandRoutes });
  // As the platform composes them (infra/platform/platform.ts).
  const handler: CommandHandler = instrumented
    ? tracedCommandHandler(observedCommandHandler(plain, registry), tracing)
    : plain;
  const context = { actor: SYSTEM_ACTOR };
  await handler.handleTrusted(
    'CreateTenant',
    { tenantId: 'bench', name: 'Bench', planTier: 'enterprise' },
    context,
  );
  for (let c = 0; c < CALLS; c += 1) {
    await handler.handleTrusted(
      'StartCall',
      {
        tenantId: 'bench',
        callId: `CA-${c}`,
        direction: 'inbound',
        from: '+15550001111',
        to: '+15550002222',
        provider: 'simulator',
      },
      context,
    );
  }
  let n = 0;
  const command = async (): Promise<number> => {
    const i = (n += 1);
    const started = performance.now();
    await handler.handleTrusted(
      'RecordUtterance',
      {
        tenantId: 'bench',
        callId: `CA-${i % CALLS}`,
        utteranceId: `u${i}`,
        speaker: 'caller',
        text: `benchmark line ${i}`,
        confidence: 0.9,
        language: 'en',
      },
      context,
    );
    return performance.now() - started;
  };
  return { registry, store, command, tracing };
};

type Bench = Awaited<ReturnType<typeof setUp>>;

/** `count` commands, paced at `perSecond` (0: back to back); CPU µs per command and latency percentiles. */
const run = async (bench: Bench, count: number, perSecond: number) => {
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    if (perSecond > 0) {
      const due = started + (i * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
    }
    latencies.push(await bench.command());
  }
  // The round's spans exported before its CPU is read: their export is part of what tracing costs.
  await bench.tracing.flush();
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  return {
    cpuMicros: (used.user + used.system) / count,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    perSecond: count / ((performance.now() - started) / 1000),
  };
};

type Figures = Awaited<ReturnType<typeof run>>;
const median = (rows: readonly Figures[], key: keyof Figures) =>
  percentile(
    rows.map((r) => r[key]).sort((a, b) => a - b),
    50,
  );

/**
 * The instrumentation alone: µs of CPU each wrapper adds to a command when the handler and the store under it do
 * nothing, the spans exported as in the platform. Steadier than the differences between whole commands, which
 * carry SQLite's and the machine's noise.
 */
const wrappersAlone = async (tracing: Tracing, sampled: Tracing) => {
  const result: CommandResult = {
    commandId: 'c',
    streamId: 's',
    nextRevision: 0,
    position: 1,
    events: [],
    replayed: false,
  };
  const store: EventStore = {
    append: async () => ({ nextExpectedRevision: 0n, position: 0n }),
  } as unknown as EventStore;
  const routes = new Map(commandRoutes.map((r) => [r.definition.type, r]));
  const bareNothing: CommandHandler = {
    handle: async () => result,
    handleTrusted: async () => (await store.append('s', [], 'any'), result),
    routes,
  };
  // Each variant its own registry, as each platform has.
  const observedNothing = () => {
    const registry = createMetricsRegistry();
    const observedStore = observedEventStore(store, registry);
    const nothing: CommandHandler = {
      ...bareNothing,
      handleTrusted: async () => (await observedStore.append('s', [], 'any'), result),
    };
    return observedCommandHandler(nothing, registry);
  };
  const variants: [string, CommandHandler, Tracing][] = [
    ['none', bareNothing, tracingOff],
    ['metrics', observedNothing(), tracingOff],
    ['metrics and tracing', tracedCommandHandler(observedNothing(), tracing), tracing],
    ['metrics and tracing at 0.1', tracedCommandHandler(observedNothing(), sampled), sampled],
  ];
  const input = { tenantId: 'bench', callId: 'CA-1', utteranceId: 'u', text: 'line' };
  const context = { actor: SYSTEM_ACTOR };
  const cost = async (handler: CommandHandler, t: Tracing, n: number) => {
    const cpu = process.cpuUsage();
    for (let i = 0; i < n; i += 1) {
      await handler.handleTrusted('RecordUtterance', input, context);
      // As commands come in: the batch processor's timer and the export get their turns.
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    await t.flush();
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / n;
  };
  const rows = new Map<string, number[]>();
  for (const [, handler, t] of variants) await cost(handler, t, 20_000);
  for (let round = 0; round < 5; round += 1) {
    for (const [name, handler, t] of variants)
      rows.set(name, [...(rows.get(name) ?? []), await cost(handler, t, 20_000)]);
  }
  const medianOf = (values: readonly number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      50,
    );
  const none = medianOf(rows.get('none') ?? []);
  console.log(
    '\nThe instrumentation alone, around a handler and a store that do nothing (5 rounds of 20,000)',
  );
  for (const [name] of variants.slice(1)) {
    console.log(`  ${name}: +${(medianOf(rows.get(name) ?? []) - none).toFixed(1)} µs of CPU a command`);
  }
};

const sink = await startSink();
const tracing = createTracing({ endpoint: sink.url, serviceName: 'ccp-bench' });
const sampledTracing = createTracing({
  endpoint: sink.url,
  serviceName: 'ccp-bench',
  sampler: 'parentbased_traceidratio',
  samplerRatio: 0.1,
});
try {
  const bare = await setUp('bare', false);
  // The same as bare: how far two identical variants differ on this machine now (the noise floor).
  const bare2 = await setUp('bare2', false);
  const observed = await setUp('observed', true);
  const traced = await setUp('traced', true, tracing);
  const sampled = await setUp('sampled', true, sampledTracing);
  const variants = { bare, bare2, observed, traced, sampled } as const;
  const names = Object.keys(variants) as (keyof typeof variants)[];
  for (const [label, count, rate] of [
    ['paced, 500 commands/s', 1_000, 500],
    ['back to back', 2_500, 0],
  ] as const) {
    // Warm-up of each, then rounds in an order that turns, so that drift (caches, GC, the machine) falls on all
    // alike. The same count for each: a command loads its call's stream, so a variant given more commands before
    // would answer slower for it. 3,000 spans: the tracer's span and export paths are compiled by then.
    for (const name of names) await run(variants[name], 3_000, rate);
    const results = {
      bare: [] as Figures[],
      bare2: [] as Figures[],
      observed: [] as Figures[],
      traced: [] as Figures[],
      sampled: [] as Figures[],
    };
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let i = 0; i < names.length; i += 1) {
        const name = names[(round + i) % names.length]!;
        results[name].push(await run(variants[name], count, rate));
      }
    }
    console.log(
      `\nRecordUtterance through the command handler, ${label} (${ROUNDS} rounds of ${count} each)`,
    );
    for (const [name, rows] of Object.entries(results)) {
      console.log(
        `  ${name.padEnd(9)} CPU ${median(rows, 'cpuMicros').toFixed(0).padStart(4)} µs/command, ` +
          `p50 ${median(rows, 'p50').toFixed(3)} ms, p99 ${median(rows, 'p99').toFixed(3)} ms, ` +
          `${median(rows, 'perSecond').toFixed(0)} commands/s`,
      );
    }
    const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`;
    for (const [name, rows] of [
      ['bare again (noise)', results.bare2],
      ['metrics', results.observed],
      ['metrics and tracing', results.traced],
      ['metrics and tracing at 0.1', results.sampled],
    ] as const) {
      const ratio = (key: keyof Figures) => (median(rows, key) / median(results.bare, key) - 1) * 100;
      console.log(
        `  ${name} on vs off: ${median(rows, 'perSecond').toFixed(0)} vs ${median(results.bare, 'perSecond').toFixed(0)} ` +
          `commands/s (${signed(ratio('perSecond'))}), CPU ${signed(ratio('cpuMicros'))}, ` +
          `p50 ${signed(ratio('p50'))}, p99 ${signed(ratio('p99'))}`,
      );
    }
  }
  await wrappersAlone(tracing, sampledTracing);
  const scrapes: number[] = [];
  let text = '';
  for (let i = 0; i < 20; i += 1) {
    const started = performance.now();
    text = await observed.registry.metrics();
    scrapes.push(performance.now() - started);
  }
  scrapes.sort((a, b) => a - b);
  console.log(
    `\nOne scrape of this registry: p50 ${percentile(scrapes, 50).toFixed(2)} ms, ` +
      `${text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length} samples, ${(text.length / 1024).toFixed(0)} KiB`,
  );
  await bare.store.close();
  await observed.store.close();
  await traced.store.close();
  await sampled.store.close();
  await bare2.store.close();
} finally {
  await tracing.shutdown();
  await sampledTracing.shutdown();
  sink.stop();
  rmSync(dir, { recursive: true, force: true });
}
