import type { Migration } from './migration.js';

/**
 * The raw event log, for audit trails and for rebuilding other projections without the event store. One row per
 * event; a redelivered event has the same (tenant_id, position) and collapses into one row.
 *
 * Partitioned by the month the event occurred, which never changes for an event, so its duplicates always meet
 * in the same partition (ReplacingMergeTree only collapses rows within one). `data` is the event's data as
 * stored: personal fields are already encrypted with the subject's key, so erasure works here as it does in the
 * event store.
 */
export const migration: Migration = {
  version: 1,
  name: 'events',
  up: [
    `CREATE TABLE IF NOT EXISTS events (
      tenant_id      LowCardinality(String),
      position       UInt64,
      event_id       String,
      stream_id      String,
      type           LowCardinality(String),
      version        UInt16,
      occurred_at    DateTime64(3, 'UTC'),
      correlation_id String,
      causation_id   Nullable(String),
      actor_kind     LowCardinality(String),
      actor_id       String,
      data           String CODEC(ZSTD(3)),
      INDEX events_stream      stream_id      TYPE bloom_filter(0.01) GRANULARITY 4,
      INDEX events_correlation correlation_id TYPE bloom_filter(0.01) GRANULARITY 4,
      INDEX events_event_id    event_id       TYPE bloom_filter(0.01) GRANULARITY 4,
      INDEX events_type        type           TYPE set(256)           GRANULARITY 4
    )
    ENGINE = ReplacingMergeTree
    PARTITION BY toYYYYMM(occurred_at)
    ORDER BY (tenant_id, position)`,
  ],
};
