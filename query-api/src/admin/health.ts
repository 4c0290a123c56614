import { z } from 'zod';
import type { EventStore } from '@ccp/command-service';
import type { ReadStore } from '@ccp/projections';

/** A remote provider's last failure, as the media gateway reports it (the platform hands its report over). */
export const ProviderFailure = z.object({
  port: z.enum(['llm', 'stt', 'tts']),
  provider: z.string(),
  kind: z.enum(['auth', 'rate-limit', 'server', 'client', 'unreachable']),
  status: z.number().int().optional(),
  /** Why a model's turn failed (timeout, empty-reply, not-speech, …), when the failure is not an HTTP status's. */
  reason: z.string().optional(),
  message: z.string(),
  at: z.string(),
  recovered: z.boolean(),
});
export type ProviderFailure = z.infer<typeof ProviderFailure>;

/** How often calls fell back from a provider since the media gateway started, by reason (the gateway's count). */
export const ProviderFallbacks = z.object({
  port: z.enum(['llm', 'stt', 'tts']),
  provider: z.string(),
  total: z.number().int(),
  byReason: z
    .record(z.string(), z.number().int())
    .describe('timeout, first-token-timeout, unreachable, http-error, malformed, empty-reply, not-speech'),
  lastReason: z.string(),
  lastAt: z.string(),
});
export type ProviderFallbacks = z.infer<typeof ProviderFallbacks>;

const Probe = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });
export const PlatformHealth = z.object({
  status: z.enum(['ok', 'degraded']),
  eventStore: Probe,
  readStore: Probe,
  processors: z.unknown().describe("Each stream processor's lag, as the processors report it"),
  engines: z.record(z.string(), z.string()).describe('Which adapter each port runs on'),
  providerFailures: z
    .array(ProviderFailure)
    .describe(
      "Each remote provider's last failure (calls fell back to the offline engine); degraded until it answers again",
    ),
  providerFallbacks: z
    .array(ProviderFallbacks)
    .describe("How often each platform provider's calls fell back to the offline engine, and why"),
  voice: z.object({
    callsLastHour: z.number().int(),
    failedLastHour: z.number().int(),
    activeCalls: z.number().int(),
  }),
});

const probe = async (check: () => Promise<unknown>): Promise<z.infer<typeof Probe>> => {
  const started = performance.now();
  try {
    await check();
    return { ok: true, latencyMs: performance.now() - started };
  } catch (error) {
    return { ok: false, latencyMs: performance.now() - started, error: String(error).slice(0, 300) };
  }
};

/** Whether the engines answer, how far behind the processors are, and how calls are going. */
export const platformHealth = async (
  deps: {
    store: EventStore;
    readStore: ReadStore;
    processors: () => unknown;
    engines: Readonly<Record<string, string>>;
    providerFailures: () => readonly ProviderFailure[];
    providerFallbacks: () => readonly ProviderFallbacks[];
  },
  now: Date,
): Promise<z.infer<typeof PlatformHealth>> => {
  const eventStore = await probe(() => deps.store.readAll({ maxCount: 1 }));
  const readStore = await probe(() => deps.readStore.query('SELECT 1'));
  let voice = { callsLastHour: 0, failedLastHour: 0, activeCalls: 0 };
  if (readStore.ok) {
    const [row] = await deps.readStore.query<Record<string, unknown>>(
      `SELECT countIf(started_at >= {now:DateTime64(3, 'UTC')} - INTERVAL 1 HOUR) AS calls,
              countIf(started_at >= {now:DateTime64(3, 'UTC')} - INTERVAL 1 HOUR AND outcome = 'failed') AS failed,
              countIf(status != 'ended' AND started_at >= {now:DateTime64(3, 'UTC')} - INTERVAL 1 DAY) AS active
         FROM calls FINAL WHERE started_at >= {now:DateTime64(3, 'UTC')} - INTERVAL 1 DAY`,
      { now },
    );
    voice = {
      callsLastHour: Number(row?.['calls'] ?? 0),
      failedLastHour: Number(row?.['failed'] ?? 0),
      activeCalls: Number(row?.['active'] ?? 0),
    };
  }
  const failures = [...deps.providerFailures()];
  return {
    status: eventStore.ok && readStore.ok && failures.every((f) => f.recovered) ? 'ok' : 'degraded',
    eventStore,
    readStore,
    processors: deps.processors(),
    engines: { ...deps.engines },
    providerFailures: failures,
    providerFallbacks: [...deps.providerFallbacks()],
    voice,
  };
};
