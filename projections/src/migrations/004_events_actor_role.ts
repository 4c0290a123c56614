import type { Migration } from './migration.js';

/**
 * The role the actor acted in, beside its kind and id: an audit question is as often "what did supervisors
 * change" as "what did this user change", and the role at the time is in the event, not in any later state of
 * the member. '' for actors without a role (system, telephony).
 *
 * A correction to 001's note on `data`: the audit-log processor writes it from the bus, which delivers events
 * decrypted, so personal fields are not stored encrypted here but replaced by '[personal]' (see
 * stream-processors/src/processors/audit-log.ts). Erasure has nothing to delete in this table.
 */
export const migration: Migration = {
  version: 4,
  name: 'events_actor_role',
  up: [
    `ALTER TABLE events ADD COLUMN IF NOT EXISTS actor_role LowCardinality(String) DEFAULT '' AFTER actor_id`,
  ],
};
