import { setTimeout as sleep } from 'node:timers/promises';
import { decodeEvent, SYSTEM_ACTOR, type CallEvent, type EventEnvelope } from '@ccp/schemas';
import type { CommandHandler, EventStore, RecordedEvent } from '@ccp/command-service';
import type { LiveDirectory } from '../directory/live-directory.js';
import type { MediaGateway } from '../gateway.js';
import type { Carrier } from '../telephony/carrier.js';
import {
  attemptIn,
  attemptsIn,
  CampaignViews,
  campaignOfStream,
  type ActiveAttempt,
  type CampaignView,
} from './campaign-view.js';
import { DoNotCallLists } from './do-not-call-list.js';
import { dialOutcomeOf } from './outcomes.js';
import { placeDial, recordOutcome, type DialDependencies } from './place-dial.js';
import { recoverAttempt } from './recovery.js';

export interface DialerOptions {
  readonly store: EventStore;
  readonly handler: CommandHandler;
  readonly carrier: Carrier;
  readonly gateway: MediaGateway;
  readonly live: LiveDirectory;
  readonly now: () => Date;
  readonly callbackBase: () => string;
  readonly log: (message: string) => void;
  /** How long a dial may go without an outcome before its line is released (default 30 minutes). */
  readonly leaseSeconds?: number;
  /** The tick of campaigns that are not dialling (to start, expire leases, complete): default 2 s. */
  readonly idleTickMs?: number;
  /**
   * How often attempts nobody here carries are looked at again (default 15 s): a status callback lost while
   * the platform restarted is asked of the carrier then, long before the lease would end the attempt.
   */
  readonly sweepMs?: number;
}

export interface Dialer {
  /** The campaigns followed and the dials this process is carrying out now (benchmarks, tests). */
  readonly stats: () => { readonly campaigns: number; readonly dialling: number; readonly following: number };
  /** The dialer's view of a campaign (voicemail policy and lead variables for the outbound webhook). */
  readonly campaign: (tenantId: string, campaignId: string) => Promise<CampaignView>;
  stop(): Promise<void>;
}

const keyOf = (tenantId: string, campaignId: string) => `${tenantId}/${campaignId}`;
const DIALLING: ReadonlySet<string> = new Set(['scheduled', 'running', 'paused']);

/**
 * The campaign dialer: a process manager over the campaign streams. Every decision is a command the campaign
 * decider takes (AdvanceCampaign chooses the dials, RecordDialPlacement / RecordDialOutcome record what
 * happened); this worker only ticks each live campaign, carries out the DialStarted its ticks produce, and
 * turns the ends of its calls (CallEnded in the log) into outcomes. What it holds in memory is a cache of the
 * streams: after a crash it starts from the log again and recovers the attempts left in flight
 * (recovery.ts).
 */
export const startDialer = async (options: DialerOptions): Promise<Dialer> => {
  const { store, handler, gateway, live, log } = options;
  const leaseSeconds = options.leaseSeconds ?? 1800;
  const idleTickMs = options.idleTickMs ?? 2000;
  const views = new CampaignViews(store);
  const deps: DialDependencies = {
    handler,
    carrier: options.carrier,
    gateway,
    live,
    doNotCall: new DoNotCallLists(store),
    now: options.now,
    callbackBase: options.callbackBase,
    log,
  };
  const stopping = new AbortController();
  /** Campaigns ticking now, by tenant/campaign. */
  const loops = new Map<string, Promise<void>>();
  /** Dials being carried out by this process, by attempt id. */
  const dialling = new Map<string, Promise<void>>();
  /** Campaign calls whose end is awaited: call id → its attempt. */
  const following = new Map<string, { view: CampaignView; attemptId: string }>();
  const answeredBy = new Map<string, 'human' | 'machine' | 'unknown'>();

  const follow = (callId: string, view: CampaignView, attemptId: string) =>
    following.set(callId, { view, attemptId });

  /** The agent's free lines: its limit, less the calls it holds and the campaign calls still ringing for it. */
  const capacityOf = (view: CampaignView): number => {
    const pacing = view.state.settings?.pacing;
    const agentId = view.state.settings?.agentId;
    if (!pacing) return 0;
    // The callbacks campaign dials for each lead's own agent: its pacing is its only limit.
    if (agentId === undefined) return pacing.maxConcurrentCalls;
    const agent = live.directory.agent(view.tenantId, agentId);
    if (!agent?.enabled) return 0;
    let ringing = 0;
    for (const other of views.all()) {
      if (other.tenantId !== view.tenantId || other.state.settings?.agentId !== agentId) continue;
      for (const attempt of other.state.active.values()) {
        if (attempt.callId === undefined || !gateway.holds(attempt.callId)) ringing += 1;
      }
    }
    const free =
      agent.settings.concurrencyLimit -
      gateway.activeCalls(view.tenantId, agentId) -
      ringing -
      pacing.inboundReserve;
    return Math.max(0, Math.min(500, free));
  };

  const dial = (view: CampaignView, attempt: ActiveAttempt) => {
    if (dialling.has(attempt.attemptId)) return;
    const done = placeDial(deps, view, attempt)
      .catch((error: unknown) => log(`dialer: dial ${attempt.attemptId} failed: ${String(error)}`))
      .finally(() => dialling.delete(attempt.attemptId));
    dialling.set(attempt.attemptId, done);
  };

  /** One tick: the decider advances the campaign, and the dials it started are carried out. */
  const tick = async (tenantId: string, campaignId: string): Promise<number | undefined> => {
    // Before the platform listens there is no URL for the carrier to call back: nothing is dialled yet.
    if (options.callbackBase() === '') return idleTickMs;
    await live.catchUp();
    const view = await views.load(tenantId, campaignId);
    if (!DIALLING.has(view.state.status) && view.state.active.size === 0) return undefined;
    const result = await handler
      .handleTrusted(
        'AdvanceCampaign',
        { tenantId, campaignId, capacity: capacityOf(view), leaseSeconds },
        { actor: SYSTEM_ACTOR },
      )
      .catch((error: unknown) => {
        log(`dialer: AdvanceCampaign ${tenantId}/${campaignId} failed: ${String(error)}`);
        return undefined;
      });
    // A refused tick (a closed tenant, a conflict that outlasted the retries) is tried again at the idle pace.
    if (!result) return idleTickMs;
    const dialled = result.events.some((e) => e.type === 'DialStarted');
    if (dialled) {
      // Only the dials this tick started: one another writer started is that writer's to carry out.
      const ours = new Set(result.events.map((e) => e.id));
      const started: string[] = [];
      await views.load(tenantId, campaignId, (event, eventId) => {
        if (event.type === 'DialStarted' && ours.has(eventId)) started.push(event.data.attemptId);
      });
      for (const attemptId of started) {
        const attempt = attemptIn(view, attemptId);
        if (attempt) dial(view, attempt);
      }
    } else if (result.events.length > 0) {
      await views.load(tenantId, campaignId);
    }
    const pacing = view.state.settings?.pacing;
    if (view.state.status !== 'running' || !pacing) return idleTickMs;
    const interval = 1000 / pacing.callsPerSecond;
    const lastSlot = view.state.lastSlot;
    // Having dialled, the next tick comes when the next pacing slot opens, so that starts keep their spacing
    // instead of waiting up to one more tick; otherwise (no line free, nobody due) the plain pace.
    if (dialled && lastSlot !== undefined) {
      const untilNext = lastSlot + interval - options.now().getTime();
      return Math.min(idleTickMs, Math.max(interval < 50 ? 50 : 5, untilNext));
    }
    return Math.max(50, Math.min(idleTickMs, interval));
  };

  const track = (tenantId: string, campaignId: string) => {
    const key = keyOf(tenantId, campaignId);
    if (loops.has(key) || stopping.signal.aborted) return;
    const loop = (async () => {
      for (;;) {
        let delay: number | undefined;
        try {
          delay = await tick(tenantId, campaignId);
        } catch (error) {
          log(`dialer: tick of ${key} failed: ${String(error)}`);
          delay = idleTickMs;
        }
        // Nothing to dial or release (a draft, an ended campaign): its next event in the log tracks it again.
        if (delay === undefined) return;
        await sleep(delay, undefined, { signal: stopping.signal });
      }
    })()
      .catch(() => undefined)
      .finally(() => loops.delete(key));
    loops.set(key, loop);
  };

  /** A campaign call ended: its attempt's outcome, as the call's events say. */
  const onCallEvent = async (event: EventEnvelope): Promise<void> => {
    const e = event as unknown as CallEvent;
    const callId = event.correlationId;
    if (e.type === 'CallStarted' && e.data.campaignId !== undefined && e.data.attemptId !== undefined) {
      const view = views.peek(event.tenantId, e.data.campaignId);
      if (view) follow(callId, view, e.data.attemptId);
      return;
    }
    if (e.type === 'CallAnswered') {
      if (following.has(callId)) answeredBy.set(callId, e.data.answeredBy);
      return;
    }
    if (e.type !== 'CallEnded') return;
    const awaited = following.get(callId);
    if (!awaited) return;
    following.delete(callId);
    const by = answeredBy.get(callId);
    answeredBy.delete(callId);
    await recordOutcome(deps, awaited.view, awaited.attemptId, dialOutcomeOf(e.data.outcome, by), {
      callId,
      ...(e.data.reason !== undefined && { reason: e.data.reason }),
    });
  };

  const onRecorded = async (recorded: RecordedEvent): Promise<void> => {
    const campaign = campaignOfStream(recorded.streamId);
    if (campaign) {
      track(campaign.tenantId, campaign.campaignId);
      return;
    }
    if (!recorded.streamId.startsWith('call-')) return;
    const decoded = decodeEvent(recorded);
    if (decoded.ok) await onCallEvent(decoded.value);
  };

  // Discovery: every campaign stream in the log (the streams are the truth; nothing else is kept).
  const known = new Set<string>();
  let position = 0;
  for (;;) {
    const batch = await store.readAll({ after: position, maxCount: 5000 });
    for (const recorded of batch) {
      const campaign = campaignOfStream(recorded.streamId);
      if (campaign) known.add(keyOf(campaign.tenantId, campaign.campaignId));
    }
    const last = batch.at(-1);
    if (!last) break;
    position = last.position;
  }
  // Followed from here: what happens during recovery is seen too, and nothing before is handled twice.
  const subscription = store.subscribe({ after: position });
  const followingLog = (async () => {
    for await (const recorded of subscription) {
      await onRecorded(recorded).catch((error: unknown) =>
        log(`dialer: handling ${recorded.type} failed: ${String(error)}`),
      );
    }
  })();

  const recoveryDeps = { ...deps, store, follow };
  for (const key of known) {
    const [tenantId = '', campaignId = ''] = key.split('/');
    const view = await views.load(tenantId, campaignId);
    for (const attempt of attemptsIn(view)) {
      await recoverAttempt(recoveryDeps, view, attempt).catch((error: unknown) =>
        log(`dialer: recovering ${attempt.attemptId} failed: ${String(error)}`),
      );
    }
    track(tenantId, campaignId);
  }

  /**
   * Attempts this process is not dialling that still wait: not placed after a while (a placement that failed
   * to record), or placed and not live here after a minute (a lost callback). recoverAttempt never dials; it
   * only asks the carrier and records what it says.
   */
  const sweep = async () => {
    // Ages by the dialer's clock, the one the campaign's instants are recorded on.
    const now = options.now().getTime();
    for (const view of [...views.all()]) {
      for (const attempt of attemptsIn(view)) {
        if (dialling.has(attempt.attemptId)) continue;
        const age = now - Date.parse(attempt.startedAt);
        const stale =
          attempt.callId === undefined ? age > 10_000 : age > 60_000 && !gateway.holds(attempt.callId);
        if (!stale) continue;
        await recoverAttempt(recoveryDeps, view, attempt).catch((error: unknown) =>
          log(`dialer: sweeping ${attempt.attemptId} failed: ${String(error)}`),
        );
      }
    }
  };
  const sweeping = (async () => {
    for (;;) {
      await sleep(options.sweepMs ?? 15_000, undefined, { signal: stopping.signal });
      await sweep();
    }
  })().catch(() => undefined);

  return {
    stats: () => ({ campaigns: loops.size, dialling: dialling.size, following: following.size }),
    campaign: (tenantId, campaignId) => views.load(tenantId, campaignId),
    stop: async () => {
      stopping.abort();
      await Promise.allSettled([...loops.values(), sweeping]);
      await Promise.allSettled([...dialling.values()]);
      await subscription.close();
      await followingLog.catch(() => undefined);
    },
  };
};
