import { Counter, Gauge, Histogram } from 'prom-client';
import { VOICE_SECONDS, type MetricsRegistry } from '@ccp/command-service';
import type { DispatcherStats } from './integrations/dispatcher.js';
import type { LanguageModel } from './llm/port.js';
import { providerFallbacks } from './llm/provider-failures.js';

export interface GatewayMetricSources {
  /** Calls in the gateway now (AI conversations and IVR menus). */
  readonly liveCalls: () => number;
  /** The integrations' delivery counts, once they started. */
  readonly deliveries: () => DispatcherStats | undefined;
  /** The messaging worker's pending and in-flight messages, once it started. */
  readonly messages: () => { readonly pending: number; readonly sending: number } | undefined;
}

export interface GatewayMetrics {
  /** The conversation model, timed request by request as the gateway makes them (a fallback included). */
  timedModel(model: LanguageModel): LanguageModel;
  /** Media Streams: the end of the caller's speech to the first audio of the reply, in milliseconds. */
  firstAudio(ms: number): void;
}

/**
 * The media gateway's metrics. Counts it already keeps (live calls, provider fallbacks, deliveries) are read at
 * each scrape; the per-turn voice latencies are observed as the gateway measures them. Fallbacks are the
 * process's own (provider-failures.ts keeps them for the health page): one platform per process shows them all.
 */
export const gatewayMetrics = (registry: MetricsRegistry, sources: GatewayMetricSources): GatewayMetrics => {
  const registers = [registry];
  new Gauge({
    name: 'ccp_calls_active',
    help: 'Calls the media gateway is handling now (AI conversations and IVR menus)',
    registers,
    collect() {
      this.set(sources.liveCalls());
    },
  });
  new Counter({
    name: 'ccp_provider_fallbacks_total',
    help: 'Turns a platform provider failed and the offline fallback answered, by port (llm, stt, tts), provider and reason',
    labelNames: ['port', 'provider', 'reason'],
    registers,
    collect() {
      this.reset();
      for (const { port, provider, byReason } of providerFallbacks()) {
        for (const [reason, count] of Object.entries(byReason)) this.inc({ port, provider, reason }, count);
      }
    },
  });
  new Counter({
    name: 'ccp_integration_delivery_attempts_total',
    help: "Attempts to deliver to tenants' connections (webhooks, CRMs, helpdesks, chat), by outcome: delivered or failed",
    labelNames: ['outcome'],
    registers,
    collect() {
      this.reset();
      const stats = sources.deliveries();
      this.inc({ outcome: 'delivered' }, stats?.delivered ?? 0);
      this.inc({ outcome: 'failed' }, stats?.failed ?? 0);
    },
  });
  new Counter({
    name: 'ccp_integration_deliveries_cancelled_total',
    help: 'Deliveries cancelled because their connection was disabled or removed',
    registers,
    collect() {
      this.reset();
      this.inc(sources.deliveries()?.cancelled ?? 0);
    },
  });
  new Gauge({
    name: 'ccp_integration_deliveries_pending',
    help: "Deliveries to tenants' connections waiting for an attempt or a retry",
    registers,
    collect() {
      this.set(sources.deliveries()?.pending ?? 0);
    },
  });
  new Gauge({
    name: 'ccp_messages_pending',
    help: 'Messages to contacts (SMS, WhatsApp, email) scheduled and not yet sent, failed for good or cancelled',
    registers,
    collect() {
      this.set(sources.messages()?.pending ?? 0);
    },
  });
  const modelSeconds = new Histogram({
    name: 'ccp_voice_model_request_duration_seconds',
    help: 'Time of each conversation-model request as the gateway makes it, fallback included (a turn with tool calls makes several)',
    labelNames: ['outcome'],
    buckets: VOICE_SECONDS,
    registers,
  });
  const firstAudio = new Histogram({
    name: 'ccp_voice_first_audio_seconds',
    help: "Media Streams: from the end of the caller's speech to the first audio of the reply",
    buckets: VOICE_SECONDS,
    registers,
  });
  return {
    timedModel: (model) => ({
      name: model.name,
      // Warming the server's prompt cache is no turn: kept, and not timed.
      ...(model.warm !== undefined && { warm: model.warm.bind(model) }),
      respond: async (request) => {
        const started = performance.now();
        let outcome = 'error';
        try {
          const response = await model.respond(request);
          outcome = response.fallback === true ? 'fallback' : 'ok';
          return response;
        } finally {
          modelSeconds.observe({ outcome }, (performance.now() - started) / 1000);
        }
      },
    }),
    firstAudio: (ms) => firstAudio.observe(ms / 1000),
  };
};
