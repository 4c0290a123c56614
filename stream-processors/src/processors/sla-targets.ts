import { z } from 'zod';
import {
  DEFAULT_SLA_TARGETS,
  parseStreamName,
  type EventEnvelope,
  type SlaTargets,
  type TenantSettings,
} from '@ccp/schemas';
import type { InsertRow, ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import { utcInstant } from './call-stream.js';
import { ClickHouseCount } from './read-rows.js';

/**
 * The SLA targets of each tenant over time (see sla.ts): the rows of tenant_sla_targets that tenant events give,
 * and reading that history back to find the targets in force at a position or now.
 */

/** The targets a tenant event sets, if it sets any. */
const targetsSetBy = (envelope: EventEnvelope): SlaTargets | undefined => {
  if (envelope.type !== 'TenantCreated' && envelope.type !== 'TenantSettingsUpdated') return undefined;
  // Decoded by the bus against the event's schema: TenantCreated always has targets (defaults when stored
  // before they existed), an update only when it changed them.
  const settings = (envelope.data as { settings?: Partial<TenantSettings> }).settings;
  return settings?.slaTargets;
};

export const targetRowOf = ({ envelope, position }: BusEvent): InsertRow[] => {
  const stream = parseStreamName(envelope.streamId);
  if (stream?.category !== 'tenant') return [];
  const targets = targetsSetBy(envelope);
  if (!targets) return [];
  return [
    {
      tenant_id: stream.tenantId,
      position,
      effective_at: utcInstant(envelope.occurredAt),
      answer_within_seconds: targets.answerWithinSeconds,
      max_queue_wait_seconds: targets.maxQueueWaitSeconds,
      max_handle_seconds: targets.maxHandleSeconds,
      max_abandon_rate: targets.maxAbandonRate,
      min_first_contact_resolution_rate: targets.minFirstContactResolutionRate,
      version: position,
    },
  ];
};

const TargetRow = z.object({
  tenant_id: z.string(),
  position: ClickHouseCount,
  answer_within_seconds: z.number(),
  max_queue_wait_seconds: z.number(),
  max_handle_seconds: z.number(),
  max_abandon_rate: z.number(),
  min_first_contact_resolution_rate: z.number(),
});

interface TargetsFrom {
  readonly position: number;
  readonly targets: SlaTargets;
}

/** Each tenant's target history, oldest first. */
export const loadTargets = async (
  readStore: ReadStore,
  tenantIds: readonly string[],
): Promise<Map<string, TargetsFrom[]>> => {
  const history = new Map<string, TargetsFrom[]>();
  if (tenantIds.length === 0) return history;
  const rows = await readStore.query<unknown>(
    `SELECT tenant_id, position, answer_within_seconds, max_queue_wait_seconds, max_handle_seconds,
            max_abandon_rate, min_first_contact_resolution_rate
     FROM tenant_sla_targets FINAL WHERE tenant_id IN {tenants:Array(String)} ORDER BY tenant_id, position`,
    { tenants: tenantIds },
  );
  for (const raw of rows) {
    const row = TargetRow.parse(raw);
    const list = history.get(row.tenant_id) ?? [];
    list.push({
      position: row.position,
      targets: {
        answerWithinSeconds: row.answer_within_seconds,
        maxQueueWaitSeconds: row.max_queue_wait_seconds,
        maxHandleSeconds: row.max_handle_seconds,
        maxAbandonRate: row.max_abandon_rate,
        minFirstContactResolutionRate: row.min_first_contact_resolution_rate,
      },
    });
    history.set(row.tenant_id, list);
  }
  return history;
};

/** The targets in force just before `position`; the defaults when the tenant's targets are not known yet. */
export const targetsAt = (history: readonly TargetsFrom[] | undefined, position: number): SlaTargets => {
  let found: SlaTargets | undefined;
  for (const entry of history ?? []) if (entry.position < position) found = entry.targets;
  return found ?? DEFAULT_SLA_TARGETS;
};

/** The tenant's current targets (the latest it set), or the defaults. */
export const currentSlaTargets = async (readStore: ReadStore, tenantId: string): Promise<SlaTargets> => {
  const history = await loadTargets(readStore, [tenantId]);
  return targetsAt(history.get(tenantId), Number.MAX_SAFE_INTEGER);
};
