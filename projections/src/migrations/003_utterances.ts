import type { Migration } from './migration.js';

/**
 * One row per utterance of a call, with what the stream processors derive from it (sentiment, intent).
 * `position` is the event's position, which orders a call's transcript; `version` decides which copy of a row
 * wins under FINAL: the event's position for a row written from its event, higher for a later re-derivation
 * (say, a newer sentiment model), so a redelivery never undoes an enrichment.
 *
 * Partitioned by the month the utterance occurred, which never changes for an utterance. The text is personal
 * data and is stored readable here, so erasing a subject also means deleting their rows from this table.
 */
export const migration: Migration = {
  version: 3,
  name: 'utterances',
  up: [
    `CREATE TABLE IF NOT EXISTS utterances (
      tenant_id        LowCardinality(String),
      call_id          String,
      utterance_id     String,
      speaker          LowCardinality(String),
      text             String CODEC(ZSTD(3)),
      confidence       Float64,
      language         LowCardinality(String),
      sentiment_score  Nullable(Float64),
      sentiment_label  LowCardinality(String) DEFAULT '',
      intent           LowCardinality(String) DEFAULT '',
      occurred_at      DateTime64(3, 'UTC'),
      position         UInt64,
      version          UInt64,
      INDEX utterances_time occurred_at TYPE minmax GRANULARITY 1
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(occurred_at)
    ORDER BY (tenant_id, call_id, utterance_id)`,
  ],
};
