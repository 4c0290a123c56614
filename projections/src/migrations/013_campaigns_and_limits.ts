import type { Migration } from './migration.js';

/**
 * Campaigns on calls and tenants' own limits in the plan history.
 *
 * calls: lead_id and campaign_id from CallStarted (outbound calls placed for a lead of a campaign), and
 * `converted`: an appointment was booked during the call (a book_appointment tool call that succeeded), the
 * conversion campaign analytics count. Rows written before read as no lead, no campaign, not converted until
 * the call-facts processor rewrites them (a rebuild, or the call's next event).
 *
 * tenant_plans: `usage_limits`, the JSON of a super admin's cap overrides (UsageLimitsSet), '' on rows that
 * only change the tier; rows of UsageLimitsSet carry plan_tier ''.
 */
export const migration: Migration = {
  version: 13,
  name: 'campaigns_and_limits',
  up: [
    `ALTER TABLE calls
      ADD COLUMN IF NOT EXISTS lead_id     String DEFAULT '',
      ADD COLUMN IF NOT EXISTS campaign_id String DEFAULT '',
      ADD COLUMN IF NOT EXISTS converted   UInt8 DEFAULT 0`,
    `ALTER TABLE tenant_plans ADD COLUMN IF NOT EXISTS usage_limits String DEFAULT ''`,
  ],
};
