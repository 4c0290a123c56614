import { describe, expect, it } from 'vitest';
import {
  AdvanceCampaign,
  CommitLeadImport,
  CreateCampaign,
  LEADS_PER_CHUNK,
  PauseCampaign,
  RecordDialOutcome,
  ResumeCampaign,
  ScheduleCampaign,
  StageLeads,
  type CampaignSettings,
  type DialOutcome,
  type Lead,
} from '@ccp/schemas';
import { command } from '../testing.js';
import { campaignDecider } from './decider.js';
import { leadOf, type CampaignEvent, type CampaignState } from './state.js';

/**
 * A week of dialling 5,000 leads in four zones with only decide and evolve: an injected clock stepping 30 s, a
 * seeded callee per lead, the dialer loop as AdvanceCampaign followed by outcomes after a simulated duration.
 * The assertions recompute calling hours with Intl directly rather than through the schedule module.
 */
const STEP_MS = 30_000;
const START = Date.parse('2026-03-02T00:00:00Z'); // a Monday
const END = Date.parse('2026-03-09T00:00:00Z');
const PAUSE = Date.parse('2026-03-05T12:00:00Z');
const RESUME = Date.parse('2026-03-05T18:00:00Z');
const LEASE_SECONDS = 900;
const HOLIDAY = '2026-03-04';
const key = { tenantId: 'acme', campaignId: 'week' };

const ZONES = [
  { zone: 'America/New_York', country: 'US', prefix: '+1212' },
  { zone: 'America/Los_Angeles', country: 'US', prefix: '+1213' },
  { zone: 'Europe/Madrid', country: 'ES', prefix: '+3491' },
  { zone: 'Asia/Tokyo', country: 'JP', prefix: '+8131' },
] as const;

const settings: CampaignSettings = {
  name: 'Week',
  agentId: 'ava',
  callerIds: ['+15550100001', '+15550100002', '+15550100003'],
  startDate: '2026-03-02',
  endDate: '2026-03-08',
  timeZone: 'America/New_York',
  windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], start: 9 * 60, end: 20 * 60 }],
  holidays: [HOLIDAY],
  retry: {
    busy: { attempts: 2, spacingMinutes: 30 },
    no_answer: { attempts: 2, spacingMinutes: 120 },
    failed: { attempts: 1, spacingMinutes: 60 },
    voicemail: { attempts: 1, spacingMinutes: 1440 },
    maxAttempts: 4,
  },
  pacing: { maxConcurrentCalls: 20, callsPerSecond: 2, inboundReserve: 0 },
  voicemail: { action: 'hang_up' },
};

/** mulberry32: a small seeded generator, so every run simulates the same week. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const rng = random(20260302);

type Callee = 'person' | 'voicemail' | 'busy' | 'no_answer';
const CALLEES: readonly Callee[] = ['person', 'person', 'voicemail', 'busy', 'no_answer'];

/** What happens when a lead is dialled, and after how long. */
const answer = (callee: Callee): { outcome: DialOutcome | 'silent'; afterMs: number } => {
  const roll = rng();
  if (roll < 0.01) return { outcome: 'silent', afterMs: 0 }; // the outcome never comes: the lease ends it
  if (roll < 0.03) return { outcome: 'failed', afterMs: 5_000 };
  if (roll < 0.04) return { outcome: 'not_placed', afterMs: 1_000 };
  switch (callee) {
    case 'person':
      return rng() < 0.7
        ? { outcome: 'answered', afterMs: 120_000 + rng() * 240_000 }
        : { outcome: 'no_answer', afterMs: 30_000 };
    case 'voicemail':
      return { outcome: 'voicemail', afterMs: 60_000 };
    case 'busy':
      return rng() < 0.6 ? { outcome: 'busy', afterMs: 10_000 } : { outcome: 'answered', afterMs: 180_000 };
    case 'no_answer':
      return { outcome: 'no_answer', afterMs: 30_000 };
  }
};

const wall = new Map<string, Intl.DateTimeFormat>();
const localOf = (instant: number, zone: string) => {
  let f = wall.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    wall.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return {
    weekday: String(parts.weekday),
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
};

/** The campaign window (Mon–Sat 09:00–20:00), the country's floor and the holiday, recomputed independently. */
const properAt = (instant: number, zone: string, country: string): boolean => {
  const { weekday, date, minute } = localOf(instant, zone);
  const inWindow = weekday !== 'Sun' && minute >= 540 && minute < 1200;
  const inFloor =
    country === 'ES'
      ? !['Sat', 'Sun'].includes(weekday) && minute >= 540 && minute < 1260
      : minute >= 480 && minute < 1260;
  return inWindow && inFloor && date !== HOLIDAY;
};

const system = { actor: { kind: 'system', id: 'platform' } } as const;
const admin = { actor: { kind: 'user', id: 'u-admin', role: 'tenant_admin', tenantId: 'acme' } } as const;

describe('a simulated week of dialling', () => {
  it('keeps every rule for 5,000 leads in four zones', () => {
    let state: CampaignState = campaignDecider.initialState();
    const log: { at: number; event: CampaignEvent }[] = [];
    const send = (cmd: Parameters<typeof campaignDecider.decide>[0], at: number): CampaignEvent[] => {
      const events = campaignDecider.decide(cmd, state);
      for (const event of events) {
        state = campaignDecider.evolve(state, event);
        log.push({ at, event });
      }
      return events;
    };
    const meta = (at: number, who: typeof system | typeof admin = system) => ({ ...who, now: new Date(at) });

    const leads: Lead[] = [];
    const callee = new Map<string, Callee>();
    const where = new Map<string, (typeof ZONES)[number]>();
    for (let i = 0; i < 5000; i += 1) {
      const place = ZONES[i % ZONES.length]!;
      const leadId = `lead-${i}`;
      leads.push({
        leadId,
        phone: `${place.prefix}${String(1_000_000 + i)}`,
        country: place.country,
        timeZones: [place.zone],
        variables: { first_name: `Lead ${i}` },
      });
      callee.set(leadId, CALLEES[Math.floor(rng() * CALLEES.length)]!);
      where.set(leadId, place);
    }
    const begin = START - 3_600_000;
    send(command(CreateCampaign, { ...key, ...settings }, meta(begin, admin)), begin);
    const chunks = Math.ceil(leads.length / LEADS_PER_CHUNK);
    for (let c = 0; c < chunks; c += 1) {
      const rows = leads.slice(c * LEADS_PER_CHUNK, (c + 1) * LEADS_PER_CHUNK);
      send(command(StageLeads, { ...key, importId: 'imp', chunk: c, leads: rows }, meta(begin)), begin);
    }
    send(
      command(
        CommitLeadImport,
        { ...key, importId: 'imp', chunks, rows: 5000, skippedDoNotCall: 0, source: 'csv' },
        meta(begin),
      ),
      begin,
    );
    send(command(ScheduleCampaign, key, meta(begin, admin)), begin);

    const due: { at: number; attemptId: string; outcome: DialOutcome }[] = [];
    const dialsPerTick: number[] = [];
    let maxActive = 0;
    for (let now = START; now < END && state.status !== 'completed'; now += STEP_MS) {
      if (now === PAUSE) send(command(PauseCampaign, { ...key, reason: 'mid-week' }, meta(now, admin)), now);
      if (now === RESUME) send(command(ResumeCampaign, key, meta(now, admin)), now);
      // Outcomes that have come in since the last tick, in order.
      due.sort((a, b) => a.at - b.at);
      while (due.length > 0 && due[0]!.at <= now) {
        const { attemptId, outcome } = due.shift()!;
        send(command(RecordDialOutcome, { ...key, attemptId, outcome }, meta(now)), now);
      }
      const decided = send(
        command(AdvanceCampaign, { ...key, capacity: 50, leaseSeconds: LEASE_SECONDS }, meta(now)),
        now,
      );
      let dials = 0;
      for (const event of decided) {
        if (event.type !== 'DialStarted') continue;
        dials += 1;
        const result = answer(callee.get(event.data.leadId)!);
        if (result.outcome !== 'silent') {
          due.push({ at: now + result.afterMs, attemptId: event.data.attemptId, outcome: result.outcome });
        }
      }
      dialsPerTick.push(dials);
      maxActive = Math.max(maxActive, state.active.size);
    }

    const started = log.filter((l) => l.event.type === 'DialStarted');
    expect(started.length).toBeGreaterThan(5000);

    // Calling hours, the legal floor and the holiday in each lead's zone.
    for (const { at, event } of started) {
      if (event.type !== 'DialStarted') continue;
      const place = where.get(event.data.leadId)!;
      expect(
        properAt(at, place.zone, place.country),
        `${event.data.leadId} at ${new Date(at).toISOString()}`,
      ).toBe(true);
    }

    // Concurrency and rate: at most 20 lines, at most ceil(2/s) dials per tick, slots at least 500 ms apart,
    // and never more than 2/s over any minute (plus one second's catch-up).
    expect(maxActive).toBeLessThanOrEqual(settings.pacing.maxConcurrentCalls);
    expect(Math.max(...dialsPerTick)).toBeLessThanOrEqual(Math.ceil(settings.pacing.callsPerSecond));
    const slots = started.map((l) =>
      l.event.type === 'DialStarted' ? Date.parse(l.event.data.pacedAt ?? '') : NaN,
    );
    for (let i = 1; i < slots.length; i += 1) expect(slots[i]! - slots[i - 1]!).toBeGreaterThanOrEqual(500);
    let from = 0;
    for (let i = 0; i < started.length; i += 1) {
      while (started[i]!.at - started[from]!.at >= 60_000) from += 1;
      expect(i - from + 1).toBeLessThanOrEqual(60 * settings.pacing.callsPerSecond + 2);
    }

    // Paused: no dial from the pause to the resume; dialling goes on after it.
    expect(started.some((l) => l.at >= PAUSE && l.at < RESUME)).toBe(false);
    expect(started.some((l) => l.at >= RESUME && l.at < RESUME + 3_600_000)).toBe(true);

    // Retries: spaced by the rule of the outcome before, within each outcome's retries and the lead's cap.
    const history = new Map<string, { at: number; event: CampaignEvent }[]>();
    for (const entry of log) {
      const { event } = entry;
      if (event.type !== 'DialStarted' && event.type !== 'DialEnded') continue;
      const list = history.get(event.data.leadId) ?? [];
      list.push(entry);
      history.set(event.data.leadId, list);
    }
    const rules = settings.retry;
    let retriedAfter = 0;
    for (const [leadId, events] of history) {
      const used = { busy: 0, no_answer: 0, failed: 0, voicemail: 0 };
      let counted = 0;
      let last: { at: number; outcome: DialOutcome } | undefined;
      for (const { at, event } of events) {
        if (event.type === 'DialEnded') {
          if (event.data.outcome !== 'not_placed') counted += 1;
          last = { at, outcome: event.data.outcome };
          continue;
        }
        if (event.type !== 'DialStarted' || !last) continue;
        const rule = last.outcome === 'lease_expired' ? 'failed' : last.outcome;
        if (rule === 'not_placed') continue;
        expect(['busy', 'no_answer', 'failed', 'voicemail'], `${leadId} dialled after ${rule}`).toContain(
          rule,
        );
        const r = rule as keyof typeof used;
        used[r] += 1;
        retriedAfter += 1;
        expect(at - last.at, `${leadId} retry after ${rule}`).toBeGreaterThanOrEqual(
          rules[r].spacingMinutes * 60_000,
        );
        expect(used[r], `${leadId} retries after ${rule}`).toBeLessThanOrEqual(rules[r].attempts);
      }
      expect(counted, `${leadId} attempts`).toBeLessThanOrEqual(rules.maxAttempts);
    }
    expect(retriedAfter).toBeGreaterThan(500);
    expect(log.some((l) => l.event.type === 'DialEnded' && l.event.data.outcome === 'lease_expired')).toBe(
      true,
    );

    // By the end every lead is done or has no attempt left.
    for (const { leadId } of leads) {
      const entry = leadOf(state, leadId)!;
      const exhausted = entry.attempts >= rules.maxAttempts;
      expect(entry.status === 'done' || exhausted, `${leadId}: ${entry.status} after ${entry.attempts}`).toBe(
        true,
      );
    }
    expect(state.status).toBe('completed');
  });
});
