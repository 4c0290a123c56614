/**
 * Benchmarks of the outbound delivery engine, printed as figures (never asserted), on the embedded platform with
 * one webhook connection to a local test receiver (a stand-in of a tenant's endpoint, answering 200 at once):
 *   - throughput: 2,000 TicketOpened appended as fast as the command handler takes them; deliveries per second
 *     from the first append to the last delivery received;
 *   - delay: 200 events per second for 15 s; the delay from each append to the receiver, p50/p99/max.
 * Run with `npm run bench`, or `npx tsx tests/bench/integrations.ts`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import { DEMO_TENANT } from '@ccp/infra';
import { startGatewayPlatform } from '../support/gateway.js';
import { apiClient, login } from '../support/platform.js';

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const received = new Map<string, number>();
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const eventId = (JSON.parse(body) as { data: { eventId: string } }).data.eventId;
    if (!received.has(eventId)) received.set(eventId, performance.now());
    res.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

const env = await startGatewayPlatform({
  now: () => new Date(),
  env: {
    OUTBOUND_ALLOW: '127.0.0.1/32',
    ...(process.env['INTEGRATION_CONNECTION_CONCURRENCY'] && {
      INTEGRATION_CONNECTION_CONCURRENCY: process.env['INTEGRATION_CONNECTION_CONCURRENCY'],
    }),
  },
});
const admin = apiClient(env.test.url, await login(env.test.url, 'admin@demo.example', 'demo-password-1'));
const created = await admin.request('POST', '/api/integrations/connections', {
  name: 'Bench receiver',
  settings: { kind: 'webhook', url, eventTypes: ['TicketOpened'] },
});
if (created.status !== 201) throw new Error(`connection refused: ${JSON.stringify(created.body)}`);
const { handler, config } = env.test.platform;
const settings = config.mediaGateway.integrations;

let n = 0;
const appended = new Map<string, number>();
const openTicket = async () => {
  n += 1;
  const result = await handler.handleTrusted(
    'OpenTicket',
    {
      tenantId: DEMO_TENANT,
      ticketId: `bench-${n}`,
      subject: `Bench ticket ${n}`,
      description: 'Opened by the integrations benchmark',
    },
    { actor: SYSTEM_ACTOR },
  );
  const id = result.events[0]?.id ?? '';
  appended.set(id, performance.now());
  return id;
};
const allReceived = async (ids: readonly string[], timeoutMs: number) => {
  const until = performance.now() + timeoutMs;
  while (ids.some((id) => !received.has(id))) {
    if (performance.now() > until) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  return ids.filter((id) => received.has(id)).length;
};

console.log(
  `integrations bench: concurrency ${settings.concurrency}, per connection ${settings.perConnectionConcurrency}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

// 1. Throughput.
const BURST = Number(process.env['BENCH_BURST'] ?? 2_000);
const start = performance.now();
const burst: string[] = [];
for (let i = 0; i < BURST; i += 50)
  burst.push(...(await Promise.all(Array.from({ length: Math.min(50, BURST - i) }, openTicket))));
const appendedIn = performance.now() - start;
const got = await allReceived(burst, 120_000);
const lastAt = Math.max(...burst.map((id) => received.get(id) ?? 0));
console.log(
  `throughput: ${fmt(got)}/${fmt(BURST)} delivered in ${fmt((lastAt - start) / 1000, 2)} s = ${fmt(
    got / ((lastAt - start) / 1000),
  )} deliveries/s (appends took ${fmt(appendedIn / 1000, 2)} s)`,
);

// 2. Delay at a steady 200 events/s for 15 s.
const RATE = 200;
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 15);
const steady: Promise<string>[] = [];
const begin = performance.now();
for (let i = 0; i < RATE * SECONDS; i += 1) {
  const due = begin + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  steady.push(openTicket());
}
const ids = await Promise.all(steady);
const delivered = await allReceived(ids, 60_000);
const delays = ids
  .flatMap((id) => {
    const sent = appended.get(id);
    const at = received.get(id);
    return sent !== undefined && at !== undefined ? [at - sent] : [];
  })
  .sort((a, b) => a - b);
console.log(
  `delay at ${RATE}/s for ${SECONDS} s: ${fmt(delivered)}/${fmt(ids.length)} delivered; p50 ${fmt(
    percentile(delays, 50),
  )} ms, p99 ${fmt(percentile(delays, 99))} ms, max ${fmt(delays.at(-1) ?? NaN)} ms`,
);

// Where the delay is: from the source event to its DeliveryScheduled (planner), then to DeliverySucceeded.
const recordedAt = new Map<string, number>();
const scheduledFor = new Map<string, { source: string; at: number }>();
const succeededAt = new Map<string, number>();
for (const r of await env.test.platform.store.readAll({ maxCount: 10_000_000 })) {
  const at = r.recordedAt.getTime();
  if (r.type === 'TicketOpened') recordedAt.set(r.id, at);
  if (r.type === 'DeliveryScheduled')
    scheduledFor.set(r.streamId, { source: (r.data as { source: { eventId: string } }).source.eventId, at });
  if (r.type === 'DeliverySucceeded') succeededAt.set(r.streamId, at);
}
const steadyIds = new Set(ids);
const planning: number[] = [];
const dispatching: number[] = [];
for (const [stream, { source, at }] of scheduledFor) {
  if (!steadyIds.has(source)) continue;
  planning.push(at - (recordedAt.get(source) ?? at));
  const done = succeededAt.get(stream);
  if (done !== undefined) dispatching.push(done - at);
}
planning.sort((a, b) => a - b);
dispatching.sort((a, b) => a - b);
console.log(
  `  of which planning (event → scheduled) p50 ${fmt(percentile(planning, 50))} ms, p99 ${fmt(percentile(planning, 99))} ms; dispatching (scheduled → recorded) p50 ${fmt(percentile(dispatching, 50))} ms, p99 ${fmt(percentile(dispatching, 99))} ms`,
);

await env.stop();
await new Promise<void>((resolve) => server.close(() => resolve()));
