import type { CampaignSettings, DialOutcome } from '@ccp/schemas';
import { DomainError } from '../decider.js';
import { evolve, RETRY_RULE_OF } from './evolve.js';
import { existing } from './lifecycle.js';
import { entryInQueue, entryOf, queuesOf, queueWhere, type Queue } from './lead-book.js';
import { callingAllowedAt, localDateAt } from './schedule.js';
import {
  isEnded,
  isPending,
  type ActiveAttempt,
  type CampaignCommand,
  type CampaignEvent,
  type CampaignState,
  type ExistingCampaign,
  type LeadEntry,
} from './state.js';

type Command<T extends CampaignCommand['type']> = Extract<CampaignCommand, { type: T }>;
type DialEnded = Extract<CampaignEvent, { type: 'DialEnded' }>;

/** A tick that comes after a pause dials at most one second's worth of calls at once. */
const CATCH_UP_MS = 999;
const MAX_ID = 80;

/** FNV-1a, for attempt ids of long lead ids: short, stable across processes, no I/O. */
const fnv1a = (text: string): string => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
};

/** Deterministic, so that a decision retried after a conflict names the same attempt. */
export const attemptIdOf = (leadId: string, attempt: number): string => {
  const plain = `${leadId}-a${attempt}`;
  return plain.length <= MAX_ID ? plain : `${leadId.slice(0, 64)}-${fnv1a(leadId)}-a${attempt}`;
};

/** How an attempt ends: retried later when the outcome's rule has retries left and the lead attempts left. */
export const endingOf = (
  settings: CampaignSettings,
  entry: LeadEntry | undefined,
  attempt: ActiveAttempt,
  outcome: DialOutcome,
  now: Date,
  extra: { callId?: string | undefined; reason?: string | undefined; final?: boolean } = {},
): DialEnded => {
  const rule = RETRY_RULE_OF[outcome];
  let retryAt: string | undefined;
  // A cancelled or completed campaign dials nobody again: its attempts end without a retry.
  if (rule !== undefined && entry !== undefined && extra.final !== true) {
    const { attempts, spacingMinutes } = settings.retry[rule];
    if (entry.retries[rule] < attempts && entry.attempts + 1 < settings.retry.maxAttempts) {
      retryAt = new Date(now.getTime() + spacingMinutes * 60_000).toISOString();
    }
  }
  const { callId, reason } = extra;
  return {
    type: 'DialEnded',
    data: {
      attemptId: attempt.attemptId,
      leadId: attempt.leadId,
      attempt: attempt.attempt,
      outcome,
      ...(callId === undefined ? {} : { callId }),
      ...(reason === undefined ? {} : { reason }),
      ...(retryAt === undefined ? {} : { retryAt }),
    },
  };
};

/** Events decided one after another, each folded in before the next is chosen. */
class Decision {
  readonly events: CampaignEvent[] = [];
  constructor(public state: ExistingCampaign) {}
  emit(event: CampaignEvent): void {
    this.events.push(event);
    this.state = evolve(this.state, event) as ExistingCampaign;
  }
}

const expireLeases = (decision: Decision, now: Date): void => {
  for (const attempt of [...decision.state.active.values()]) {
    if (attempt.leaseUntil > now.getTime()) continue;
    const { settings, book, status } = decision.state;
    const final = isEnded(status);
    decision.emit(
      endingOf(settings, entryOf(book, attempt.leadId), attempt, 'lease_expired', now, { final }),
    );
  }
};

/** The pacing slots open now: each at least 1/cps after the previous dial's, none more than a second back. */
const pacingSlots = (state: ExistingCampaign, now: number, limit: number): number[] => {
  const interval = 1000 / state.settings.pacing.callsPerSecond;
  const slots: number[] = [];
  let slot = Math.max(
    state.lastSlot === undefined ? now : Math.ceil(state.lastSlot + interval),
    now - CATCH_UP_MS,
  );
  while (slot <= now && slots.length < limit) {
    slots.push(slot);
    slot = Math.ceil(slot + interval);
  }
  return slots;
};

const eligible = (
  entry: LeadEntry | undefined,
  settings: CampaignSettings,
  now: number,
): entry is LeadEntry =>
  entry !== undefined &&
  isPending(entry, settings) &&
  (entry.nextAt === undefined || entry.nextAt <= now) &&
  (entry.lead.callerId !== undefined || settings.callerIds.length > 0);

/** The queues of leads that may be called now: one calling-hours check per group, not per lead. */
const openQueues = (state: ExistingCampaign, now: Date): Queue[] => {
  const open = new Map<string, boolean>();
  return queuesOf(state.book).filter((queue) => {
    let allowed = open.get(queue.key);
    if (allowed === undefined) {
      const { zones, country } = queueWhere(queue.key);
      allowed = callingAllowedAt(state.settings, zones, country, now);
      open.set(queue.key, allowed);
    }
    return allowed;
  });
};

/** The eligible leads of one queue, in its order. */
function* eligibleIn(state: ExistingCampaign, queue: Queue, now: number): Generator<LeadEntry> {
  const { book, settings } = state;
  const orders = queue.orders();
  for (let r = orders.next(); r.done !== true; r = orders.next()) {
    // Most leads a tick passes over are in a call, done or waiting: tell from their progress alone.
    const progress = book.progress.get(r.value);
    if (progress && (!isPending(progress, settings) || (progress.nextAt ?? 0) > now)) continue;
    const entry = entryInQueue(book, queue, r.value);
    if (eligible(entry, state.settings, now)) yield entry;
  }
}

/** Up to `count` leads to dial now: import order across the open groups; callbacks by due time. */
export const chooseLeads = (state: ExistingCampaign, now: Date, count: number): LeadEntry[] => {
  if (count <= 0) return [];
  const at = now.getTime();
  const queues = openQueues(state, now);
  if (state.kind === 'callbacks') {
    const candidates = new Map<number, LeadEntry>();
    for (const queue of queues)
      for (const entry of eligibleIn(state, queue, at)) candidates.set(entry.order, entry);
    return [...candidates.values()]
      .sort((a, b) => (a.nextAt ?? 0) - (b.nextAt ?? 0) || a.order - b.order)
      .slice(0, count);
  }
  // A k-way merge by import order over the open queues (k is small: distinct zones and countries per import).
  const heads = queues.map((queue) => {
    const iterator = eligibleIn(state, queue, at);
    const next = (): LeadEntry | undefined => {
      const r = iterator.next();
      return r.done === true ? undefined : r.value;
    };
    return { next, head: next() };
  });
  const chosen = new Map<number, LeadEntry>();
  while (chosen.size < count) {
    let best: (typeof heads)[number] | undefined;
    for (const h of heads) if (h.head && (!best?.head || h.head.order < best.head.order)) best = h;
    if (!best?.head) break;
    // A lead moved to another group and back is in two queues of that group: dialled once.
    chosen.set(best.head.order, best.head);
    best.head = best.next();
  }
  return [...chosen.values()];
};

const dial = (decision: Decision, entry: LeadEntry, slot: number, now: Date, leaseSeconds: number): void => {
  const { settings, rotation } = decision.state;
  const attempt = entry.dials + 1;
  const callerId = entry.lead.callerId ?? settings.callerIds[rotation % settings.callerIds.length];
  if (callerId === undefined) return;
  decision.emit({
    type: 'DialStarted',
    data: {
      attemptId: attemptIdOf(entry.lead.leadId, attempt),
      leadId: entry.lead.leadId,
      attempt,
      callerId,
      leaseUntil: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
      pacedAt: new Date(slot).toISOString(),
    },
  });
};

const anyLeadLeft = (state: ExistingCampaign): boolean => {
  if (state.active.size > 0) return true;
  for (const queue of queuesOf(state.book)) {
    const orders = queue.orders();
    for (let r = orders.next(); r.done !== true; r = orders.next()) {
      const entry = entryInQueue(state.book, queue, r.value);
      if (entry && isPending(entry, state.settings)) return true;
    }
  }
  return false;
};

const endDatePassed = (state: ExistingCampaign, now: Date): boolean =>
  state.settings.endDate !== undefined && localDateAt(now, state.settings.timeZone) > state.settings.endDate;

/**
 * The dialer's tick. `metadata.now` is the clock. Overdue dials end first (their lines are free again), then the
 * next leads are chosen within the concurrency, the dialer's capacity and the pacing, then the campaign
 * completes when its end date is over or nothing is left to dial.
 */
export const advanceCampaign = (
  command: Command<'AdvanceCampaign'>,
  state: CampaignState,
): CampaignEvent[] => {
  const now = command.metadata.now;
  const decision = new Decision(existing(state));
  expireLeases(decision, now);
  const { status, settings } = decision.state;
  if (status === 'scheduled' && localDateAt(now, settings.timeZone) >= settings.startDate) {
    decision.emit({ type: 'CampaignStarted', data: {} });
  }
  if (decision.state.status !== 'running') return decision.events;
  const callbacks = decision.state.kind === 'callbacks';
  if (!callbacks && endDatePassed(decision.state, now)) {
    decision.emit({ type: 'CampaignCompleted', data: { reason: 'end_date_passed' } });
    return decision.events;
  }
  const { pacing } = decision.state.settings;
  const room = Math.min(command.data.capacity, pacing.maxConcurrentCalls - decision.state.active.size);
  const slots = pacingSlots(decision.state, now.getTime(), Math.max(0, room));
  const leads = chooseLeads(decision.state, now, slots.length);
  leads.forEach((entry, i) =>
    dial(decision, entry, slots[i] ?? now.getTime(), now, command.data.leaseSeconds),
  );
  if (!callbacks && !anyLeadLeft(decision.state)) {
    decision.emit({ type: 'CampaignCompleted', data: { reason: 'all_leads_done' } });
  }
  return decision.events;
};

const attemptOf = (state: CampaignState, attemptId: string): ActiveAttempt | 'ended' => {
  const attempt = state.active.get(attemptId);
  if (attempt) return attempt;
  if (state.endedAttempts.has(attemptId)) return 'ended';
  throw new DomainError('ATTEMPT_NOT_FOUND', `there is no dial attempt ${attemptId}`, 'attemptId');
};

export const recordDialPlacement = (
  command: Command<'RecordDialPlacement'>,
  state: CampaignState,
): CampaignEvent[] => {
  existing(state);
  const { attemptId, callId } = command.data;
  const attempt = attemptOf(state, attemptId);
  if (attempt === 'ended' || attempt.callId === callId) return [];
  if (attempt.callId !== undefined) {
    throw new DomainError(
      'ATTEMPT_ALREADY_PLACED',
      `attempt ${attemptId} was placed as call ${attempt.callId}`,
      'callId',
    );
  }
  return [{ type: 'DialPlaced', data: { attemptId, callId } }];
};

export const recordDialOutcome = (
  command: Command<'RecordDialOutcome'>,
  state: CampaignState,
): CampaignEvent[] => {
  const campaign = existing(state);
  const { attemptId, outcome, callId, reason } = command.data;
  const attempt = attemptOf(campaign, attemptId);
  if (attempt === 'ended') return [];
  const entry = entryOf(campaign.book, attempt.leadId);
  return [
    endingOf(campaign.settings, entry, attempt, outcome, command.metadata.now, {
      callId: callId ?? attempt.callId,
      reason,
      final: isEnded(campaign.status),
    }),
  ];
};
