/**
 * Benchmarks of outbound campaigns, printed as figures and ratios (never asserted):
 *   - lead import: rows per second through `POST /api/campaigns/:id/leads/import` for a 100,000-row CSV (streamed
 *     from disk, validated, zones looked up, staged and committed), and the process's peak memory growth;
 *   - dial decisions: AdvanceCampaign decided over a campaign with 100,000 pending leads (the dialer's tick);
 *   - pacing: the dialer at 50 concurrent calls on the local carrier (callees that ring ten seconds and do not
 *     answer), target calls per second against the achieved rate and the spread of the intervals.
 * Run with `npm run bench`, or one part: `npx tsx tests/bench/campaigns.ts [import|decisions|pacing]`.
 */
import { createWriteStream, mkdtempSync, openAsBlob, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { campaignDecider, fold, type CampaignEvent, type CampaignState } from '@ccp/command-service';
import { DEMO_NUMBER, DEMO_TENANT, seedDemo } from '@ccp/infra';
import {
  DEFAULT_RETRY_POLICY,
  SYSTEM_ACTOR,
  type CampaignSettings,
  type Lead,
  type EventEnvelope,
} from '@ccp/schemas';
import { startGatewayPlatform } from '../support/gateway.js';
import { campaignEvents, launchCampaign, waitFor } from '../support/campaign-dialer.js';
import { login, startTestPlatform } from '../support/platform.js';

const dir = mkdtempSync(join(tmpdir(), 'ccp-bench-campaigns-'));
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const mb = (bytes: number) => `${fmt(bytes / 1024 / 1024, 1)} MB`;
const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Four zones' worth of US and Spanish numbers, a name and two variables per row. */
const writeCsv = async (path: string, rows: number): Promise<void> => {
  const file = createWriteStream(path);
  const areas = ['212', '310', '312', '305'];
  file.write('phone,first_name,last_name,plan,notes\n');
  for (let i = 0; i < rows; i += 1) {
    const phone =
      i % 5 === 4
        ? `+3491${String(1_000_000 + i).slice(-7)}`
        : `+1${areas[i % 4]}${String(2_000_000 + i).slice(-7)}`;
    if (!file.write(`${phone},Name${i},Family${i},gold,"row ${i}, imported"\n`)) await once(file, 'drain');
  }
  file.end();
  await once(file, 'finish');
};

const importBenchmark = async () => {
  const rows = 100_000;
  const csv = join(dir, 'leads.csv');
  await writeCsv(csv, rows);
  const t = await startTestPlatform(join(dir, 'import'), {
    env: { RATE_LIMIT_PER_KEY: '100000000', RATE_LIMIT_PER_IP: '100000000' },
  });
  try {
    await seedDemo(t.platform, 'demo-password-1');
    await t.platform.handler.handleTrusted(
      'CreateCampaign',
      {
        tenantId: DEMO_TENANT,
        campaignId: 'bench',
        name: 'Benchmark',
        agentId: 'sofia',
        callerIds: [DEMO_NUMBER],
        startDate: inDays(7),
        timeZone: 'America/New_York',
        windows: [{ days: EVERY_DAY, start: 540, end: 1200 }],
        holidays: [],
        retry: DEFAULT_RETRY_POLICY,
        pacing: { maxConcurrentCalls: 5, callsPerSecond: 1, inboundReserve: 0 },
        voicemail: { action: 'hang_up' },
      },
      { actor: SYSTEM_ACTOR },
    );
    const token = await login(t.url, 'admin@demo.example', 'demo-password-1');
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const started = performance.now();
    const response = await fetch(`${t.url}/api/campaigns/bench/leads/import?tenantId=${DEMO_TENANT}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
      body: await openAsBlob(csv),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    if (response.status !== 201) throw new Error(`import refused: ${JSON.stringify(answer).slice(0, 500)}`);
    console.log(
      `lead import, ${fmt(rows)} CSV rows: ${fmt(rows / seconds)} rows/s (${fmt(seconds, 2)} s), ` +
        `added ${String(answer['added'])}; peak memory growth ${mb(peak - before)} ` +
        `(process peak ${mb(peak)}); aim ≥ 20,000 rows/s under 200 MB: ` +
        `${fmt(rows / seconds / 20_000, 2)}× the rate, ${fmt((peak - before) / (200 * 1024 * 1024), 2)}× the memory`,
    );
  } finally {
    await t.stop();
  }
};

const decisionBenchmark = () => {
  const leads = 100_000;
  const settings: CampaignSettings = {
    name: 'Decisions',
    agentId: 'ava',
    callerIds: ['+15550100001', '+15550100002'],
    startDate: '2026-03-02',
    timeZone: 'America/New_York',
    windows: [{ days: [...EVERY_DAY], start: 480, end: 1260 }],
    holidays: [],
    retry: DEFAULT_RETRY_POLICY,
    pacing: { maxConcurrentCalls: 500, callsPerSecond: 50, inboundReserve: 0 },
    voicemail: { action: 'hang_up' },
  };
  const zones = ['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/Madrid'];
  const events: CampaignEvent[] = [{ type: 'CampaignCreated', data: { kind: 'leads', ...settings } }];
  for (let chunk = 0; chunk * 1000 < leads; chunk += 1) {
    const batch: Lead[] = Array.from({ length: 1000 }, (_, i) => {
      const n = chunk * 1000 + i;
      return {
        leadId: `lead-${n}`,
        phone: `+1555${String(1_000_000 + n).slice(-7)}`,
        timeZones: [zones[n % zones.length] ?? 'UTC'],
        variables: { first_name: `Person ${n}` },
      };
    });
    events.push({ type: 'LeadsStaged', data: { importId: 'imp', chunk, leads: batch } });
  }
  events.push(
    {
      type: 'LeadsImported',
      data: {
        importId: 'imp',
        rows: leads,
        added: leads,
        merged: 0,
        skippedDoNotCall: 0,
        source: 'csv',
      },
    },
    { type: 'CampaignScheduled', data: {} },
    { type: 'CampaignStarted', data: {} },
  );
  const foldStarted = performance.now();
  const state: CampaignState = fold(campaignDecider, events);
  const foldMs = performance.now() - foldStarted;
  // A Tuesday at 15:00 UTC: New York, Chicago and Madrid are inside the window, Los Angeles opens at 16:00 UTC.
  const at = Date.parse('2026-03-10T15:00:00Z');
  const decide = (i: number) =>
    campaignDecider.decide(
      {
        type: 'AdvanceCampaign',
        data: { tenantId: 'bench', campaignId: 'bench', capacity: 50, leaseSeconds: 300 },
        metadata: {
          now: new Date(at + i * 1000),
          actor: SYSTEM_ACTOR,
          commandId: `c${i}`,
          correlationId: 'c',
        },
      },
      state,
    );
  // The first tick dials once (nothing to pace from); from the next second on, each tick may start 50.
  const first = decide(0);
  const paced = first.reduce(campaignDecider.evolve, state);
  const decideNext = (i: number) =>
    campaignDecider.decide(
      {
        type: 'AdvanceCampaign',
        data: { tenantId: 'bench', campaignId: 'bench', capacity: 50, leaseSeconds: 300 },
        metadata: { now: new Date(at + 1000), actor: SYSTEM_ACTOR, commandId: `n${i}`, correlationId: 'c' },
      },
      paced,
    );
  const chosen = decideNext(0).filter((e) => e.type === 'DialStarted').length;
  let decisions = 0;
  const started = performance.now();
  while (performance.now() - started < 3000) {
    decideNext(decisions);
    decisions += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `dial decisions over ${fmt(leads)} pending leads in 4 zones: ${fmt(decisions / seconds)} ticks/s ` +
      `(${fmt((seconds * 1000) / decisions, 2)} ms a tick choosing ${chosen} dials, ` +
      `${fmt((decisions / seconds) * chosen)} dials chosen/s); folding the campaign: ${fmt(foldMs)} ms`,
  );
};

const pacingBenchmark = async () => {
  const callsPerSecond = 5;
  const leads = 150;
  const env = await startGatewayPlatform({
    now: () => new Date(),
    // Ten seconds of ringing at the carrier's time scale (0.01): about 50 calls at once at 5 calls/s, under a
    // concurrency limit of 60 so that the pacing, not a full set of lines, decides when calls start.
    callee: () => ({ answer: 'no-answer', ringSeconds: 1000 }),
    env: { RATE_LIMIT_PER_KEY: '100000000', RATE_LIMIT_PER_IP: '100000000' },
    hooks: { dialer: { idleTickMs: 100, leaseSeconds: 300 } },
  });
  try {
    const { handler } = env.test.platform;
    await handler.handleTrusted(
      'UpdateAgent',
      { tenantId: DEMO_TENANT, agentId: 'lucas', concurrencyLimit: 100 },
      { actor: SYSTEM_ACTOR },
    );
    await launchCampaign(handler, {
      tenantId: DEMO_TENANT,
      campaignId: 'pacing',
      agentId: 'lucas',
      callerIds: [DEMO_NUMBER],
      startDate: new Date().toISOString().slice(0, 10),
      leads: Array.from({ length: leads }, (_, i) => ({
        leadId: `pace-${i}`,
        phone: `+1555${String(3_000_000 + i).slice(-7)}`,
      })),
      retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 },
      pacing: { maxConcurrentCalls: 60, callsPerSecond, inboundReserve: 0 },
      voicemail: { action: 'hang_up' },
    });
    const all = await waitFor(
      () => campaignEvents(env.test.platform.store, DEMO_TENANT, 'pacing'),
      (events) => events.filter((e) => e.type === 'DialStarted').length >= leads,
      leads * 1000,
      'every lead dialled',
    );
    const starts = all
      .filter((e: EventEnvelope) => e.type === 'DialStarted')
      .map((e) => Date.parse(e.occurredAt))
      .sort((a, b) => a - b);
    const first = starts[0] ?? 0;
    const last = starts[starts.length - 1] ?? 0;
    const achieved = (starts.length - 1) / ((last - first) / 1000);
    const target = 1000 / callsPerSecond;
    const deviations = starts
      .slice(1)
      .map((at, i) => Math.abs(at - (starts[i] ?? at) - target) / target)
      .sort((a, b) => a - b);
    // The rate over five seconds from every start on, against the target (over one second the count of 5
    // calls moves in steps of 20%, whatever the jitter).
    const span = 5000;
    const expected = (callsPerSecond * span) / 1000;
    const windowed = starts
      .filter((at) => at + span <= last)
      .map((at) => Math.abs(starts.filter((s) => s >= at && s < at + span).length - expected) / expected)
      .sort((a, b) => a - b);
    let active = 0;
    let peakActive = 0;
    const ended = new Map(
      all.filter((e) => e.type === 'DialEnded').map((e) => [(e.data as { attemptId: string }).attemptId, e]),
    );
    const moments = all.flatMap((e) =>
      e.type === 'DialStarted'
        ? [{ at: Date.parse(e.occurredAt), step: 1 }]
        : e.type === 'DialEnded'
          ? [{ at: Date.parse(e.occurredAt), step: -1 }]
          : [],
    );
    for (const m of moments.sort((a, b) => a.at - b.at || a.step - b.step)) {
      active += m.step;
      peakActive = Math.max(peakActive, active);
    }
    console.log(
      `dialer pacing, ${leads} calls at ${callsPerSecond}/s (about 50 at once): achieved ${fmt(achieved, 2)}/s ` +
        `(${fmt(achieved / callsPerSecond, 3)}× target); interval deviation p50 ${fmt(percentile(deviations, 50) * 100, 1)}% ` +
        `p99 ${fmt(percentile(deviations, 99) * 100, 1)}%; the rate over each 5 s from a start vs the target: deviation ` +
        `p50 ${fmt(percentile(windowed, 50) * 100, 1)}% p99 ${fmt(percentile(windowed, 99) * 100, 1)}% ` +
        `(aim p99 within 10%); peak concurrent ${peakActive}, ` +
        `${ended.size} attempts ended so far`,
    );
  } finally {
    await env.stop();
  }
};

const parts = process.argv.slice(2);
const wanted = (part: string) => parts.length === 0 || parts.includes(part);
try {
  if (wanted('import')) await importBenchmark();
  if (wanted('decisions')) decisionBenchmark();
  if (wanted('pacing')) await pacingBenchmark();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
