import type { Migration } from './migration.js';

/**
 * The integrations processor's tables (categories connection and delivery). Rows are rewritten whole with
 * `version` = the position of the event that last changed them, so a redelivery, a replay or a rebuild collapses
 * to the same rows under FINAL. Instants are UTC; an absent optional value is NULL.
 *
 * Neither table holds a secret: a connection's `secrets` (sealed `secret:v1:` ciphertext in the log) are never
 * projected, only their hints (the last four characters, as the event gives them). Nor does either hold the
 * provider's text of a failed attempt (`error`, personal data): the API reads it from the delivery's stream.
 *
 * integration_connections: one row per connection, ORDER BY (tenant_id, connection_id), partitioned by the month
 *   of created_at (never changes for the row).
 *   kind, name, settings (the ConnectionSettings as a JSON string: nothing secret), enabled (1/0), removed (1
 *   once ConnectionRemoved: the API lists no removed connection), secret_hints (JSON object name → '…abcd'),
 *   created_at, updated_at (the last event that changed the row), secrets_rotated_at and previous_valid_until
 *   (the last rotation, NULL before one), last_test_* (the last ConnectionTested: ok, message, HTTP status,
 *   latency; NULL/'' before one).
 *
 * integration_deliveries: one row per delivery, ORDER BY (tenant_id, delivery_id), partitioned by the month of
 *   scheduled_at (when DeliveryScheduled was recorded; never changes for the row).
 *   connection_id, kind, action, source_event_type/id, source_stream_id: from DeliveryScheduled
 *   status          pending | delivered | dead_letter | cancelled (a replay makes it pending again)
 *   attempts        attempts over the delivery's whole life
 *   last_status_code, last_error_kind, last_latency_ms: the last attempt's (error kind NULL after a success)
 *   next_attempt_at when the worker tries next while pending (dueAt, a failure's retryAt, a replay's moment);
 *                   NULL once it is not pending
 *   delivered_at, external_id: the success's, NULL before one
 */
export const migration: Migration = {
  version: 19,
  name: 'integrations',
  up: [
    `CREATE TABLE IF NOT EXISTS integration_connections (
      tenant_id            LowCardinality(String),
      connection_id        String,
      kind                 LowCardinality(String),
      name                 String,
      settings             String DEFAULT '{}',
      enabled              UInt8 DEFAULT 1,
      removed              UInt8 DEFAULT 0,
      secret_hints         String DEFAULT '{}',
      created_at           DateTime64(3, 'UTC'),
      updated_at           DateTime64(3, 'UTC'),
      secrets_rotated_at   Nullable(DateTime64(3, 'UTC')),
      previous_valid_until Nullable(DateTime64(3, 'UTC')),
      last_test_ok         Nullable(UInt8),
      last_test_message    String DEFAULT '',
      last_test_status     Nullable(UInt16),
      last_test_latency_ms Float64 DEFAULT 0,
      last_tested_at       Nullable(DateTime64(3, 'UTC')),
      version              UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(created_at)
    ORDER BY (tenant_id, connection_id)`,
    `CREATE TABLE IF NOT EXISTS integration_deliveries (
      tenant_id         LowCardinality(String),
      delivery_id       String,
      connection_id     String,
      kind              LowCardinality(String),
      action            LowCardinality(String),
      source_event_type LowCardinality(String),
      source_event_id   String,
      source_stream_id  String,
      scheduled_at      DateTime64(3, 'UTC'),
      status            LowCardinality(String),
      attempts          UInt32 DEFAULT 0,
      last_status_code  Nullable(UInt16),
      last_error_kind   LowCardinality(Nullable(String)),
      last_latency_ms   Nullable(Float64),
      next_attempt_at   Nullable(DateTime64(3, 'UTC')),
      delivered_at      Nullable(DateTime64(3, 'UTC')),
      external_id       Nullable(String),
      updated_at        DateTime64(3, 'UTC'),
      version           UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(scheduled_at)
    ORDER BY (tenant_id, delivery_id)`,
  ],
};
