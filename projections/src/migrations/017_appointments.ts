import type { Migration } from './migration.js';

/**
 * The read side of appointments as a product: services, resource calendars and their reservations, the schedule
 * settings and calendar feed rotations, appointments, contacts (with an index by phone number), messages, and
 * the tickets a contact's record links by number. Every row is rewritten whole with `version` = the position of
 * the event that last changed it, so a replay or a rebuild collapses to the same rows under FINAL; each is
 * partitioned by the month of an instant that never changes for its row.
 *
 * services, resources: the current settings as JSON (what the API answers field by field); a resource's time off
 * and external busy time are JSON arrays on its row (a handful each, read with the row by availability).
 *
 * reservations: one row per resource and appointment, released = 1 once given back.
 *
 * appointments: one row per appointment, customer fields as the event store decrypted them ('[erased]' once the
 * subject was erased).
 *
 * contacts / contact_phones: one row per contact; one row per (number, contact) so an exact number finds its
 * contacts without scanning every contact's array; a number dropped from the contact, or a deleted contact,
 * keeps its row with removed = 1.
 *
 * messages: the outbox and delivery log, one row per message (outbound timers and inbound replies).
 *
 * contact_tickets: each ticket's customer number, address, subject and status, which the audit trail keeps
 * encrypted; a contact's record finds its tickets here.
 */
export const migration: Migration = {
  version: 17,
  name: 'appointments',
  up: [
    `CREATE TABLE IF NOT EXISTS services (
      tenant_id  LowCardinality(String),
      service_id String,
      name       String,
      settings   String,
      retired    UInt8 DEFAULT 0,
      defined_at DateTime64(3, 'UTC'),
      updated_at DateTime64(3, 'UTC'),
      version    UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(defined_at)
    ORDER BY (tenant_id, service_id)`,
    `CREATE TABLE IF NOT EXISTS resources (
      tenant_id         LowCardinality(String),
      resource_id       String,
      name              String,
      settings          String,
      time_off          String DEFAULT '[]',
      external_busy     String DEFAULT '[]',
      external_calendar String DEFAULT '',
      removed           UInt8 DEFAULT 0,
      added_at          DateTime64(3, 'UTC'),
      updated_at        DateTime64(3, 'UTC'),
      version           UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(added_at)
    ORDER BY (tenant_id, resource_id)`,
    `CREATE TABLE IF NOT EXISTS reservations (
      tenant_id             LowCardinality(String),
      resource_id           String,
      appointment_id        String,
      starts_at             DateTime64(3, 'UTC'),
      ends_at               DateTime64(3, 'UTC'),
      buffer_before_minutes UInt16,
      buffer_after_minutes  UInt16,
      released              UInt8 DEFAULT 0,
      reserved_at           DateTime64(3, 'UTC'),
      version               UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(reserved_at)
    ORDER BY (tenant_id, resource_id, appointment_id)`,
    `CREATE TABLE IF NOT EXISTS schedule_settings (
      tenant_id     LowCardinality(String),
      settings_id   String,
      settings      String,
      configured_at DateTime64(3, 'UTC'),
      version       UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(configured_at)
    ORDER BY (tenant_id, settings_id)`,
    `CREATE TABLE IF NOT EXISTS calendar_feeds (
      tenant_id        LowCardinality(String),
      scope            String,
      rotation         UInt32,
      first_rotated_at DateTime64(3, 'UTC'),
      version          UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(first_rotated_at)
    ORDER BY (tenant_id, scope)`,
    `CREATE TABLE IF NOT EXISTS appointments (
      tenant_id             LowCardinality(String),
      appointment_id        String,
      status                LowCardinality(String),
      starts_at             DateTime64(3, 'UTC'),
      ends_at               DateTime64(3, 'UTC'),
      duration_minutes      UInt16,
      time_zone             String,
      service               String,
      service_ids           Array(String),
      resource_id           String DEFAULT '',
      buffer_before_minutes UInt16 DEFAULT 0,
      buffer_after_minutes  UInt16 DEFAULT 0,
      customer_name         String,
      customer_phone        String DEFAULT '',
      customer_email        String DEFAULT '',
      contact_id            String DEFAULT '',
      call_id               String DEFAULT '',
      agent_id              String DEFAULT '',
      notes                 String DEFAULT '',
      language              String DEFAULT '',
      booked_at             DateTime64(3, 'UTC'),
      updated_at            DateTime64(3, 'UTC'),
      version               UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(booked_at)
    ORDER BY (tenant_id, appointment_id)`,
    `CREATE TABLE IF NOT EXISTS contacts (
      tenant_id   LowCardinality(String),
      contact_id  String,
      name        String,
      phones      Array(String),
      emails      Array(String),
      language    String DEFAULT '',
      time_zone   String DEFAULT '',
      tags        Array(String),
      notes       String DEFAULT '',
      consent     String DEFAULT '{}',
      do_not_call UInt8 DEFAULT 0,
      deleted     UInt8 DEFAULT 0,
      created_at  DateTime64(3, 'UTC'),
      updated_at  DateTime64(3, 'UTC'),
      version     UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(created_at)
    ORDER BY (tenant_id, contact_id)`,
    `CREATE TABLE IF NOT EXISTS contact_phones (
      tenant_id  LowCardinality(String),
      phone      String,
      contact_id String,
      removed    UInt8 DEFAULT 0,
      created_at DateTime64(3, 'UTC'),
      version    UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(created_at)
    ORDER BY (tenant_id, phone, contact_id)`,
    `CREATE TABLE IF NOT EXISTS messages (
      tenant_id           LowCardinality(String),
      message_id          String,
      direction           LowCardinality(String),
      channel             LowCardinality(String),
      to_address          String,
      from_address        String DEFAULT '',
      purpose             String DEFAULT '',
      language            String DEFAULT '',
      subject             String DEFAULT '',
      body                String,
      status              LowCardinality(String),
      attempts            UInt16 DEFAULT 0,
      last_error          String DEFAULT '',
      due_at              Nullable(DateTime64(3, 'UTC')),
      sent_at             Nullable(DateTime64(3, 'UTC')),
      provider            String DEFAULT '',
      provider_message_id String DEFAULT '',
      contact_id          String DEFAULT '',
      appointment_id      String DEFAULT '',
      reply_intent        String DEFAULT '',
      reply_outcome       String DEFAULT '',
      created_at          DateTime64(3, 'UTC'),
      updated_at          DateTime64(3, 'UTC'),
      version             UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(created_at)
    ORDER BY (tenant_id, message_id)`,
    `CREATE TABLE IF NOT EXISTS contact_tickets (
      tenant_id LowCardinality(String),
      ticket_id String,
      phone     String DEFAULT '',
      email     String DEFAULT '',
      subject   String,
      status    LowCardinality(String),
      call_id   String DEFAULT '',
      opened_at DateTime64(3, 'UTC'),
      version   UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(opened_at)
    ORDER BY (tenant_id, ticket_id)`,
  ],
};
