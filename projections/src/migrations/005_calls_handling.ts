import type { Migration } from './migration.js';

/**
 * What happened to a call between the AI and the humans, for queue, department and agent statistics computed
 * over `calls` at query time. The call-facts processor derives these as it applies the call's events, so a
 * query needs no join with the event log:
 *
 * - queue, queue_department_id, queued_at: the last queue the call waited in (CallQueued);
 * - queue_wait_ms: from queued_at to the first human joining while the call was queued; NULL while waiting
 *   or when nobody came;
 * - abandoned_in_queue: the call ended while still waiting for a human;
 * - escalated_at, human_joined_at: the first escalation and the first human on the call;
 * - transfer_count, transfer_target_kind: how often the call was handed on, and to what the last time;
 * - ai_latency_ms: the sum over AI replies (the average is this over ai_reply_count).
 *
 * Columns are added with defaults, so rows written before this migration read as "none of this happened"
 * until the processor rewrites them (a rebuild, or the call's next event).
 */
export const migration: Migration = {
  version: 5,
  name: 'calls_handling',
  up: [
    `ALTER TABLE calls
      ADD COLUMN IF NOT EXISTS queued               UInt8 DEFAULT 0,
      ADD COLUMN IF NOT EXISTS queue                LowCardinality(String) DEFAULT '',
      ADD COLUMN IF NOT EXISTS queue_department_id  String DEFAULT '',
      ADD COLUMN IF NOT EXISTS queued_at            Nullable(DateTime64(3, 'UTC')),
      ADD COLUMN IF NOT EXISTS queue_wait_ms        Nullable(UInt64),
      ADD COLUMN IF NOT EXISTS abandoned_in_queue   UInt8 DEFAULT 0,
      ADD COLUMN IF NOT EXISTS escalated_at         Nullable(DateTime64(3, 'UTC')),
      ADD COLUMN IF NOT EXISTS human_joined         UInt8 DEFAULT 0,
      ADD COLUMN IF NOT EXISTS human_joined_at      Nullable(DateTime64(3, 'UTC')),
      ADD COLUMN IF NOT EXISTS transfer_count       UInt32 DEFAULT 0,
      ADD COLUMN IF NOT EXISTS transfer_target_kind LowCardinality(String) DEFAULT '',
      ADD COLUMN IF NOT EXISTS ai_latency_ms        UInt64 DEFAULT 0`,
  ],
};
