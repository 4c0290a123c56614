import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { deliveryMetrics, providerErrorKindOf } from './delivery-metrics.js';

const samples = async (registry: Registry, name: string) =>
  (await registry.getSingleMetric(name)?.get())?.values.map(({ labels, value }) => ({ labels, value })) ?? [];

describe('deliveries and provider errors', () => {
  it('registers one pair per registry, whichever module asks first: both count on the same metrics', async () => {
    const registry = new Registry();
    const gateway = deliveryMetrics(registry);
    const queryApi = deliveryMetrics(registry);
    expect(queryApi).toBe(gateway);
    gateway.delivery('message', 'sms', 'delivered');
    queryApi.delivery('report', 'email', 'failed');
    queryApi.delivery('report', 'email', 'failed');
    expect(await samples(registry, 'ccp_deliveries_total')).toEqual([
      { labels: { kind: 'message', channel: 'sms', outcome: 'delivered' }, value: 1 },
      { labels: { kind: 'report', channel: 'email', outcome: 'failed' }, value: 2 },
    ]);
    // Another platform's registry has its own.
    const other = new Registry();
    expect(deliveryMetrics(other)).not.toBe(gateway);
    expect(await samples(other, 'ccp_deliveries_total')).toEqual([]);
  });

  it('adds the errors counted here to those kept elsewhere, read afresh at each scrape', async () => {
    const registry = new Registry();
    const metrics = deliveryMetrics(registry);
    let kept = 1;
    metrics.addProviderErrorSource(() => [{ port: 'llm', provider: 'openai', kind: 'server', count: kept }]);
    metrics.providerError('telephony', 'twilio', 'client');
    metrics.providerError('telephony', 'twilio', 'client');
    metrics.providerError('email', 'smtp', 'unreachable');
    expect(await samples(registry, 'ccp_provider_errors_total')).toEqual([
      { labels: { port: 'telephony', provider: 'twilio', kind: 'client' }, value: 2 },
      { labels: { port: 'email', provider: 'smtp', kind: 'unreachable' }, value: 1 },
      { labels: { port: 'llm', provider: 'openai', kind: 'server' }, value: 1 },
    ]);
    kept = 3;
    const again = await samples(registry, 'ccp_provider_errors_total');
    expect(again.find((s) => s.labels.port === 'llm')?.value).toBe(3);
    expect(again.find((s) => s.labels.port === 'telephony')?.value).toBe(2);
  });

  it('tells the kind of a failure by its HTTP status', () => {
    expect([undefined, 401, 403, 429, 500, 503, 400, 404].map(providerErrorKindOf)).toEqual([
      'unreachable',
      'auth',
      'auth',
      'rate-limit',
      'server',
      'server',
      'client',
      'client',
    ]);
  });
});
