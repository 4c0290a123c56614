import type { Migration } from './migration.js';

/**
 * Per-call rollups for the dashboards that would otherwise aggregate every utterance of a range (millions of
 * rows): one row per call, rewritten by its processor with version = the position of the call's latest event
 * it used, so a redelivery collapses under FINAL and nothing is counted twice.
 *
 * call_sentiment (sentiment processor): how many of the caller's lines were positive, neutral and negative,
 * next to the existing score_sum and utterances. Rows written before read 0 until rewritten (a rebuild).
 *
 * call_intents (intent processor): how many caller lines of the call had each intent. Partitioned by the call's
 * start like every per-call table, so dashboards filter intents by when calls started.
 */
export const migration: Migration = {
  version: 14,
  name: 'call_rollups',
  up: [
    `ALTER TABLE call_sentiment
      ADD COLUMN IF NOT EXISTS positive UInt32 DEFAULT 0,
      ADD COLUMN IF NOT EXISTS neutral  UInt32 DEFAULT 0,
      ADD COLUMN IF NOT EXISTS negative UInt32 DEFAULT 0`,
    `CREATE TABLE IF NOT EXISTS call_intents (
      tenant_id  LowCardinality(String),
      call_id    String,
      started_at DateTime64(3, 'UTC'),
      intents    Map(LowCardinality(String), UInt32),
      version    UInt64,
      INDEX call_intents_started started_at TYPE minmax GRANULARITY 1
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(started_at)
    ORDER BY (tenant_id, call_id)`,
  ],
};
