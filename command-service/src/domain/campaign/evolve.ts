import { Map as IMap, OrderedSet } from 'immutable';
import type { DialOutcome } from '@ccp/schemas';
import { mergeLeads, newLeadEntry, stagedRows } from './leads.js';
import {
  queueKey,
  type CampaignEvent,
  type CampaignState,
  type LeadEntry,
  type RetryOutcome,
} from './state.js';

/** Which retry rule an outcome uses; a lease that ran out counts as a failed dial. */
export const RETRY_RULE_OF: Partial<Record<DialOutcome, RetryOutcome>> = {
  busy: 'busy',
  no_answer: 'no_answer',
  failed: 'failed',
  voicemail: 'voicemail',
  lease_expired: 'failed',
};

const withoutFromQueue = (state: CampaignState, entry: LeadEntry): CampaignState['queues'] =>
  state.queues.update(queueKey(entry.lead), OrderedSet<string>(), (s) => s.delete(entry.lead.leadId));

const dialEnded = (
  state: CampaignState,
  event: Extract<CampaignEvent, { type: 'DialEnded' }>,
): CampaignState => {
  const { attemptId, leadId, outcome, retryAt } = event.data;
  const base = {
    ...state,
    active: state.active.delete(attemptId),
    endedAttempts: state.endedAttempts.add(attemptId),
  };
  const entry = state.leads.get(leadId);
  if (!entry) return base;
  const counted = outcome === 'not_placed' ? 0 : 1;
  const rule = RETRY_RULE_OF[outcome];
  const common = { ...entry, attempts: entry.attempts + counted, lastOutcome: outcome };
  if (retryAt !== undefined && rule !== undefined) {
    const retries = { ...entry.retries, [rule]: entry.retries[rule] + 1 };
    const next: LeadEntry = { ...common, status: 'pending', retries, nextAt: Date.parse(retryAt) };
    return { ...base, leads: state.leads.set(leadId, next) };
  }
  if (outcome === 'not_placed') {
    return { ...base, leads: state.leads.set(leadId, { ...common, status: 'pending' }) };
  }
  const done: LeadEntry = { ...common, status: 'done' };
  return { ...base, leads: state.leads.set(leadId, done), queues: withoutFromQueue(base, entry) };
};

export const evolve = (state: CampaignState, event: CampaignEvent): CampaignState => {
  switch (event.type) {
    case 'CampaignCreated': {
      const { kind, ...settings } = event.data;
      return { ...state, status: 'draft', kind, settings, revision: 1 };
    }
    case 'CampaignUpdated':
      if (!state.settings) return state;
      return {
        ...state,
        settings: { ...state.settings, ...event.data.changes },
        revision: event.data.revision,
      };
    case 'CampaignScheduled':
      return { ...state, status: 'scheduled' };
    case 'CampaignStarted':
      return { ...state, status: 'running', started: true };
    case 'CampaignPaused':
      return { ...state, status: 'paused' };
    case 'CampaignResumed':
      return { ...state, status: state.started ? 'running' : 'scheduled' };
    case 'CampaignCompleted':
      return { ...state, status: 'completed' };
    case 'CampaignCancelled':
      return { ...state, status: 'cancelled' };
    case 'LeadsStaged': {
      const { importId, chunk, leads } = event.data;
      const imports = state.imports.update(importId, { chunks: IMap(), committed: false }, (i) => ({
        ...i,
        chunks: i.chunks.set(chunk, leads),
      }));
      return { ...state, imports };
    }
    case 'LeadsImported': {
      const { importId } = event.data;
      const { state: next } = mergeLeads(state, stagedRows(state, importId));
      // The staged rows are in the leads now; only the fact that the import counted is kept.
      return { ...next, imports: next.imports.set(importId, { chunks: IMap(), committed: true }) };
    }
    case 'CallbackDialScheduled': {
      const { lead } = event.data;
      return {
        ...state,
        leads: state.leads.set(lead.leadId, newLeadEntry(lead, state.nextOrder)),
        nextOrder: state.nextOrder + 1,
        queues: state.queues.update(queueKey(lead), OrderedSet<string>(), (s) => s.add(lead.leadId)),
      };
    }
    case 'DialStarted': {
      const { attemptId, leadId, attempt, callerId, leaseUntil, pacedAt } = event.data;
      const entry = state.leads.get(leadId);
      return {
        ...state,
        leads: entry ? state.leads.set(leadId, { ...entry, status: 'active', dials: attempt }) : state.leads,
        active: state.active.set(attemptId, {
          attemptId,
          leadId,
          attempt,
          callerId,
          leaseUntil: Date.parse(leaseUntil),
        }),
        lastSlot: pacedAt === undefined ? state.lastSlot : Date.parse(pacedAt),
        // A callback's own number is not a turn of the campaign's rotation.
        rotation: entry?.lead.callerId === undefined ? state.rotation + 1 : state.rotation,
      };
    }
    case 'DialPlaced': {
      const { attemptId, callId } = event.data;
      const attempt = state.active.get(attemptId);
      return attempt ? { ...state, active: state.active.set(attemptId, { ...attempt, callId }) } : state;
    }
    case 'DialEnded':
      return dialEnded(state, event);
  }
};
