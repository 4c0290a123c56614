/**
 * The load generator's side of the platform benchmark (platform.ts): the platform runs as its own process
 * (tests/support/process.ts, as `npm start` runs it) and everything here reaches it over HTTP only, as a client
 * would: commands through `POST /api/commands/:type`, processor progress through the super admin's
 * `GET /api/admin/processors` (each processor's newest log position handled).
 */
import { z } from 'zod';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { spawnPlatform, type PlatformProcess } from '../support/process.js';

export const ADMIN = { email: 'bench@bench.example', password: 'bench-password-1' };
const METRICS_TOKEN = 'bench-metrics-token-1';
export const TENANT = 'bench';
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** A platform process with its stop bounded: SIGTERM (it closes its stores), SIGKILL after 30 s. */
export interface BenchPlatform extends PlatformProcess {
  readonly startupSeconds: number;
  stop(): Promise<void>;
}

export const startBenchPlatform = async (env: Record<string, string>): Promise<BenchPlatform> => {
  const started = performance.now();
  const child = await spawnPlatform({
    SEED_DEMO: 'false',
    // The pipeline alone: no telephony, no sentence encoder to load, the rate limits lifted (they would
    // measure themselves).
    MEDIA_GATEWAY: 'false',
    KNOWLEDGE_EMBEDDINGS: 'off',
    RATE_LIMIT_PER_KEY: '100000000',
    RATE_LIMIT_PER_IP: '100000000',
    SUPER_ADMIN_EMAIL: ADMIN.email,
    SUPER_ADMIN_PASSWORD: ADMIN.password,
    METRICS_TOKEN,
    ...env,
  });
  const startupSeconds = (performance.now() - started) / 1000;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.child.exitCode !== null || child.child.signalCode !== null) return;
      child.child.kill('SIGTERM');
      const timer = setTimeout(() => child.child.kill('SIGKILL'), 30_000);
      await child.exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  return { ...child, startupSeconds, stop };
};

/** A processor's figures as the platform reports them (its lag meter: the last 10,000 events it handled). */
export interface ProcessorFigures {
  readonly events: number;
  readonly lastPosition: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface Client {
  command(type: string, data: Record<string, unknown>): Promise<{ position: number }>;
  processors(): Promise<Record<string, ProcessorFigures>>;
  /** Events each processor has yet to read, as the bus counts them (`ccp_processor_lag_events` on /metrics). */
  unread(): Promise<Record<string, number>>;
}

const CommandResult = z.object({ position: z.number().int().optional() }).loose();
const Processors = z.object({
  processors: z.record(
    z.string(),
    z.object({ events: z.number(), lastPosition: z.number(), p50Ms: z.number(), p99Ms: z.number() }).loose(),
  ),
});

export const connect = async (url: string): Promise<Client> => {
  const post = async (path: string, body: unknown, token?: string) => {
    const response = await fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${text}`);
    return JSON.parse(text) as unknown;
  };
  const { token } = z.object({ token: z.string() }).parse(await post('/api/auth/login', ADMIN));
  return {
    command: async (type, data) => {
      const result = CommandResult.parse(await post(`/api/commands/${type}`, data, token));
      return { position: result.position ?? 0 };
    },
    processors: async () => {
      const response = await fetch(`${url}/api/admin/processors`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.status !== 200) throw new Error(`processors: ${response.status} ${await response.text()}`);
      return Processors.parse(await response.json()).processors;
    },
    unread: async () => {
      const response = await fetch(`${url}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      if (response.status !== 200) throw new Error(`metrics: ${response.status}`);
      const family = parsePrometheusText(await response.text()).get('ccp_processor_lag_events');
      return Object.fromEntries(
        (family?.samples ?? []).map((sample) => [sample.labels.processor ?? '', sample.value]),
      );
    },
  };
};

const startCall = (client: Client, callId: string) =>
  client.command('StartCall', {
    tenantId: TENANT,
    callId,
    direction: 'inbound',
    from: '+15550001111',
    to: '+15550100001',
    provider: 'simulator',
    agentId: 'a1',
  });

export interface CommandFigures {
  readonly clients: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** The newest log position written. */
  readonly position: number;
}

/** `requests` RecordUtterance commands from `clients` concurrent clients, each on its own call. */
export const commandRate = async (
  client: Client,
  clients: number,
  requests: number,
): Promise<CommandFigures> => {
  const calls = Array.from({ length: clients }, (_, c) => `CA-cmd-${clients}-${c}`);
  for (const callId of calls) await startCall(client, callId);
  const latencies: number[] = [];
  let next = 0;
  let position = 0;
  const started = performance.now();
  await Promise.all(
    calls.map(async (callId) => {
      while (next < requests) {
        const n = next++;
        const t0 = performance.now();
        const result = await client.command('RecordUtterance', {
          tenantId: TENANT,
          callId,
          utteranceId: `u${n}`,
          speaker: 'caller',
          text: `I would like to move my appointment to Friday please, line ${n}`,
          confidence: 0.9,
          language: 'en',
        });
        latencies.push(performance.now() - t0);
        position = Math.max(position, result.position);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    clients,
    perSecond: requests / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    position,
  };
};

/** One call as the pipeline sees it: started, four caller lines each answered by the AI, ended (10 events). */
export const callCommands = (callId: string): readonly [string, Record<string, unknown>][] => [
  [
    'StartCall',
    {
      tenantId: TENANT,
      callId,
      direction: 'inbound',
      from: '+15550001111',
      to: '+15550100001',
      provider: 'simulator',
      agentId: 'a1',
    },
  ],
  ...Array.from({ length: 4 }, (_, n): [string, Record<string, unknown>][] => [
    [
      'RecordUtterance',
      {
        tenantId: TENANT,
        callId,
        utteranceId: `c${n}`,
        speaker: 'caller',
        text: n % 2 ? 'This is terrible, I have waited for an hour' : 'I would like to move my appointment',
        confidence: 0.9,
        language: 'en',
      },
    ],
    [
      'RecordAiReply',
      {
        tenantId: TENANT,
        callId,
        utteranceId: `a${n}`,
        text: 'Sure, Friday at ten works.',
        language: 'en',
        model: 'offline',
        promptTokens: 100,
        completionTokens: 10,
        latencyMs: 30,
      },
    ],
  ]).flat(),
  ['EndCall', { tenantId: TENANT, callId, outcome: 'resolved' }],
];

/** Complete calls written by `concurrency` clients as fast as the platform takes them; the newest position. */
export const writeCalls = async (client: Client, prefix: string, calls: number, concurrency: number) => {
  let next = 0;
  let position = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        const c = next++;
        for (const [type, data] of callCommands(`${prefix}-${c}`))
          position = Math.max(position, (await client.command(type, data)).position);
      }
    }),
  );
  return position;
};

/** What a poll of the processors saw: when the answer arrived, and each processor's newest position. */
export interface Snapshot {
  readonly at: number;
  /** How long the answer took: the resolution of a lag read from it (the platform answers when it can). */
  readonly roundTrip: number;
  readonly positions: Readonly<Record<string, number>>;
  readonly events: Readonly<Record<string, number>>;
}

export const snapshot = async (client: Client): Promise<Snapshot> => {
  const sent = performance.now();
  const figures = await client.processors();
  const at = performance.now();
  return {
    at,
    roundTrip: at - sent,
    positions: Object.fromEntries(Object.entries(figures).map(([name, f]) => [name, f.lastPosition])),
    events: Object.fromEntries(Object.entries(figures).map(([name, f]) => [name, f.events])),
  };
};

export interface DrainFigures {
  /** Events of the backlog still unread by the slowest processor when the first poll answered. */
  readonly remaining: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Per processor: log events/s from the first poll until it reached the head. */
  readonly processors: Readonly<Record<string, number>>;
  readonly complete: boolean;
}

/**
 * Polls until every processor in `concerned` has handled `head`, or `timeoutMs` passed. With `partitioned` (Kafka,
 * where a processor reads its partitions side by side, so its newest position is not all it has read), also until
 * the bus counts nothing unread for it. The embedded bus reads the log in order: its newest position is enough.
 */
export const drain = async (
  client: Client,
  concerned: readonly string[],
  head: number,
  timeoutMs: number,
  partitioned: boolean,
): Promise<DrainFigures> => {
  const first = await snapshot(client);
  const start = Math.min(...concerned.map((name) => first.positions[name] ?? 0));
  const reached: Record<string, number> = {};
  let last = first;
  while (last.at - first.at < timeoutMs) {
    const passed = concerned.filter(
      (name) => reached[name] === undefined && (last.positions[name] ?? 0) >= head,
    );
    const unread = partitioned && passed.length > 0 ? await client.unread() : {};
    for (const name of passed) if ((unread[name] ?? 0) === 0) reached[name] = last.at;
    if (concerned.every((name) => reached[name] !== undefined)) break;
    await sleep(25);
    last = await snapshot(client);
  }
  const complete = concerned.every((name) => reached[name] !== undefined);
  const end = complete ? Math.max(...Object.values(reached)) : last.at;
  const seconds = (end - first.at) / 1000;
  const done = complete ? head : Math.min(...concerned.map((name) => last.positions[name] ?? 0));
  const processors = Object.fromEntries(
    concerned.map((name) => {
      const until = reached[name] ?? last.at;
      const moved =
        (reached[name] !== undefined ? head : (last.positions[name] ?? 0)) - (first.positions[name] ?? 0);
      return [name, moved / ((until - first.at) / 1000)];
    }),
  );
  return { remaining: head - start, seconds, perSecond: (done - start) / seconds, processors, complete };
};

export interface SteadyFigures {
  readonly offered: number;
  readonly achieved: number;
  readonly events: number;
  /** Why the rate was stopped before its time, if it was. */
  readonly stopped?: string;
  /** From the load generator: command acknowledged → a poll showing the event handled. */
  readonly lag: Readonly<Record<string, { p50: number; p99: number; unread: number }>>;
  /**
   * The platform's own lag meter (event recorded → rows written) at the end of the rate, on a platform started
   * for this rate alone, so that its window holds this rate's events only.
   */
  readonly own: Readonly<Record<string, ProcessorFigures>>;
  /** The polls' round trips, p50 and p99. */
  readonly poll: { readonly p50: number; readonly p99: number };
}

/**
 * Calls written at `rate` events/s for `seconds` (each command at its due time, 64 calls in flight), while the
 * processors are polled every 25 ms. Lag of an event for a processor: from its command's acknowledgement to the
 * first poll answer showing the processor at or past its position (so up to one poll and one request high).
 * Stopped early when a processor falls more than `maxLagMs` behind or the writes fall 3 s behind their schedule.
 */
export const steady = async (
  client: Client,
  concerned: readonly string[],
  rate: number,
  seconds: number,
  options: { readonly maxLagMs: number; readonly catchUpMs: number; readonly prefix: string },
): Promise<SteadyFigures> => {
  const written: { position: number; at: number }[] = [];
  const snapshots: Snapshot[] = [];
  // Whole calls (10 events each), so that the last ones end within the time and every call is ended.
  const totalCalls = Math.ceil((rate * seconds) / 10);
  // 64 calls in flight, each command at its due time: a slow answer holds one call, not the schedule.
  const inFlight = 64;
  let stopped: string | undefined;
  let ticket = 0;
  let calls = 0;
  const t0 = performance.now();
  const writer = async () => {
    while (stopped === undefined && calls < totalCalls) {
      for (const [type, data] of callCommands(`${options.prefix}-${calls++}`)) {
        const n = ticket++;
        const due = t0 + (n * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        else if (wait < -3000 && stopped === undefined)
          stopped = `the writes fell ${fmt(-wait)} ms behind their schedule (the platform took fewer commands)`;
        const { position } = await client.command(type, data);
        written.push({ position, at: performance.now() });
      }
    }
  };
  const writing = Promise.all(Array.from({ length: inFlight }, writer));
  let finished = false;
  void writing.finally(() => (finished = true));
  // Polled while writing, then until every processor passed the newest position (or the catch-up time ran out).
  let caughtUpBy: number | undefined;
  for (;;) {
    const seen = await snapshot(client);
    snapshots.push(seen);
    const slowest = Math.min(...concerned.map((name) => seen.positions[name] ?? 0));
    const oldestUnread = written.find((w) => w.position > slowest);
    if (!finished && oldestUnread && seen.at - oldestUnread.at > options.maxLagMs && stopped === undefined)
      stopped = `a processor fell more than ${fmt(options.maxLagMs)} ms behind`;
    if (finished) {
      caughtUpBy ??= seen.at + options.catchUpMs;
      const head = Math.max(0, ...written.map((w) => w.position));
      if (slowest >= head || seen.at > caughtUpBy) break;
    }
    await sleep(25);
  }
  await writing;
  const writeSeconds = (Math.max(...written.map((w) => w.at)) - t0) / 1000;
  const end = snapshots[snapshots.length - 1]?.at ?? performance.now();
  const lag = Object.fromEntries(
    concerned.map((name) => {
      const lags = written.map((w) => {
        // The first answer at or past the position: positions only grow from one poll to the next.
        let lo = 0;
        let hi = snapshots.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((snapshots[mid]?.positions[name] ?? 0) >= w.position) hi = mid;
          else lo = mid + 1;
        }
        const seen = snapshots[lo];
        return seen ? Math.max(0, seen.at - w.at) : end - w.at;
      });
      const unread = written.filter(
        (w) => w.position > (snapshots[snapshots.length - 1]?.positions[name] ?? 0),
      ).length;
      lags.sort((a, b) => a - b);
      return [name, { p50: percentile(lags, 50), p99: percentile(lags, 99), unread }];
    }),
  );
  const trips = snapshots.map((s) => s.roundTrip).sort((a, b) => a - b);
  const own = await client.processors();
  return {
    offered: rate,
    achieved: written.length / writeSeconds,
    events: written.length,
    ...(stopped !== undefined && { stopped }),
    lag,
    own,
    poll: { p50: percentile(trips, 50), p99: percentile(trips, 99) },
  };
};
