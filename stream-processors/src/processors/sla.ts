import { parseStreamName } from '@ccp/schemas';
import type { InsertRow } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import type { Processor, ProcessorContext } from '../processor.js';
import { callEventsOf, callIdsByTenant, callKey, utcInstant, type CallEventAt } from './call-stream.js';
import { loadCallRows } from './read-rows.js';
import { applySlaEvent, CallSlaRow, type SlaBreach } from './sla-call-measures.js';
import { loadTargets, targetRowOf, targetsAt } from './sla-targets.js';

export { applySlaEvent, CallSlaRow, type SlaBreach } from './sla-call-measures.js';
export { currentSlaTargets } from './sla-targets.js';
export {
  slaCompliance,
  type PerCallCompliance,
  type RateCompliance,
  type SlaCompliance,
} from './sla-compliance.js';

/**
 * SLA: how each call went against its tenant's service levels, and breaches flagged back to the write side.
 *
 * Per call (table call_sla):
 * - time to answer: from the call's start to the first answer, which is the AI's first reply or line, a human's
 *   first line, a takeover, or a human barging in (a human who only listens or whispers has not answered);
 * - queue wait: the time spent waiting in queues, from CallQueued until a human joins or takes over, the call is
 *   handed to an AI agent or an outside number, or it ends (then abandoned in the queue); summed over every
 *   wait of the call;
 * - handle time: the call's duration as CallEnded says;
 * - abandoned: ended with outcome 'abandoned';
 * - transfers: how many times the call was transferred.
 * - first-contact resolution: the call ended 'resolved', was never transferred, and nothing was left to do
 *   afterwards: its summary lists no follow-ups and no ticket was opened for it. Judged at query time, since
 *   summaries and tickets come after the call ended (table sla_follow_ups).
 *
 * A per-call target (answerWithinSeconds, maxQueueWaitSeconds, maxHandleSeconds) is checked when its metric is
 * final: time to answer at the answer (or at the end of a call never answered, with the whole call as the
 * wait), queue wait whenever a wait ends, handle time at the end. A breach sends FlagSlaBreach once per call
 * and metric (idempotency key `sla:<tenant>:<call>:<metric>`; the call decider also keeps each metric once).
 * Rates (abandonment, first-contact resolution) are over many calls: slaCompliance reports them against the
 * tenant's targets, they are never flagged on a call.
 *
 * Targets: the processor also reads tenant events and keeps every change of a tenant's targets in
 * tenant_sla_targets (keyed by position, so it survives restarts and rebuilds); a call is measured against the
 * targets in force when it started, copied into its row, so the breach it may send is the same on every replay.
 *
 * Idempotent as call-facts is: a call's row carries the position of the last event applied, events at or
 * below it change nothing; breaches are sent before the rows are written, so a crash in between sends them
 * again with the same keys and data, which the write side answers as already done.
 *
 * This file is the processor: it writes the three tables and sends the breaches. The per-call rules are in
 * sla-call-measures.ts, the targets' history in sla-targets.ts, the compliance query in sla-compliance.ts.
 */

export const SLA = 'sla';

// Follow-ups

const followUpRowOf = ({ envelope, position }: BusEvent): InsertRow[] => {
  const stream = parseStreamName(envelope.streamId);
  if (stream === undefined) return [];
  const row = (callId: string, source: 'summary' | 'ticket') => ({
    tenant_id: stream.tenantId,
    call_id: callId,
    source,
    source_id: envelope.id,
    occurred_at: utcInstant(envelope.occurredAt),
    version: position,
  });
  if (stream.category === 'call' && envelope.type === 'CallSummarized') {
    const { followUps } = envelope.data as { followUps: readonly string[] };
    return followUps.length > 0 ? [row(stream.id, 'summary')] : [];
  }
  if (stream.category === 'ticket' && envelope.type === 'TicketOpened') {
    const { callId } = envelope.data as { callId?: string };
    return callId === undefined ? [] : [row(callId, 'ticket')];
  }
  return [];
};

export const createSlaProcessor = (): Processor => ({
  name: SLA,
  categories: ['call', 'tenant', 'ticket'],
  tables: ['call_sla', 'tenant_sla_targets', 'sla_follow_ups'],
  async handle(batch: readonly BusEvent[], context: ProcessorContext): Promise<void> {
    const { readStore } = context;
    const targetRows = batch.flatMap(targetRowOf);
    if (targetRows.length > 0) await readStore.insert('tenant_sla_targets', targetRows);
    const followUps = batch.flatMap(followUpRowOf);
    if (followUps.length > 0) await readStore.insert('sla_follow_ups', followUps);

    const events = callEventsOf(batch);
    if (events.length === 0) return;
    const byTenant = callIdsByTenant(events);
    const targets = await loadTargets(readStore, [...byTenant.keys()]);
    const loaded = await loadCallRows(readStore, 'call_sla', byTenant, CallSlaRow);
    const rows = new Map(loaded.map((row) => [callKey(row.tenant_id, row.call_id), row]));
    const changed = new Map<string, CallSlaRow>();
    const flagged: { at: CallEventAt; breach: SlaBreach }[] = [];
    for (const at of events) {
      const key = callKey(at.tenantId, at.callId);
      const before = rows.get(key);
      const after = applySlaEvent(before, at, targetsAt(targets.get(at.tenantId), at.position));
      if (after.row === undefined) {
        context.log(
          `${SLA}: ${at.envelope.type} at position ${at.position} of call ${at.callId} (tenant ${at.tenantId}) precedes its CallStarted; skipped`,
        );
        continue;
      }
      if (after.row !== before) {
        rows.set(key, after.row);
        changed.set(key, after.row);
      }
      for (const breach of after.breaches) flagged.push({ at, breach });
    }

    for (const { at, breach } of flagged) {
      await context.send(
        'FlagSlaBreach',
        { tenantId: at.tenantId, callId: at.callId, ...breach },
        {
          idempotencyKey: `sla:${at.tenantId}:${at.callId}:${breach.metric}`,
          correlationId: at.envelope.correlationId,
          causationId: at.envelope.id,
        },
      );
    }
    if (changed.size > 0) await readStore.insert('call_sla', [...changed.values()]);
  },
});
