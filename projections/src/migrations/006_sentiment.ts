import type { Migration } from './migration.js';

/**
 * Owned by the sentiment processor.
 *
 * utterance_sentiment: one row per scored utterance (caller, AI and human lines, told apart by `speaker`), with
 * the call's AI agent when known, so sentiment per agent and per tenant over time is a GROUP BY at query time.
 * version = the event's position, so a redelivered utterance collapses into its row under FINAL.
 *
 * call_sentiment: one row per call, rewritten after each caller utterance with version = that event's position.
 * `recent_scores` is the window of caller scores the rolling average and trend are computed over: it is the
 * processor's state, kept in the row so that any member of the consumer group can carry on a call another
 * member started. Partitioned by the call's start, which never changes for the row (the sentiment
 * processor sees CallStarted first, the events of a call being ordered).
 */
export const migration: Migration = {
  version: 6,
  name: 'sentiment',
  up: [
    `CREATE TABLE IF NOT EXISTS utterance_sentiment (
      tenant_id    LowCardinality(String),
      call_id      String,
      utterance_id String,
      speaker      LowCardinality(String),
      score        Float64,
      label        LowCardinality(String),
      language     LowCardinality(String),
      agent_id     String DEFAULT '',
      occurred_at  DateTime64(3, 'UTC'),
      version      UInt64,
      INDEX utterance_sentiment_time  occurred_at TYPE minmax             GRANULARITY 1,
      INDEX utterance_sentiment_agent agent_id    TYPE bloom_filter(0.01) GRANULARITY 4
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(occurred_at)
    ORDER BY (tenant_id, call_id, utterance_id)`,
    `CREATE TABLE IF NOT EXISTS call_sentiment (
      tenant_id     LowCardinality(String),
      call_id       String,
      agent_id      String DEFAULT '',
      started_at    DateTime64(3, 'UTC'),
      average       Float64,
      trend         LowCardinality(String),
      last_score    Nullable(Float64),
      utterances    UInt32,
      score_sum     Float64,
      recent_scores Array(Float64),
      updated_at    DateTime64(3, 'UTC'),
      version       UInt64,
      INDEX call_sentiment_started started_at TYPE minmax GRANULARITY 1
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(started_at)
    ORDER BY (tenant_id, call_id)`,
  ],
};
