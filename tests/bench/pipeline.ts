/**
 * Throughput and lag of the whole read-side pipeline (event store → bus → six processors → ClickHouse tables),
 * on the bus named by the first argument (`embedded` or `kafka`, the latter with a local broker and registry).
 *   - maximum: a backlog of calls is written first, then the processors start; events/s is the backlog drained
 *     through every processor divided by the time until the last row is visible;
 *   - steady: calls are written at a fixed rate while the processors run; lag (event recorded → rows written)
 *     p50/p99 per processor.
 * Run through `npm run bench`; figures are printed, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import {
  startLocalKafka,
  type LocalKafka,
  configFromEnv,
  startPlatform,
  type RunningPlatform,
  streamProcessing,
} from '@ccp/infra';
import { createProcessors } from '@ccp/stream-processors';

const bus = process.argv[2] === 'kafka' ? 'kafka' : 'embedded';
const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const LINES = 4;
const EVENTS_PER_CALL = 2 + LINES * 2;
const dir = mkdtempSync(join(tmpdir(), `ccp-bench-pipe-${bus}-`));
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
let kafka: LocalKafka | undefined;

const recordCall = async (platform: RunningPlatform, callId: string) => {
  const send = (type: string, data: Record<string, unknown>) =>
    platform.handler.handleTrusted(type, { tenantId: 'bench', callId, ...data }, { actor: SYSTEM_ACTOR });
  await send('StartCall', {
    direction: 'inbound',
    from: '+15550001111',
    to: '+15550100001',
    provider: 'simulator',
    agentId: 'a1',
  });
  for (let n = 0; n < LINES; n += 1) {
    await send('RecordUtterance', {
      utteranceId: `c${n}`,
      speaker: 'caller',
      text: 'I would like to move my appointment to Friday please',
      confidence: 0.9,
      language: 'en',
    });
    await send('RecordAiReply', {
      utteranceId: `a${n}`,
      text: 'Sure, Friday at ten works.',
      language: 'en',
      model: 'offline',
      promptTokens: 100,
      completionTokens: 10,
      latencyMs: 30,
    });
  }
  return (await send('EndCall', { outcome: 'resolved' })).position ?? 0;
};

/** Every processor reads the call category, so each has written the rows of an event once it passed its position. */
const waitForPosition = async (processing: ReturnType<typeof streamProcessing>, position: number) => {
  for (;;) {
    const lag = Object.values(processing.processors().lag());
    if (lag.length > 0 && lag.every((l) => l.lastPosition >= position)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

try {
  const env: Record<string, string> = { DATA_DIR: dir, PORT: '0', BUS: bus, SEED_DEMO: 'false' };
  if (bus === 'kafka') {
    kafka = await startLocalKafka({ withRegistry: true });
    env.KAFKA_BROKERS = kafka.brokers.join(',');
    env.SCHEMA_REGISTRY_URL = kafka.registryUrl ?? '';
  }
  const config = configFromEnv(env);
  const quiet = () => undefined;

  // A backlog written with the processors off.
  const writer = await startPlatform(config, [], quiet);
  await writer.handler.handleTrusted(
    'CreateTenant',
    { tenantId: 'bench', name: 'Bench', planTier: 'enterprise' },
    { actor: SYSTEM_ACTOR },
  );
  let last = 0;
  for (let c = 0; c < CALLS; c += 1) last = await recordCall(writer, `CA-backlog-${c}`);
  await writer.stop();
  const backlog = CALLS * EVENTS_PER_CALL;

  const processing = streamProcessing(createProcessors());
  const booting = performance.now();
  const platform = await startPlatform(config, [processing.module], quiet);
  // Start-up (opening chdb, migrations, the Kafka relay registering schemas) is reported apart from draining.
  const started = performance.now();
  await waitForPosition(processing, last);
  const seconds = (performance.now() - started) / 1000;
  console.log(`  start-up ${((started - booting) / 1000).toFixed(1)} s`);
  console.log(`${bus} bus, 6 processors, chdb read store`);
  console.log(
    `  maximum: ${fmt(backlog)} backlog events drained in ${seconds.toFixed(1)} s = ${fmt(backlog / seconds)} events/s (${fmt((backlog * 6) / seconds)} processor-events/s)`,
  );

  // Steady load: calls at a fixed rate; lag measured on the events written in this phase only.
  const rate = Number(process.env.BENCH_RATE ?? 200);
  processing.processors().resetLag();
  const steadyCalls = Math.ceil((rate * 10) / EVENTS_PER_CALL);
  const t0 = performance.now();
  for (let c = 0; c < steadyCalls; c += 1) {
    last = await recordCall(platform, `CA-steady-${c}`);
    const due = t0 + ((c + 1) * EVENTS_PER_CALL * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await waitForPosition(processing, last);
  const achieved = (steadyCalls * EVENTS_PER_CALL) / ((performance.now() - t0) / 1000);
  console.log(
    `  steady: ${fmt(rate)} events/s offered (${fmt(achieved)} achieved incl. catch-up), lag event recorded → rows written:`,
  );
  for (const [name, figures] of Object.entries(processing.processors().lag())) {
    console.log(
      `    ${name.padEnd(10)} p50 ${fmt(figures.p50Ms).padStart(5)} ms  p99 ${fmt(figures.p99Ms).padStart(6)} ms  (${fmt(figures.events)} events)`,
    );
  }
  await platform.stop();
} finally {
  await kafka?.stop();
  rmSync(dir, { recursive: true, force: true });
}
