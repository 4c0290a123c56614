import type { Migration } from './migration.js';

/**
 * The SLA processor's tables.
 *
 * tenant_sla_targets: the history of each tenant's SLA targets, one row per tenant event that set them
 * (TenantCreated, TenantSettingsUpdated with slaTargets), keyed by the event's position. A call is measured
 * against the targets in force when it started, and a rebuild finds the same ones because the history is kept.
 * Partitioned by the month of the event, which never changes for a row.
 *
 * call_sla: one row per call, rewritten after each event of the call that changes it, with version = that
 * event's position (read with FINAL). It carries the targets in force when the call started, so per-call
 * compliance never shifts when a tenant changes its targets later, and `breaches` lists the metrics flagged on
 * the call. Partitioned by the month the call started, which stays what CallStarted said.
 *
 * sla_follow_ups: what makes a resolved call not a first-contact resolution after the fact: follow-ups listed
 * in its summary, tickets opened for it. Keyed by the event that said so; it arrives after the call's row or
 * even before it (tickets are another stream), so it is joined at query time rather than folded into call_sla.
 */
export const migration: Migration = {
  version: 10,
  name: 'sla',
  up: [
    `CREATE TABLE IF NOT EXISTS tenant_sla_targets (
      tenant_id                         LowCardinality(String),
      position                          UInt64,
      effective_at                      DateTime64(3, 'UTC'),
      answer_within_seconds             UInt32,
      max_queue_wait_seconds            UInt32,
      max_handle_seconds                UInt32,
      max_abandon_rate                  Float64,
      min_first_contact_resolution_rate Float64,
      version                           UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(effective_at)
    ORDER BY (tenant_id, position)`,
    `CREATE TABLE IF NOT EXISTS call_sla (
      tenant_id                 LowCardinality(String),
      call_id                   String,
      agent_id                  String DEFAULT '',
      department_id             String DEFAULT '',
      started_at                DateTime64(3, 'UTC'),
      answered_at               Nullable(DateTime64(3, 'UTC')),
      time_to_answer_seconds    Nullable(Float64),
      queued                    UInt8 DEFAULT 0,
      queued_since              Nullable(DateTime64(3, 'UTC')),
      queue_wait_seconds        Float64 DEFAULT 0,
      transfer_count            UInt32 DEFAULT 0,
      ended_at                  Nullable(DateTime64(3, 'UTC')),
      outcome                   LowCardinality(String) DEFAULT '',
      handle_seconds            Nullable(UInt32),
      abandoned                 UInt8 DEFAULT 0,
      target_answer_seconds     UInt32,
      target_queue_wait_seconds UInt32,
      target_handle_seconds     UInt32,
      breaches                  Array(LowCardinality(String)),
      version                   UInt64,
      INDEX call_sla_started started_at TYPE minmax GRANULARITY 1
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(started_at)
    ORDER BY (tenant_id, call_id)`,
    `CREATE TABLE IF NOT EXISTS sla_follow_ups (
      tenant_id   LowCardinality(String),
      call_id     String,
      source      LowCardinality(String),
      source_id   String,
      occurred_at DateTime64(3, 'UTC'),
      version     UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(occurred_at)
    ORDER BY (tenant_id, call_id, source_id)`,
  ],
};
