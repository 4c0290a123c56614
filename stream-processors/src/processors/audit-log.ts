import { eventDefinitions, PERSONAL_FIELDS, withoutWithheldFields, type EventEnvelope } from '@ccp/schemas';
import type { BusEvent } from '../bus/port.js';
import type { Processor, ProcessorContext } from '../processor.js';

export const AUDIT_LOG = 'audit-log';

/** What a personal field reads as in the audit log. */
export const PERSONAL_MARKER = '[personal]';

/** Every category of the catalogue: the audit log keeps every event there is. */
export const AUDITED_CATEGORIES: readonly string[] = [
  ...new Set(eventDefinitions.map((definition) => definition.category)),
].sort();

/**
 * The event's data with its personal fields (PERSONAL_FIELDS, whole top-level values) replaced by the marker.
 *
 * The bus hands processors the data decrypted. In the event store those fields are encrypted with a key per
 * subject, so erasing a person deletes a key; a copy here in the clear would outlive that erasure in a table
 * nobody thinks of as personal data. The audit trail needs who did what, when, to which stream and in answer to
 * what (type, actor, ids, non-personal fields); what was said is in `utterances`, which erasure deletes, and in
 * the event store under the subject's key. A field that is absent stays absent, so the row still shows which
 * fields the event carried.
 */
export const withoutPersonalData = (type: string, data: unknown): unknown => {
  const fields = PERSONAL_FIELDS[type];
  if (fields === undefined || typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const redacted: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const field of fields) if (redacted[field] !== undefined) redacted[field] = PERSONAL_MARKER;
  return redacted;
};

/** A row of `events` (001_events, 004_events_actor_role). */
const auditRowOf = (envelope: EventEnvelope, position: number): Record<string, unknown> => ({
  tenant_id: envelope.tenantId,
  position,
  event_id: envelope.id,
  stream_id: envelope.streamId,
  type: envelope.type,
  version: envelope.version,
  occurred_at: new Date(envelope.occurredAt).toISOString(),
  correlation_id: envelope.correlationId,
  causation_id: envelope.causationId,
  actor_kind: envelope.actor.kind,
  actor_id: envelope.actor.id,
  actor_role: envelope.actor.role ?? '',
  data: JSON.stringify(
    withoutWithheldFields(envelope.type, withoutPersonalData(envelope.type, envelope.data)),
  ),
});

/**
 * The raw event log for audit: every event of every category into `events`, one row per event keyed by
 * (tenant_id, position). The row depends on the event alone, so a redelivered or re-split batch writes the
 * same rows again and they collapse under FINAL. `version` is the event's schema version as delivered (the
 * latest, after upcasting), `position` its place in the global log.
 */
export const createAuditLogProcessor = (): Processor => ({
  name: AUDIT_LOG,
  // 2: ticket subjects, resolutions and reasons, call outcomes and transfer reasons became personal fields; a
  // start rebuilds the table so rows written in the clear by version 1 are redacted too.
  // 3: secret and personal hashes (WITHHELD_FIELDS) are withheld; rows of version 2 still hold them.
  version: 3,
  categories: AUDITED_CATEGORIES,
  tables: ['events'],
  async handle(batch: readonly BusEvent[], context: ProcessorContext): Promise<void> {
    await context.readStore.insert(
      'events',
      batch.map(({ envelope, position }) => auditRowOf(envelope, position)),
    );
  },
});
