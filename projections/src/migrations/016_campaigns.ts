import type { Migration } from './migration.js';

/**
 * The campaigns processor's tables: outbound campaigns, their leads, imports and dial attempts, and each
 * tenant's do-not-call list. Every row is rewritten whole with `version` = the position of the event that last
 * changed it, so a replay or a rebuild collapses to the same rows under FINAL. Each is partitioned by the month
 * of an instant that never changes for its row (a campaign's creation, a lead's staging, an attempt's start, a
 * number's first listing), since ReplacingMergeTree collapses versions only within a partition.
 *
 * campaigns: one row per campaign; `settings` is the JSON of its current settings (name, agent, caller IDs,
 * dates, windows, holidays, retry, pacing, voicemail), `revision` the settings revision edits must name.
 *
 * campaign_leads: one row per lead and import that staged it (LeadsStaged), or with import_id '' for a lead a
 * callback added directly. A staged lead counts only once its import is in campaign_imports (LeadsImported);
 * the lead id is derived from the number, so a number imported twice is one lead with two rows, read as one.
 * `variables` is their JSON; the number and name are personal data the event store decrypted for the
 * processor, and read '[erased]' once their subject was erased.
 *
 * campaign_attempts: one row per dial attempt, from DialStarted (seq = its position, the attempts' order) to
 * DialPlaced (call_id) and DialEnded (ended_at, outcome, retry_at when the lead is tried again).
 *
 * do_not_call: one row per tenant and number; a removed number keeps its row with removed = 1, a number listed
 * again gets a new added_at and keeps first_added_at (its partition).
 */
export const migration: Migration = {
  version: 16,
  name: 'campaigns',
  up: [
    `CREATE TABLE IF NOT EXISTS campaigns (
      tenant_id     LowCardinality(String),
      campaign_id   String,
      kind          LowCardinality(String),
      name          String,
      status        LowCardinality(String),
      settings      String,
      revision      UInt32,
      paused_reason String DEFAULT '',
      created_at    DateTime64(3, 'UTC'),
      updated_at    DateTime64(3, 'UTC'),
      version       UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(created_at)
    ORDER BY (tenant_id, campaign_id)`,
    `CREATE TABLE IF NOT EXISTS campaign_leads (
      tenant_id      LowCardinality(String),
      campaign_id    String,
      lead_id        String,
      import_id      String,
      phone          String,
      name           String DEFAULT '',
      language       String DEFAULT '',
      country        LowCardinality(String) DEFAULT '',
      time_zones     Array(String),
      variables      String DEFAULT '{}',
      due_at         Nullable(DateTime64(3, 'UTC')),
      source_call_id String DEFAULT '',
      staged_at      DateTime64(3, 'UTC'),
      version        UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(staged_at)
    ORDER BY (tenant_id, campaign_id, lead_id, import_id)`,
    `CREATE TABLE IF NOT EXISTS campaign_imports (
      tenant_id           LowCardinality(String),
      campaign_id         String,
      import_id           String,
      rows                UInt32,
      added               UInt32,
      merged              UInt32,
      skipped_do_not_call UInt32,
      source              LowCardinality(String),
      file_name           String DEFAULT '',
      imported_at         DateTime64(3, 'UTC'),
      version             UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(imported_at)
    ORDER BY (tenant_id, campaign_id, import_id)`,
    `CREATE TABLE IF NOT EXISTS campaign_attempts (
      tenant_id   LowCardinality(String),
      campaign_id String,
      attempt_id  String,
      lead_id     String,
      attempt     UInt16,
      seq         UInt64,
      caller_id   String DEFAULT '',
      started_at  DateTime64(3, 'UTC'),
      call_id     String DEFAULT '',
      ended_at    Nullable(DateTime64(3, 'UTC')),
      outcome     LowCardinality(String) DEFAULT '',
      reason      String DEFAULT '',
      retry_at    Nullable(DateTime64(3, 'UTC')),
      version     UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(started_at)
    ORDER BY (tenant_id, campaign_id, attempt_id)`,
    `CREATE TABLE IF NOT EXISTS do_not_call (
      tenant_id      LowCardinality(String),
      number         String,
      source         LowCardinality(String) DEFAULT '',
      added_at       DateTime64(3, 'UTC'),
      first_added_at DateTime64(3, 'UTC'),
      call_id        String DEFAULT '',
      removed        UInt8 DEFAULT 0,
      version        UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(first_added_at)
    ORDER BY (tenant_id, number)`,
  ],
};
