import type { Migration } from './migration.js';

/**
 * The usage (billing) processor's tables.
 *
 * tenant_plans: the history of each tenant's plan tier, one row per TenantCreated / PlanTierChanged keyed by
 * the event's position, so a call is rounded by the plan in force when it ended, on a rebuild too.
 *
 * usage_calls: the AI agent each call is with (its start, then transfers to another agent), so usage is
 * attributed per agent although CallEnded and AiReplied do not name one. One row per call, version = position.
 *
 * usage_events: one row per metered event: call_minutes (CallEnded, rounded by the plan), llm_tokens
 * (AiReplied, prompt + completion) and speech_seconds (utterances with start and end times). Keyed by the
 * event's id, so a redelivery collapses under FINAL; totals are sums at query time. `period` is the UTC month
 * of occurred_at, the same month as the partition, so a period's rows are in one partition.
 */
export const migration: Migration = {
  version: 11,
  name: 'usage',
  up: [
    `CREATE TABLE IF NOT EXISTS tenant_plans (
      tenant_id    LowCardinality(String),
      position     UInt64,
      effective_at DateTime64(3, 'UTC'),
      plan_tier    LowCardinality(String),
      version      UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(effective_at)
    ORDER BY (tenant_id, position)`,
    `CREATE TABLE IF NOT EXISTS usage_calls (
      tenant_id  LowCardinality(String),
      call_id    String,
      agent_id   String DEFAULT '',
      started_at DateTime64(3, 'UTC'),
      version    UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(started_at)
    ORDER BY (tenant_id, call_id)`,
    `CREATE TABLE IF NOT EXISTS usage_events (
      tenant_id   LowCardinality(String),
      period      LowCardinality(String),
      kind        LowCardinality(String),
      event_id    String,
      call_id     String,
      agent_id    String DEFAULT '',
      quantity    Float64,
      plan_tier   LowCardinality(String) DEFAULT '',
      occurred_at DateTime64(3, 'UTC'),
      version     UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(occurred_at)
    ORDER BY (tenant_id, period, kind, event_id)`,
  ],
};
