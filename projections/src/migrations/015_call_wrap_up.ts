import type { Migration } from './migration.js';

/**
 * What the person who handled a call recorded after it (CallWrappedUp, the latest one counts): its tags,
 * whether the matter was resolved, and when someone must follow up. The note is personal data and stays in
 * the event store. Rows written before read as not wrapped up.
 */
export const migration: Migration = {
  version: 15,
  name: 'call_wrap_up',
  up: [
    `ALTER TABLE calls
      ADD COLUMN IF NOT EXISTS wrapped_up       UInt8 DEFAULT 0,
      ADD COLUMN IF NOT EXISTS wrap_up_resolved UInt8 DEFAULT 0,
      ADD COLUMN IF NOT EXISTS tags             Array(LowCardinality(String)),
      ADD COLUMN IF NOT EXISTS follow_up_due    Nullable(DateTime64(3, 'UTC'))`,
  ],
};
