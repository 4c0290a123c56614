import { Map as IMap } from 'immutable';
import type { DialOutcome, Lead } from '@ccp/schemas';
import {
  addImport,
  addLoose,
  entryAt,
  eraseLeads,
  orderOf,
  withProgress,
  type LeadProgress,
} from './lead-book.js';
import type { CampaignEvent, CampaignState, RetryOutcome } from './state.js';

/** Which retry rule an outcome uses; a lease that ran out counts as a failed dial. */
export const RETRY_RULE_OF: Partial<Record<DialOutcome, RetryOutcome>> = {
  busy: 'busy',
  no_answer: 'no_answer',
  failed: 'failed',
  voicemail: 'voicemail',
  lease_expired: 'failed',
};

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
  const order = orderOf(state.book, leadId);
  const entry = order === undefined ? undefined : entryAt(state.book, order);
  if (order === undefined || !entry) return base;
  const { lead: _lead, order: _order, ...progress } = entry;
  const rule = RETRY_RULE_OF[outcome];
  const common = {
    ...progress,
    attempts: entry.attempts + (outcome === 'not_placed' ? 0 : 1),
    lastOutcome: outcome,
  };
  let next: LeadProgress;
  if (retryAt !== undefined && rule !== undefined) {
    const retries = { ...entry.retries, [rule]: entry.retries[rule] + 1 };
    next = { ...common, status: 'pending', retries, nextAt: Date.parse(retryAt) };
  } else {
    next = { ...common, status: outcome === 'not_placed' ? 'pending' : 'done' };
  }
  return { ...base, book: withProgress(state.book, order, next) };
};

/**
 * The leads of a chunk still readable: one whose person was erased reads as ERASED in its place (its key
 * shredded), and is as if never staged, so a rebuild never dials it nor counts it.
 */
const readableLeads = (leads: unknown): Lead[] =>
  Array.isArray(leads) ? leads.filter((lead): lead is Lead => typeof lead === 'object' && lead !== null) : [];

/** The staged rows of an import in chunk order. */
export const stagedRows = (state: CampaignState, importId: string): Lead[] => {
  const staged = state.imports.get(importId);
  if (!staged) return [];
  return [...staged.chunks.entries()].sort(([a], [b]) => a - b).flatMap(([, rows]) => rows);
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
      const { importId, chunk } = event.data;
      const leads = readableLeads(event.data.leads);
      const imports = state.imports.update(importId, { chunks: IMap(), committed: false }, (i) => ({
        ...i,
        chunks: i.chunks.set(chunk, leads),
      }));
      return { ...state, imports };
    }
    case 'LeadsImported': {
      const { importId } = event.data;
      const { book } = addImport(state.book, stagedRows(state, importId));
      // The staged rows are in the leads now; only the fact that the import counted is kept.
      const committedChunks = state.imports.get(importId)?.chunks.size ?? 0;
      return {
        ...state,
        book,
        imports: state.imports.set(importId, { chunks: IMap(), committed: true, committedChunks }),
      };
    }
    case 'CallbackDialScheduled': {
      // Typed as a lead, but a callback whose person was erased reads ERASED in its place.
      const lead: unknown = event.data.lead;
      if (typeof lead !== 'object' || lead === null) return state;
      return { ...state, book: addLoose(state.book, event.data.lead) };
    }
    case 'CampaignLeadsErased': {
      const erased = new Set(event.data.leadIds);
      // Rows staged and not yet committed go too: a commit after the erasure never adds them.
      const imports = state.imports.map((staged) => ({
        ...staged,
        chunks: staged.chunks.map((rows) => rows.filter((row) => !erased.has(row.leadId))),
      }));
      return { ...state, book: eraseLeads(state.book, event.data.leadIds), imports };
    }
    case 'DialStarted': {
      const { attemptId, leadId, attempt, callerId, leaseUntil, pacedAt } = event.data;
      const order = orderOf(state.book, leadId);
      const entry = order === undefined ? undefined : entryAt(state.book, order);
      let { book } = state;
      if (order !== undefined && entry) {
        const { lead: _lead, order: _order, ...progress } = entry;
        book = withProgress(book, order, { ...progress, status: 'active', dials: attempt });
      }
      return {
        ...state,
        book,
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
