import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalKafka, streamProcessing, type LocalKafka, type StreamProcessing } from '@ccp/infra';
import { createProcessors } from '@ccp/stream-processors';
import { recordCall } from '../support/calls.js';
import { startCollectorStandIn } from '../support/otlp-collector.js';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';
import { parsePrometheusText, type MetricFamily } from '../support/prometheus-text.js';

/*
 * The Kafka profile's metrics and traces, on the project's own broker (startLocalKafka, with its schema registry)
 * and a collector stand-in (tests/support/otlp-collector.ts): each processor's consumer-group lag and the relay's
 * lag in /metrics, back to zero once everything is read; and the relay's `send` span carried in each message's
 * `traceparent` header to the processors' batch spans, which continue its trace.
 */

const TOKEN = 'kafka-scrape-token-0123456789';
let kafka: LocalKafka | undefined;
let collector: Awaited<ReturnType<typeof startCollectorStandIn>>;
let platform: TestPlatform | undefined;
let processing: StreamProcessing;
let lagSeen: Map<string, MetricFamily>;

const scrape = async (): Promise<Map<string, MetricFamily>> => {
  const response = await fetch(`${platform?.url ?? ''}/metrics`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(response.status).toBe(200);
  return parsePrometheusText(await response.text());
};

beforeAll(async () => {
  collector = await startCollectorStandIn();
  kafka = await startLocalKafka({ withRegistry: true });
  processing = streamProcessing(createProcessors());
  platform = await startTestPlatform(undefined, {
    processing,
    env: {
      BUS: 'kafka',
      KAFKA_BROKERS: kafka.brokers.join(','),
      SCHEMA_REGISTRY_URL: kafka.registryUrl ?? '',
      METRICS_TOKEN: TOKEN,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    },
  });
  const root = apiClient(platform.url, await login(platform.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  expect(
    (await root.command('CreateTenant', { tenantId: 'acme', name: 'Acme', planTier: 'professional' })).status,
  ).toBe(200);
  await recordCall(root, 'acme', 'CA-kafka-observed');
  await vi.waitFor(
    async () => {
      const [row] = await processing
        .readStore()
        .query<{ n: string }>(
          'SELECT toString(count()) AS n FROM calls FINAL WHERE tenant_id = {tenant:String} AND ended_at IS NOT NULL',
          { tenant: 'acme' },
        );
      expect(row?.n).toBe('1');
    },
    { timeout: 60_000, interval: 200 },
  );
  // Everything read and committed: every group's lag and the relay's come back to zero.
  await vi.waitFor(
    async () => {
      lagSeen = await scrape();
      const groups = lagSeen.get('ccp_processor_lag_events')?.samples ?? [];
      expect(groups.length).toBeGreaterThan(0);
      for (const sample of groups) expect(sample.value, sample.labels['processor']).toBe(0);
      expect(lagSeen.get('ccp_kafka_relay_lag_events')?.samples.map((s) => s.value)).toEqual([0]);
    },
    { timeout: 30_000, interval: 250 },
  );
  // Stopping the platform exports the spans still batched.
  await platform.stop();
  platform = undefined;
}, 240_000);
afterAll(async () => {
  await platform?.stop();
  await kafka?.stop();
  await collector?.stop();
});

describe('the Kafka profile', () => {
  it("exposes each processor's consumer-group lag and the relay's lag, in events, as gauges", () => {
    const groups = lagSeen.get('ccp_processor_lag_events');
    expect(groups?.type).toBe('gauge');
    const processors = new Set(groups?.samples.map((s) => s.labels['processor']));
    for (const name of ['audit-log', 'call-facts', 'sentiment', 'intent', 'sla', 'usage']) {
      expect(processors.has(name), name).toBe(true);
    }
    expect(lagSeen.get('ccp_kafka_relay_lag_events')?.type).toBe('gauge');
  });

  it("carries the relay's trace context in the messages' headers to the processors' batch spans", () => {
    const sends = collector.spans.filter((s) => s.name === 'send');
    expect(sends.length).toBeGreaterThan(0);
    for (const send of sends) {
      expect(send.kind).toBe(4); // PRODUCER
      expect(send.parentSpanId).toBeUndefined();
      expect(send.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.batch.message_count': expect.any(Number),
      });
    }
    const sendIds = new Map(sends.map((s) => [s.spanId, s]));
    const batches = collector.spans.filter((s) => s.name.startsWith('process '));
    expect(batches.length).toBeGreaterThan(0);
    let continued = 0;
    for (const batch of batches) {
      // Each batch links every publishing span its messages came from.
      expect(batch.links.length).toBeGreaterThan(0);
      for (const link of batch.links) expect(sendIds.get(link.spanId)?.traceId).toBe(link.traceId);
      if (batch.parentSpanId === undefined) continue;
      // From one publisher only: the batch is that publisher's child, in its trace.
      const parent = sendIds.get(batch.parentSpanId);
      expect(parent, batch.name).toBeDefined();
      expect(batch.traceId).toBe(parent?.traceId);
      continued += 1;
    }
    expect(continued).toBeGreaterThan(0);
  });
});
