/**
 * Media gateway benchmark: many concurrent simulated calls against the embedded platform on this machine.
 * Figures (printed, never asserted):
 *   - webhook in → TwiML out, as the caller's network sees it (gather calls), p50/p99;
 *   - the offline conversation engine's share of it (the "LLM" runs in-process here), p50/p99 per turn;
 *   - the gateway's own overhead per turn: round trip minus the engine's time for that turn;
 *   - media stream: end of the caller's speech → first audio of the answer, measured by the gateway.
 * Run with `npm run bench` (or `npx tsx tests/bench/media-gateway.ts`).
 */
import { Worker } from 'node:worker_threads';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { timedModel } from './timed-model.js';
import { nextMondayInNewYork, startGatewayPlatform } from '../support/gateway.js';

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

const engineMs: number[] = [];
/** Time each webhook spent inside the platform, by path. */
const serverMs = new Map<string, number[]>();
const turnMs: number[] = [];
const monday = nextMondayInNewYork(11);
const env = await startGatewayPlatform({
  now: () => monday,
  env: { END_OF_SPEECH_MS: '300' },
  hooks: {
    wrapModel: timedModel(engineMs),
    onTurnLatency: (t) => turnMs.push(t),
    onWebhookTime: (path, t) => serverMs.set(path, [...(serverMs.get(path) ?? []), t]),
  },
});

// The demo agent takes 5 calls at once; the benchmark lets it take them all.
await env.test.platform.handler.handleTrusted(
  'UpdateAgent',
  { tenantId: DEMO_TENANT, agentId: 'sofia', concurrencyLimit: 1000 },
  { actor: SYSTEM_ACTOR },
);

const run = (mode: 'gather' | 'stream', calls: number, concurrency: number, pace: 0 | 1) =>
  new Promise<{ webhookMs: number[]; mediaMs: number[]; failed: number; seconds: number }>(
    (resolve, reject) => {
      // The worker loads TypeScript through tsx's loader, registered before the callers' module is imported.
      const callers = new URL('./media-gateway-callers.ts', import.meta.url).href;
      const worker = new Worker(
        `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(callers)}); });`,
        {
          eval: true,
          workerData: {
            baseUrl: env.test.url,
            authToken: env.authToken,
            accountSid: env.accountSid,
            to: DEMO_NUMBER,
            calls,
            concurrency,
            mode,
            pace,
          },
        },
      );
      worker.once('message', resolve);
      worker.once('error', reject);
    },
  );

const report = (
  label: string,
  result: { webhookMs: number[]; failed: number; seconds: number },
  calls: number,
) => {
  // The engine's mean per round, taken off each round trip: the gateway's own share of a turn.
  const engineMean = engineMs.reduce((a, b) => a + b, 0) / Math.max(1, engineMs.length);
  const overhead = result.webhookMs.map((t) => Math.max(0, t - engineMean));
  const inside = (path: string) => {
    const times = serverMs.get(path) ?? [];
    return `${path.replace('/twilio/', '')} p50 ${ms(percentile(times, 50))} p99 ${ms(percentile(times, 99))}`;
  };
  console.log(
    `  ${label} (${calls} calls, ${result.webhookMs.length} webhooks, ${result.failed} failed, ` +
      `${(calls / result.seconds).toFixed(0)} calls/s): webhook→TwiML p50 ${ms(percentile(result.webhookMs, 50))}, ` +
      `p99 ${ms(percentile(result.webhookMs, 99))}; engine per round p50 ${ms(percentile(engineMs, 50))}, ` +
      `p99 ${ms(percentile(engineMs, 99))}; gateway overhead p50 ${ms(percentile(overhead, 50))}, ` +
      `p99 ${ms(percentile(overhead, 99))}; inside the platform: ${inside('/twilio/voice')}, ${inside('/twilio/turn')}`,
  );
};

console.log('\nMedia gateway (embedded platform, offline engine, machine voice; callers in a worker thread)');
for (const concurrency of [50, 200, 500]) {
  engineMs.length = 0;
  serverMs.clear();
  report(
    `gather, ${concurrency} concurrent calls at a caller's pace`,
    await run('gather', concurrency, concurrency, 1),
    concurrency,
  );
}
for (const concurrency of [50, 500]) {
  engineMs.length = 0;
  serverMs.clear();
  const calls = concurrency * 2;
  report(
    `gather, ${concurrency} concurrent callers with no pauses (saturation)`,
    await run('gather', calls, concurrency, 0),
    calls,
  );
}
for (const [concurrency, pace] of [
  [50, 1],
  [200, 1],
  [500, 1],
  [200, 0],
] as const) {
  turnMs.length = 0;
  engineMs.length = 0;
  const result = await run('stream', concurrency, concurrency, pace);
  console.log(
    `  media stream, ${concurrency} concurrent calls ${pace === 1 ? 'in real time' : 'with no pauses'} (${result.failed} failed): ` +
      `end of speech→first audio out (gateway) p50 ${ms(percentile(turnMs, 50))}, p99 ${ms(percentile(turnMs, 99))}; ` +
      `as the caller hears it p50 ${ms(percentile(result.mediaMs, 50))}, p99 ${ms(percentile(result.mediaMs, 99))}; ` +
      `engine per round p50 ${ms(percentile(engineMs, 50))}, p99 ${ms(percentile(engineMs, 99))}`,
  );
}
await env.stop();
