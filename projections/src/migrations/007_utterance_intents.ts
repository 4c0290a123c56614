import type { Migration } from './migration.js';

/**
 * Owned by the intent processor: the intent of each caller utterance and the classifier's calibrated
 * confidence. version = the event's position, so a redelivered utterance collapses into its row under FINAL;
 * a later re-classification (an LLM classifier, a retrained model) writes a higher version to win.
 */
export const migration: Migration = {
  version: 7,
  name: 'utterance_intents',
  up: [
    `CREATE TABLE IF NOT EXISTS utterance_intents (
      tenant_id    LowCardinality(String),
      call_id      String,
      utterance_id String,
      intent       LowCardinality(String),
      confidence   Float64,
      occurred_at  DateTime64(3, 'UTC'),
      version      UInt64,
      INDEX utterance_intents_time occurred_at TYPE minmax GRANULARITY 1
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(occurred_at)
    ORDER BY (tenant_id, call_id, utterance_id)`,
  ],
};
