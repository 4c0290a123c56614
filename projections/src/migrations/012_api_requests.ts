import type { Migration } from './migration.js';

/**
 * API usage logs: one row per request to the platform's API (commands, queries, auth), written by the query
 * API's request recorder, not by a processor: requests are operations, not domain facts, and most change
 * nothing. `credential` is the API key id or the session's user id ('' when anonymous); the client address is
 * kept for rate-limit and abuse investigations and expires with the row.
 *
 * ReplacingMergeTree keyed by a request id, like every table here: a batch inserted again after a failed
 * attempt collapses instead of counting its requests twice. Usage logs are kept 90 days.
 */
export const migration: Migration = {
  version: 12,
  name: 'api_requests',
  up: [
    `CREATE TABLE IF NOT EXISTS api_requests (
      tenant_id       LowCardinality(String),
      at              DateTime64(3, 'UTC'),
      request_id      String,
      credential_kind LowCardinality(String),
      credential      String,
      method          LowCardinality(String),
      route           LowCardinality(String),
      status          UInt16,
      duration_ms     Float64,
      client_ip       String
    )
    ENGINE = ReplacingMergeTree
    PARTITION BY toYYYYMM(at)
    ORDER BY (tenant_id, at, request_id)
    TTL toDateTime(at) + INTERVAL 90 DAY`,
  ],
};
