import { AsyncLocalStorage } from 'node:async_hooks';
import { Counter, Gauge, Histogram } from 'prom-client';
import { deliveryMetrics, VOICE_SECONDS, type MetricsRegistry } from '@ccp/command-service';
import type { DispatcherStats } from './integrations/dispatcher.js';
import type { LanguageModel } from './llm/port.js';
import { providerErrorCounts, providerFallbacks } from './llm/provider-failures.js';

export interface GatewayMetricSources {
  /** Calls in the gateway now (AI conversations and IVR menus). */
  readonly liveCalls: () => number;
  /** The integrations' delivery counts, once they started. */
  readonly deliveries: () => DispatcherStats | undefined;
  /** The messaging worker's pending and in-flight messages, once it started. */
  readonly messages: () => { readonly pending: number; readonly sending: number } | undefined;
}

/** The model's share of a Media Streams turn, filled in by the model requests made inside it. */
export interface TurnModelTime {
  /** Model time (ms) before the turn's first line went to the text-to-speech. */
  modelMs: number;
  /** performance.now() when the turn's first line went to the text-to-speech; later model time is not waited on. */
  firstLineAt?: number;
}

/** One Media Streams turn's wait, end of the caller's speech to the first audio of the reply, in its parts (ms). */
export interface VoiceTurnTimings {
  /** End of speech to the final transcript. */
  readonly sttMs: number;
  /** Model requests before the first line (a tool call's round trip makes several). */
  readonly modelMs: number;
  /** The first line's synthesis: request to its audio (the adapters hand whole clips: first byte is last). */
  readonly ttsMs: number;
  /** End of speech to the first audio sent. */
  readonly totalMs: number;
}

export interface GatewayMetrics {
  /** The conversation model, timed request by request as the gateway makes them (a fallback included). */
  timedModel(model: LanguageModel): LanguageModel;
  /**
   * The model as the calls use it (a tenant's own included): its time to first token and tokens per request,
   * and its time inside a Media Streams turn (modelTimeIn).
   */
  voiceModel(model: LanguageModel): LanguageModel;
  /** Runs a Media Streams turn's work; the model requests inside it add their time to `time`. */
  modelTimeIn<T>(time: TurnModelTime, work: () => Promise<T>): Promise<T>;
  /** Media Streams: the end of the caller's speech to the first audio of the reply, in milliseconds. */
  firstAudio(ms: number): void;
  /** Media Streams: one turn's wait in its parts; what is left of it is the platform's own time. */
  voiceTurn(timings: VoiceTurnTimings): void;
}

/**
 * The media gateway's metrics. Counts it already keeps (live calls, provider fallbacks, deliveries) are read at
 * each scrape; the per-turn voice latencies are observed as the gateway measures them. Fallbacks are the
 * process's own (provider-failures.ts keeps them for the health page): one platform per process shows them all.
 */
export const gatewayMetrics = (registry: MetricsRegistry, sources: GatewayMetricSources): GatewayMetrics => {
  const registers = [registry];
  // The speech and model adapters count their errors in the process (like the fallbacks): read at each scrape.
  deliveryMetrics(registry).addProviderErrorSource(providerErrorCounts);
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
  const sttSeconds = new Histogram({
    name: 'ccp_voice_stt_seconds',
    help: "Media Streams: from the end of the caller's speech to its final transcript",
    buckets: VOICE_SECONDS,
    registers,
  });
  const firstToken = new Histogram({
    name: 'ccp_voice_llm_first_token_seconds',
    help: 'Time to the first token of each conversation-model request (to the whole answer when it is not streamed)',
    buckets: VOICE_SECONDS,
    registers,
  });
  const tokens = new Counter({
    name: 'ccp_voice_llm_tokens_total',
    help: 'Tokens of the conversation-model requests as the providers count them, by type: input or output',
    labelNames: ['type'],
    registers,
  });
  const turnModel = new Histogram({
    name: 'ccp_voice_turn_llm_seconds',
    help: "Media Streams: the conversation model's time in a turn before its first line was said",
    buckets: VOICE_SECONDS,
    registers,
  });
  const ttsFirstByte = new Histogram({
    name: 'ccp_voice_tts_first_byte_seconds',
    help: "Media Streams: text-to-speech of a turn's first line, from the request to its audio",
    buckets: VOICE_SECONDS,
    registers,
  });
  const overhead = new Histogram({
    name: 'ccp_voice_turn_overhead_seconds',
    help: "Media Streams: a turn's wait for first audio less its speech-to-text, model and text-to-speech time (commands, tools, the gateway)",
    buckets: VOICE_SECONDS,
    registers,
  });
  const turnTimes = new AsyncLocalStorage<TurnModelTime>();
  return {
    voiceModel: (model) => ({
      name: model.name,
      ...(model.warm !== undefined && { warm: model.warm.bind(model) }),
      respond: async (request) => {
        const started = performance.now();
        let firstAt: number | undefined;
        const turn = turnTimes.getStore();
        try {
          const response = await model.respond({
            ...request,
            onFirstToken: () => {
              firstAt ??= performance.now();
              request.onFirstToken?.();
            },
          });
          firstToken.observe(((firstAt ?? performance.now()) - started) / 1000);
          tokens.inc({ type: 'input' }, response.usage.promptTokens);
          tokens.inc({ type: 'output' }, response.usage.completionTokens);
          return response;
        } finally {
          // Only what the caller waited on: model time after the first line went to speech is heard over.
          if (turn !== undefined) {
            const end = Math.min(performance.now(), turn.firstLineAt ?? Infinity);
            turn.modelMs += Math.max(0, end - started);
          }
        }
      },
    }),
    modelTimeIn: (time, work) => turnTimes.run(time, work),
    voiceTurn: ({ sttMs, modelMs, ttsMs, totalMs }) => {
      sttSeconds.observe(sttMs / 1000);
      turnModel.observe(modelMs / 1000);
      ttsFirstByte.observe(ttsMs / 1000);
      overhead.observe(Math.max(0, totalMs - sttMs - modelMs - ttsMs) / 1000);
    },
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
