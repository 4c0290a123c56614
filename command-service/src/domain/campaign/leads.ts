import { OrderedSet } from 'immutable';
import type { Lead } from '@ccp/schemas';
import { queueKey, type CampaignState, type LeadEntry } from './state.js';

const NO_RETRIES: LeadEntry['retries'] = { busy: 0, no_answer: 0, failed: 0, voicemail: 0 };

export const newLeadEntry = (lead: Lead, order: number): LeadEntry => ({
  lead,
  order,
  status: 'pending',
  attempts: 0,
  dials: 0,
  retries: NO_RETRIES,
  ...(lead.dueAt === undefined ? {} : { nextAt: Date.parse(lead.dueAt) }),
});

/** A later row for a lead the campaign has: its variables merged in, its name, zones and language when given. */
const merged = (current: Lead, row: Lead): Lead => ({
  ...current,
  variables: { ...current.variables, ...row.variables },
  ...(row.name === undefined ? {} : { name: row.name }),
  ...(row.language === undefined ? {} : { language: row.language }),
  ...(row.country === undefined ? {} : { country: row.country }),
  ...(row.timeZones.length === 0 ? {} : { timeZones: row.timeZones }),
});

export interface MergeResult {
  readonly state: CampaignState;
  readonly added: number;
  readonly merged: number;
}

/**
 * Adds rows to the campaign's leads, in order. A row whose leadId, or else phone, the campaign already has (from
 * an earlier import or an earlier row) is merged into that lead. The decider runs it to count, evolve to apply:
 * one function, so the counts in LeadsImported are what evolving it does. Mutations are batched per map
 * (withMutations), so a chunk costs O(rows · log n) whatever the campaign's size.
 */
export const mergeLeads = (state: CampaignState, rows: Iterable<Lead>): MergeResult => {
  let added = 0;
  let mergedRows = 0;
  let nextOrder = state.nextOrder;
  const enqueue = new Map<string, string[]>();
  const dequeue = new Map<string, string[]>();
  const push = (table: Map<string, string[]>, key: string, id: string) => {
    const list = table.get(key);
    if (list) list.push(id);
    else table.set(key, [id]);
  };
  const leadByPhone = state.leadByPhone.asMutable();
  const leads = state.leads.asMutable();
  for (const row of rows) {
    const existingId = leads.has(row.leadId) ? row.leadId : leadByPhone.get(row.phone);
    const existing = existingId === undefined ? undefined : leads.get(existingId);
    if (existingId !== undefined && existing) {
      mergedRows += 1;
      const lead = merged(existing.lead, row);
      leads.set(existingId, { ...existing, lead });
      const [from, to] = [queueKey(existing.lead), queueKey(lead)];
      if (from !== to && existing.status !== 'done') {
        push(dequeue, from, existingId);
        push(enqueue, to, existingId);
      }
      continue;
    }
    added += 1;
    leads.set(row.leadId, newLeadEntry(row, nextOrder));
    nextOrder += 1;
    leadByPhone.set(row.phone, row.leadId);
    push(enqueue, queueKey(row), row.leadId);
  }
  const queues = state.queues.withMutations((q) => {
    for (const [key, ids] of dequeue) {
      q.update(key, OrderedSet<string>(), (s) => s.withMutations((m) => ids.forEach((id) => m.delete(id))));
    }
    for (const [key, ids] of enqueue) {
      q.update(key, OrderedSet<string>(), (s) => s.withMutations((m) => ids.forEach((id) => m.add(id))));
    }
  });
  return {
    state: {
      ...state,
      leads: leads.asImmutable(),
      leadByPhone: leadByPhone.asImmutable(),
      queues,
      nextOrder,
    },
    added,
    merged: mergedRows,
  };
};

/** The staged rows of an import in chunk order. */
export const stagedRows = (state: CampaignState, importId: string): Lead[] => {
  const staged = state.imports.get(importId);
  if (!staged) return [];
  return [...staged.chunks.entries()].sort(([a], [b]) => a - b).flatMap(([, rows]) => rows);
};
