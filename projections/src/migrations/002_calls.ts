import type { Migration } from './migration.js';

/**
 * One row per call, rewritten whole by the projection writer after each event of the call, with `version` set to
 * that event's position: read with FINAL, the newest state wins and a replayed event (same or lower position)
 * changes nothing.
 *
 * Partitioned by the month the call started. ReplacingMergeTree collapses versions only within a partition, so
 * started_at must stay what CallStarted said for the life of the row. `from`/`to` are from_address/to_address:
 * FROM and TO are SQL keywords and every query would otherwise have to quote them. Strings are '' where a
 * call has no such thing (no agent, not ended), which ClickHouse stores and filters more cheaply than NULL;
 * ended_at and duration_seconds are Nullable because 0 and the epoch are real values.
 */
export const migration: Migration = {
  version: 2,
  name: 'calls',
  up: [
    `CREATE TABLE IF NOT EXISTS calls (
      tenant_id          LowCardinality(String),
      call_id            String,
      direction          LowCardinality(String),
      provider           LowCardinality(String),
      from_address       String,
      to_address         String,
      agent_id           String DEFAULT '',
      department_id      String DEFAULT '',
      status             LowCardinality(String),
      started_at         DateTime64(3, 'UTC'),
      answered_at        Nullable(DateTime64(3, 'UTC')),
      ended_at           Nullable(DateTime64(3, 'UTC')),
      outcome            LowCardinality(String) DEFAULT '',
      duration_seconds   Nullable(UInt32),
      escalated          UInt8 DEFAULT 0,
      escalation_reason  LowCardinality(String) DEFAULT '',
      human_user_id      String DEFAULT '',
      taken_over         UInt8 DEFAULT 0,
      transferred        UInt8 DEFAULT 0,
      utterance_count    UInt32 DEFAULT 0,
      ai_reply_count     UInt32 DEFAULT 0,
      tool_call_count    UInt32 DEFAULT 0,
      prompt_tokens      UInt64 DEFAULT 0,
      completion_tokens  UInt64 DEFAULT 0,
      feedback_score     Nullable(UInt8),
      has_recording      UInt8 DEFAULT 0,
      last_event_at      DateTime64(3, 'UTC'),
      version            UInt64,
      INDEX calls_agent      agent_id      TYPE bloom_filter(0.01) GRANULARITY 4,
      INDEX calls_department department_id TYPE bloom_filter(0.01) GRANULARITY 4,
      INDEX calls_started    started_at    TYPE minmax             GRANULARITY 1
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(started_at)
    ORDER BY (tenant_id, call_id)`,
  ],
};
