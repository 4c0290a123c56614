import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { gatewayMetrics, type TurnModelTime } from './gateway-metrics.js';
import type { LanguageModel, LlmRequest } from './llm/port.js';

const REQUEST = {
  system: 'You answer calls.',
  messages: [{ role: 'user', content: 'Hello' }],
  tools: [],
  language: 'en',
  languages: ['en'],
  now: new Date(),
  timeZone: 'UTC',
} as LlmRequest;

/** A model whose first token comes after `firstMs` (when it streams) and whose answer after 80 ms. */
const modelAnswering = (firstMs: number | undefined): LanguageModel => ({
  name: 'stand-in',
  respond: async (request) => {
    if (firstMs !== undefined) {
      await sleep(firstMs);
      request.onFirstToken?.();
      request.onFirstToken?.();
    }
    await sleep(80 - (firstMs ?? 0));
    return {
      text: 'Hi.',
      toolCalls: [],
      model: 'stand-in',
      usage: { promptTokens: 10, completionTokens: 5 },
    };
  },
});

const metricsOn = () => {
  const registry = new Registry();
  const metrics = gatewayMetrics(registry, {
    liveCalls: () => 0,
    deliveries: () => undefined,
    messages: () => undefined,
  });
  const value = async (name: string, sample: string, labels: Record<string, string> = {}) =>
    ((await registry.getSingleMetric(name)?.get())?.values ?? [])
      .filter(
        (v) =>
          // A histogram's values name their series (_sum, _count, _bucket); a counter's are the metric's own.
          ((v as { metricName?: string }).metricName ?? name) === sample &&
          Object.entries(labels).every(([k, l]) => v.labels[k] === l),
      )
      .reduce((sum, v) => sum + v.value, 0);
  return { metrics, value };
};

describe("the voice model's metrics", () => {
  it('times the first token of a streamed answer, the whole answer otherwise, and counts the tokens', async () => {
    const { metrics, value } = metricsOn();
    const told: number[] = [];
    await metrics.voiceModel(modelAnswering(30)).respond({ ...REQUEST, onFirstToken: () => told.push(1) });
    // The caller's own onFirstToken still hears it, once as the adapter said it.
    expect(told).toHaveLength(2);
    const streamed = await value(
      'ccp_voice_llm_first_token_seconds',
      'ccp_voice_llm_first_token_seconds_sum',
    );
    expect(streamed).toBeGreaterThanOrEqual(0.025);
    expect(streamed).toBeLessThan(0.075);
    await metrics.voiceModel(modelAnswering(undefined)).respond(REQUEST);
    const both = await value('ccp_voice_llm_first_token_seconds', 'ccp_voice_llm_first_token_seconds_sum');
    expect(both - streamed).toBeGreaterThanOrEqual(0.075);
    expect(await value('ccp_voice_llm_tokens_total', 'ccp_voice_llm_tokens_total', { type: 'input' })).toBe(
      20,
    );
    expect(await value('ccp_voice_llm_tokens_total', 'ccp_voice_llm_tokens_total', { type: 'output' })).toBe(
      10,
    );
  });

  it("adds to a Media Streams turn only the model time before the turn's first line went to speech", async () => {
    const { metrics } = metricsOn();
    const model = metrics.voiceModel(modelAnswering(undefined));
    const time: TurnModelTime = { modelMs: 0 };
    await metrics.modelTimeIn(time, async () => {
      await model.respond(REQUEST);
      // A filler line is said 20 ms into the second request: the rest of it is heard over.
      const second = model.respond(REQUEST);
      await sleep(20);
      time.firstLineAt = performance.now();
      await second;
      // After the first line, a request adds nothing.
      await model.respond(REQUEST);
    });
    expect(time.modelMs).toBeGreaterThanOrEqual(95);
    expect(time.modelMs).toBeLessThan(140);
    // Outside a turn nothing is added anywhere.
    await model.respond(REQUEST);
    expect(time.modelMs).toBeLessThan(140);
  });
});
