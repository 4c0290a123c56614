import { describe, expect, it } from 'vitest';
import { DEMO_TENANT } from '@ccp/infra';
import { apiClient } from '../support/platform.js';
import { test, tokens, useQueryPlatform, validate } from '../support/query-platform.js';

// The live dashboard's metrics, pushed as server-sent events.
useQueryPlatform();

describe('live metrics', () => {
  // How soon is a figure of the benchmarks (the read-side pipeline's lag p50/p99), not an assertion here.
  it('pushes a change to a dashboard after the event', { timeout: 30_000 }, async () => {
    const controller = new AbortController();
    const response = await fetch(`${test.url}/api/live/stream`, {
      headers: { authorization: `Bearer ${tokens.get('supervisor')}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const nextMetrics = async (): Promise<{ activeCalls: number }> => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (/^event: metrics$/m.test(frame) && data !== undefined)
            return JSON.parse(data) as { activeCalls: number };
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    const before = await nextMetrics();
    expect(validate('liveMetrics', 200, before)).toEqual([]);
    const root = apiClient(test.url, tokens.get('super_admin'));
    expect(
      (
        await root.command('StartCall', {
          tenantId: DEMO_TENANT,
          callId: 'CA-q-live',
          direction: 'inbound',
          from: '+15550001111',
          to: '+15550100001',
          provider: 'simulator',
          agentId: 'sofia',
        })
      ).status,
    ).toBe(200);
    // The frames that follow the change: the first that differs counts the call exactly once more.
    let after = await nextMetrics();
    while (after.activeCalls === before.activeCalls) after = await nextMetrics();
    expect(after.activeCalls).toBe(before.activeCalls + 1);
    controller.abort();
    await root.command('EndCall', { tenantId: DEMO_TENANT, callId: 'CA-q-live', outcome: 'abandoned' });
  });
});
