/**
 * Conversation benchmark (issue 23, "Measure"): the same scripted callers against the offline dialogue engine and
 * against a local LLM (`LLM_PROVIDER=openai-compatible`, a llama.cpp server), on the embedded platform's demo
 * tenant over signed Twilio webhooks. Figures (printed, never asserted), per engine:
 *   - task success per category and overall, checked on each call's events and what the caller heard;
 *   - model time per turn (the conversation model as the gateway calls it, fallback included), p50/p95;
 *   - webhook → TwiML per gather round trip, p50/p95;
 *   - Media Streams: the caller's end of speech → first audio of the answer, as the gateway measures it and as
 *     the caller hears it, p50/p95;
 *   - fallbacks: replies recorded with the offline engine's model while the LLM was asked, and the logged causes;
 * and the ratios LLM / offline. Aim (the issue's): the LLM path never below the offline engine, first audio within
 * 1.5 s at p95 with streaming on 2 cores.
 *
 * Run: `npx tsx tests/bench/llm-conversation.ts [offline|llm|both] [--calls N] [--per-category N] [--stream N]`
 *   --calls N   the first N gather calls of the scenario list (default: all)
 *   --per-category N  at most N gather calls of each category (default: all)
 *   --stream N  the first N Media Streams calls (default: all)
 * The LLM: LLM_BASE_URL and LLM_MODEL when set (any OpenAI-compatible server), else a llama.cpp server started
 * here (the pinned model, or --model-file <a GGUF>). LLM_TIMEOUT_MS, LLM_FIRST_TOKEN_MS, LLM_MAX_RETRIES,
 * LLM_STREAM, LLM_FILLER_MS and LLM_MODE are passed on. SHOW_CALLS=1 prints every transcript, BENCH_LOG=1 the platform's log.
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_NUMBER, DEMO_TENANT, DEMO_TIME_ZONE, startLlamaServer } from '@ccp/infra';
import { timedModel } from './timed-model.js';
import { placeInboundCall } from '@ccp/media-gateway/simulator';
import { z } from 'zod';
import { nextMondayInNewYork, startGatewayPlatform } from '../support/gateway.js';
import {
  CATEGORIES,
  SCENARIOS,
  STREAM_SCENARIOS,
  repliesOf,
  type BenchScenario,
  type CallRecord,
} from './llm-conversation-callers.js';
import { bookedOn, knowledgeNumbers } from './conversation/call-record.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    calls: { type: 'string' },
    'per-category': { type: 'string' },
    stream: { type: 'string' },
    'model-file': { type: 'string' },
  },
});
const which = z.enum(['offline', 'llm', 'both']).parse(positionals[0] ?? 'both');
const count = (value: string | undefined, all: number) =>
  value === undefined ? all : Math.min(all, z.coerce.number().int().nonnegative().parse(value));
const perCategory = count(values['per-category'], SCENARIOS.length);
const gatherCalls = SCENARIOS.filter(
  (s, i) => SCENARIOS.slice(0, i).filter((t) => t.category === s.category).length < perCategory,
).slice(0, count(values.calls, SCENARIOS.length));
const streamCalls = STREAM_SCENARIOS.slice(0, count(values.stream, STREAM_SCENARIOS.length));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const ms = (n: number) =>
  Number.isNaN(n) ? 'n/a' : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`;
const pct = (ok: number, all: number) =>
  all === 0 ? 'n/a' : `${ok}/${all} (${((100 * ok) / all).toFixed(0)}%)`;

interface BenchLlm {
  readonly baseURL: string;
  readonly model: string;
  stop(): Promise<void>;
}

const startBenchLlm = async (): Promise<BenchLlm> => {
  const baseURL = process.env['LLM_BASE_URL'];
  const model = process.env['LLM_MODEL'];
  if (baseURL !== undefined && model !== undefined) return { baseURL, model, stop: async () => undefined };
  const file = values['model-file'];
  console.log(
    `  starting llama-server (${file ?? 'the pinned model'}; built and fetched once into ~/.cache/ccp-llama)`,
  );
  return startLlamaServer({
    ...(file !== undefined && { model: file, alias: basename(file).replace(/\.gguf$/, '') }),
    log: (line) => console.log(`    llama: ${line}`),
  });
};

interface Outcome {
  readonly scenario: BenchScenario;
  readonly mode: 'gather' | 'stream';
  readonly failures: readonly string[];
  /** Errors of the call itself (an HTTP error, a webhook that timed out, a broken stream). */
  readonly errors: number;
  readonly transcript: string;
}

interface Figures {
  readonly label: string;
  /** Whether the LLM was asked (fallbacks are counted only then). */
  readonly llm: boolean;
  readonly outcomes: Outcome[];
  readonly modelMs: number[];
  readonly webhookMs: number[];
  /** End of the caller's speech → first audio out, as the gateway measured it. */
  readonly firstAudioMs: number[];
  /** The same as the caller heard it (the simulator's clock). */
  readonly heardAudioMs: number[];
  /** Prompt and completion tokens of each reply, as the engine counted them. */
  readonly tokens: { prompt: number; completion: number }[];
  /** AiReplied.model → how many replies. */
  readonly models: Map<string, number>;
  readonly fallbackCauses: string[];
  seconds: number;
}

const runEngine = async (label: string, llm: BenchLlm | undefined): Promise<Figures> => {
  const figures: Figures = {
    label,
    llm: llm !== undefined,
    outcomes: [],
    modelMs: [],
    webhookMs: [],
    firstAudioMs: [],
    heardAudioMs: [],
    models: new Map(),
    tokens: [],
    fallbackCauses: [],
    seconds: 0,
  };
  let streaming = false;
  const passOn = [
    'LLM_TIMEOUT_MS',
    'LLM_FIRST_TOKEN_MS',
    'LLM_MAX_RETRIES',
    'LLM_STREAM',
    'LLM_FILLER_MS',
    'LLM_MODE',
  ];
  const monday = nextMondayInNewYork(11);
  const env = await startGatewayPlatform({
    now: () => monday,
    env: {
      ...(llm && { LLM_PROVIDER: 'openai-compatible', LLM_BASE_URL: llm.baseURL, LLM_MODEL: llm.model }),
      ...Object.fromEntries(passOn.flatMap((key) => (process.env[key] ? [[key, process.env[key]]] : []))),
    },
    hooks: {
      wrapModel: timedModel(figures.modelMs),
      onTurnLatency: (t) => {
        if (streaming) figures.firstAudioMs.push(t);
      },
    },
    // The fallback's log line names its cause ("llm: <why>; offline-dialogue answers instead").
    log: (line) => {
      if (/^llm: .*answers instead/.test(line)) figures.fallbackCauses.push(line);
      if (process.env['BENCH_LOG']) console.log(`    log: ${line}`);
    },
  });
  const knownNumbers = await knowledgeNumbers(env, DEMO_TENANT);
  const started = performance.now();
  try {
    let n = 0;
    for (const [mode, list] of [
      ['gather', gatherCalls],
      ['stream', streamCalls],
    ] as const) {
      streaming = mode === 'stream';
      for (const scenario of list) {
        n += 1;
        const result = await placeInboundCall({
          baseUrl: env.test.url,
          voicePath: mode === 'stream' ? '/twilio/voice?mode=stream' : '/twilio/voice',
          statusCallbackPath: '/twilio/status',
          authToken: env.authToken,
          accountSid: env.accountSid,
          // A new caller each time: no history of earlier calls' bookings.
          from: `+1555${String(3_000_000 + n).padStart(7, '0')}`,
          to: DEMO_NUMBER,
          caller: scenario.caller(),
          registry: env.carrier.registry,
          media: { realtime: true, endSilenceMs: 400, responseTimeoutMs: 60_000 },
        });
        const events = await env.callEvents(result.callSid);
        const record: CallRecord = {
          result,
          events,
          bookedAt: (await bookedOn(env, DEMO_TENANT, events)).map((b) => b.startsAt),
          knownNumbers,
          timeZone: DEMO_TIME_ZONE,
        };
        const transcript = result.transcript.map((l) => `${l.speaker}: ${l.text}`).join('\n      ');
        figures.outcomes.push({
          scenario,
          mode,
          failures: scenario.check(record),
          errors: result.errors.length,
          transcript,
        });
        for (const exchange of result.exchanges)
          if (exchange.status === 200 && /\/twilio\/(voice|turn)/.test(exchange.url))
            figures.webhookMs.push(exchange.durationMs);
        for (const stream of result.streams)
          for (const t of stream.timings) figures.heardAudioMs.push(t.fromSpeechEndMs);
        for (const reply of repliesOf(events))
          figures.tokens.push({ prompt: reply.promptTokens, completion: reply.completionTokens });
        for (const reply of repliesOf(events))
          figures.models.set(reply.model, (figures.models.get(reply.model) ?? 0) + 1);
        const last = figures.outcomes.at(-1);
        console.log(
          `  ${label} ${mode} ${scenario.category} / ${scenario.name}: ${last?.failures.length === 0 ? 'ok' : `FAILED ${last?.failures.join('; ')}`}`,
        );
        if (process.env['SHOW_CALLS'] || (last?.failures.length ?? 0) > 0) console.log(`      ${transcript}`);
      }
    }
  } finally {
    figures.seconds = (performance.now() - started) / 1000;
    // A turn the caller gave up on (Twilio's 15 s webhook timeout) may still be running: let it end first.
    const settle = performance.now() + 30_000;
    while ((env.gateway.gateway()?.liveCalls ?? 0) > 0 && performance.now() < settle) await sleep(200);
    await env.stop();
  }
  return figures;
};

/** Replies the offline engine gave while the LLM was the model: its model names itself "offline-…". */
const fallbackReplies = (f: Figures) =>
  !f.llm ? 0 : [...f.models].reduce((sum, [model, n]) => sum + (/^offline/.test(model) ? n : 0), 0);
const successOf = (f: Figures, keep: (o: Outcome) => boolean) => {
  const outcomes = f.outcomes.filter(keep);
  return { ok: outcomes.filter((o) => o.failures.length === 0).length, all: outcomes.length };
};

const print = (f: Figures) => {
  console.log(`\n${f.label} (${f.outcomes.length} calls in ${f.seconds.toFixed(0)} s)`);
  for (const category of CATEGORIES) {
    const s = successOf(f, (o) => o.mode === 'gather' && o.scenario.category === category);
    if (s.all > 0) console.log(`  task success, ${category}: ${pct(s.ok, s.all)}`);
  }
  const gather = successOf(f, (o) => o.mode === 'gather');
  const stream = successOf(f, (o) => o.mode === 'stream');
  console.log(
    `  task success, gather overall: ${pct(gather.ok, gather.all)}; media streams: ${pct(stream.ok, stream.all)}`,
  );
  const cut = f.outcomes.filter((o) => o.errors > 0).length;
  console.log(
    `  calls cut by an application error (e.g. Twilio's 15 s webhook timeout): ${cut}/${f.outcomes.length}`,
  );
  console.log(
    `  model time per turn (${f.modelMs.length} turns): p50 ${ms(percentile(f.modelMs, 50))}, p95 ${ms(percentile(f.modelMs, 95))}`,
  );
  console.log(
    `  webhook → TwiML (${f.webhookMs.length}): p50 ${ms(percentile(f.webhookMs, 50))}, p95 ${ms(percentile(f.webhookMs, 95))}`,
  );
  console.log(
    `  media streams, end of speech → first audio: gateway p50 ${ms(percentile(f.firstAudioMs, 50))}, ` +
      `p95 ${ms(percentile(f.firstAudioMs, 95))} (${f.firstAudioMs.length} turns); as heard p50 ` +
      `${ms(percentile(f.heardAudioMs, 50))}, p95 ${ms(percentile(f.heardAudioMs, 95))}; within 1.5 s: ` +
      pct(f.firstAudioMs.filter((t) => t <= 1500).length, f.firstAudioMs.length),
  );
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  console.log(
    `  tokens per reply: prompt mean ${mean(f.tokens.map((t) => t.prompt)).toFixed(0)}, p95 ` +
      `${percentile(
        f.tokens.map((t) => t.prompt),
        95,
      )}; completion mean ${mean(f.tokens.map((t) => t.completion)).toFixed(0)}`,
  );
  const replies = [...f.models.values()].reduce((a, b) => a + b, 0);
  console.log(
    `  replies by model: ${[...f.models].map(([m, n]) => `${m} ${n}`).join(', ')}; ` +
      // In assist mode the offline engine answers by design: only the logged causes are fallbacks.
      (process.env['LLM_MODE'] === 'assist'
        ? 'assist mode, '
        : `fallbacks ${fallbackReplies(f)}/${replies} replies, `) +
      `${f.fallbackCauses.length} logged`,
  );
  const causes = new Map<string, number>();
  for (const line of f.fallbackCauses) {
    // "llm: <provider> failed (<reason>): <message>; <fallback> answers instead"
    const cause = /failed \(([^)]+)\)/.exec(line)?.[1] ?? line.replace(/^llm: /, '').slice(0, 120);
    causes.set(cause, (causes.get(cause) ?? 0) + 1);
  }
  for (const [cause, n] of causes) console.log(`    ${n}× ${cause}`);
};

const ratio = (llm: number, offline: number) =>
  offline === 0 || Number.isNaN(llm / offline) ? 'n/a' : `${(llm / offline).toFixed(2)}×`;
const compare = (offline: Figures, llm: Figures) => {
  console.log('\nLLM / offline');
  for (const category of [...CATEGORIES, undefined]) {
    const keep = (o: Outcome) =>
      o.mode === 'gather' && (category === undefined || o.scenario.category === category);
    const a = successOf(llm, keep);
    const b = successOf(offline, keep);
    if (b.all === 0) continue;
    const verdict = a.ok >= b.ok ? 'not below' : 'BELOW';
    console.log(
      `  task success, ${category ?? 'overall'}: ${a.ok}/${a.all} vs ${b.ok}/${b.all} (${verdict})`,
    );
  }
  for (const [what, a, b] of [
    ['model time p50', percentile(llm.modelMs, 50), percentile(offline.modelMs, 50)],
    ['model time p95', percentile(llm.modelMs, 95), percentile(offline.modelMs, 95)],
    ['first audio p50', percentile(llm.firstAudioMs, 50), percentile(offline.firstAudioMs, 50)],
    ['first audio p95', percentile(llm.firstAudioMs, 95), percentile(offline.firstAudioMs, 95)],
  ] as const)
    console.log(`  ${what}: ${ms(a)} vs ${ms(b)} (${ratio(a, b)})`);
};

console.log(
  `\nConversation benchmark: ${gatherCalls.length} gather calls, ${streamCalls.length} Media Streams calls per engine ` +
    '(embedded platform, demo tenant, Monday 11:00 in New York, signed Twilio webhooks)',
);
const results: Partial<Record<'offline' | 'llm', Figures>> = {};
if (which !== 'llm') results.offline = await runEngine('offline engine', undefined);
if (which !== 'offline') {
  const llm = await startBenchLlm();
  try {
    results.llm = await runEngine(`LLM ${llm.model}`, llm);
  } finally {
    await llm.stop();
  }
}
for (const f of Object.values(results)) print(f);
if (results.offline && results.llm) compare(results.offline, results.llm);
