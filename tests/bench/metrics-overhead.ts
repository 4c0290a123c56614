/**
 * The cost of the platform's metrics and traces on the command path (issue 18's aim: under 5% at 500 commands/s),
 * printed as figures and ratios, never asserted. The same commands (RecordUtterance on 16 calls) go through the
 * command handler on a SQLite event store bare, instrumented as the platform runs them (observedCommandHandler over
 * observedEventStore), and instrumented and traced (tracedCommandHandler over those, a span per command exported
 * in batches by OTLP/HTTP to a sink in a child process, so that the sink's reading costs this process nothing), at
 * a paced 500 commands/s and then as fast as one client can send, in alternating rounds; commands/s, CPU time per
 * command and latency p50/p99 of each, and the ratios to bare. Then one scrape of the registry: its time and size.
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
  type Tracing,
} from '@ccp/command-service';

const dir = mkdtempSync(join(tmpdir(), 'ccp-bench-metrics-'));
const CALLS = 16;
const ROUNDS = 5;
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
  return { registry, store, command };
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
const mean = (rows: readonly Figures[], key: keyof Figures) =>
  rows.reduce((s, r) => s + r[key], 0) / rows.length;

const sink = await startSink();
const tracing = createTracing({ endpoint: sink.url, serviceName: 'ccp-bench' });
try {
  const bare = await setUp('bare', false);
  const observed = await setUp('observed', true);
  const traced = await setUp('traced', true, tracing);
  for (const [label, count, rate] of [
    ['paced, 500 commands/s', 2_000, 500],
    ['back to back', 5_000, 0],
  ] as const) {
    // Warm-up of each, then alternating rounds so that drift (caches, GC, the machine) falls on all alike. The
    // same count for each: a command loads its call's stream, so a variant given more commands before would
    // answer slower for it. 3,000 spans: the tracer's span and export paths are compiled by then.
    for (const bench of [bare, observed, traced]) await run(bench, 3_000, rate);
    await tracing.flush();
    const results = { bare: [] as Figures[], observed: [] as Figures[], traced: [] as Figures[] };
    for (let round = 0; round < ROUNDS; round += 1) {
      results.bare.push(await run(bare, count, rate));
      results.observed.push(await run(observed, count, rate));
      results.traced.push(await run(traced, count, rate));
      // The spans batched so far go out between rounds, as the batch processor would send them meanwhile.
      await tracing.flush();
    }
    console.log(
      `\nRecordUtterance through the command handler, ${label} (${ROUNDS} rounds of ${count} each)`,
    );
    for (const [name, rows] of Object.entries(results)) {
      console.log(
        `  ${name.padEnd(9)} CPU ${mean(rows, 'cpuMicros').toFixed(0).padStart(4)} µs/command, ` +
          `p50 ${mean(rows, 'p50').toFixed(3)} ms, p99 ${mean(rows, 'p99').toFixed(3)} ms, ` +
          `${mean(rows, 'perSecond').toFixed(0)} commands/s`,
      );
    }
    const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`;
    for (const [name, rows] of [
      ['metrics', results.observed],
      ['metrics and tracing', results.traced],
    ] as const) {
      const ratio = (key: keyof Figures) => (mean(rows, key) / mean(results.bare, key) - 1) * 100;
      console.log(
        `  ${name} on vs off: ${mean(rows, 'perSecond').toFixed(0)} vs ${mean(results.bare, 'perSecond').toFixed(0)} ` +
          `commands/s (${signed(ratio('perSecond'))}), CPU ${signed(ratio('cpuMicros'))}, ` +
          `p50 ${signed(ratio('p50'))}, p99 ${signed(ratio('p99'))}`,
      );
    }
  }
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
} finally {
  await tracing.shutdown();
  sink.stop();
  rmSync(dir, { recursive: true, force: true });
}
