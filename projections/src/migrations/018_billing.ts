import type { Migration } from './migration.js';

/**
 * The billing processor's tables (categories billing and meter). Every row is rewritten whole with `version` =
 * the position of the event that last changed it, so a redelivery, a replay or a rebuild collapses to the same
 * rows under FINAL. Each table leads its order with tenant_id and is partitioned by the month of an instant that
 * never changes for its row. Money is integer US cents (Int64); instants are UTC; an absent optional instant is NULL.
 * The billing email is personal data (encrypted in the event store) and is deliberately not projected.
 *
 * billing_accounts: one row per tenant, ORDER BY (tenant_id, account_id); account_id is always 'account' (the
 *   stream's id, billing-<tenant>.account). Partitioned by the month of opened_at, which never changes for the row.
 *   company_name          the name on invoices (BillingAccountOpened, BillingContactUpdated)
 *   provider              'ledger' | 'stripe' once BillingCustomerLinked, '' before
 *   customer_id           the provider's customer id, '' before it is linked
 *   subscription_id       the last recorded subscription (SubscriptionRecorded), '' when none yet
 *   tier                  the subscription's tier, '' when none (the tenant's effective tier is
 *                         tierOfSubscription: a canceled/unpaid/incomplete one falls back to free)
 *   status                the subscription status (trialing, active, past_due, unpaid, canceled, incomplete), ''
 *   current_period_start, current_period_end   the subscription's current period, NULL when none
 *   cancel_at_period_end  1 when the subscription ends at current_period_end
 *   trial_ends_at         when the free trial ends, NULL when none
 *   card_brand, card_last4, card_exp_month, card_exp_year   the ledger card on file (card metadata, not personal
 *                         data); '' / 0 when none or on Stripe (its portal keeps the card)
 *   dunning_invoice_id    the unpaid invoice dunning is about, '' when the account is not in dunning
 *   dunning_started_at, dunning_grace_ends_at   NULL when not in dunning
 *   suspended             1 when the grace ran out (DunningGraceExpired) and dunning has not ended since
 *   mrr_cents             what the subscription adds to monthly recurring revenue (monthlyRecurringCents), 0 none
 *   opened_at             when the account was opened; updated_at: the last event that changed the row
 *
 * billing_invoices: one row per invoice, ORDER BY (tenant_id, invoice_id).
 *   number, status (draft|open|paid|uncollectible|void), currency ('usd'), period_start, period_end, issued_at,
 *   total_cents, amount_due_cents, amount_paid_cents as the last InvoiceRecorded described them; lines = the
 *   InvoiceLine array as a JSON string; hosted_url, pdf_url '' when none (ledger invoices are rendered by the
 *   platform); provider 'ledger' | 'stripe'. PaymentReceived sets status 'paid', amount_paid_cents and paid_at
 *   (NULL while unpaid). recorded_at: the first event of the invoice (never changes: the partition is its month);
 *   updated_at: the last one.
 *
 * billing_payment_failures: one row per PaymentFailed event, ORDER BY (tenant_id, invoice_id, position) with
 *   position = that event's position: invoice_id, attempt, amount_due_cents, failed_at, next_attempt_at (NULL when
 *   the provider will not try again), reason ('' when none). Partitioned by the month of failed_at.
 *
 * billing_meter: one row per unit of usage (a meter item), ORDER BY (tenant_id, period, identifier).
 *   period         the UTC month the usage occurred in (billingPeriodOf(occurred_at)): the meter the usage
 *                  processor recorded it on. It never changes for an item, so it is part of the key, and an
 *                  item that is carried keeps ONE row: the carried copy replaces the original's row (higher
 *                  version) instead of adding a second one.
 *   identifier     u<position> of the event that caused the usage (meterIdentifierOf); Stripe's identifier
 *   resource       'call_seconds' | 'llm_tokens'; quantity: billable seconds or tokens (integer)
 *   billed_period  the month whose invoice counts the item: the meter's own month when recorded before that
 *                  meter closed; when recorded after the close (afterClose), the next month at once, and the
 *                  carried copy (carriedFrom) on that month's meter confirms it, or moves it on again if that
 *                  meter was closed too. So "a period's metered usage" is
 *                  SELECT resource, sum(quantity) FROM billing_meter FINAL
 *                  WHERE tenant_id = ? AND billed_period = ? GROUP BY resource
 *                  and no item is counted twice. Carried items have period < billed_period.
 *   carried_from   the closed month the item was moved out of, '' when billed in its own month
 *   occurred_at    when the usage happened; recorded_at: when a meter last recorded it (the carried copy's, if any)
 *   Partitioned by the month of occurred_at (= period): carried items stay in their own month's partition, so a
 *   billed_period query should not rely on partition pruning (it reads the month and the one or two before it).
 *
 * billing_meter_closes: one row per closed meter, ORDER BY (tenant_id, period): call_seconds, llm_tokens and
 *   items as MeterClosed froze them for the invoice, closed_at (partition month). No row: the meter is still open.
 */
export const migration: Migration = {
  version: 18,
  name: 'billing',
  up: [
    `CREATE TABLE IF NOT EXISTS billing_accounts (
      tenant_id             LowCardinality(String),
      account_id            String DEFAULT 'account',
      company_name          String,
      provider              LowCardinality(String) DEFAULT '',
      customer_id           String DEFAULT '',
      subscription_id       String DEFAULT '',
      tier                  LowCardinality(String) DEFAULT '',
      status                LowCardinality(String) DEFAULT '',
      current_period_start  Nullable(DateTime64(3, 'UTC')),
      current_period_end    Nullable(DateTime64(3, 'UTC')),
      cancel_at_period_end  UInt8 DEFAULT 0,
      trial_ends_at         Nullable(DateTime64(3, 'UTC')),
      card_brand            LowCardinality(String) DEFAULT '',
      card_last4            String DEFAULT '',
      card_exp_month        UInt8 DEFAULT 0,
      card_exp_year         UInt16 DEFAULT 0,
      dunning_invoice_id    String DEFAULT '',
      dunning_started_at    Nullable(DateTime64(3, 'UTC')),
      dunning_grace_ends_at Nullable(DateTime64(3, 'UTC')),
      suspended             UInt8 DEFAULT 0,
      mrr_cents             Int64 DEFAULT 0,
      opened_at             DateTime64(3, 'UTC'),
      updated_at            DateTime64(3, 'UTC'),
      version               UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(opened_at)
    ORDER BY (tenant_id, account_id)`,
    `CREATE TABLE IF NOT EXISTS billing_invoices (
      tenant_id         LowCardinality(String),
      invoice_id        String,
      number            String,
      status            LowCardinality(String),
      currency          LowCardinality(String) DEFAULT 'usd',
      period_start      DateTime64(3, 'UTC'),
      period_end        DateTime64(3, 'UTC'),
      issued_at         DateTime64(3, 'UTC'),
      total_cents       Int64,
      amount_due_cents  Int64,
      amount_paid_cents Int64,
      lines             String DEFAULT '[]',
      hosted_url        String DEFAULT '',
      pdf_url           String DEFAULT '',
      paid_at           Nullable(DateTime64(3, 'UTC')),
      provider          LowCardinality(String) DEFAULT '',
      recorded_at       DateTime64(3, 'UTC'),
      updated_at        DateTime64(3, 'UTC'),
      version           UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(recorded_at)
    ORDER BY (tenant_id, invoice_id)`,
    `CREATE TABLE IF NOT EXISTS billing_payment_failures (
      tenant_id        LowCardinality(String),
      invoice_id       String,
      position         UInt64,
      attempt          UInt16,
      amount_due_cents Int64,
      failed_at        DateTime64(3, 'UTC'),
      next_attempt_at  Nullable(DateTime64(3, 'UTC')),
      reason           String DEFAULT '',
      version          UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(failed_at)
    ORDER BY (tenant_id, invoice_id, position)`,
    `CREATE TABLE IF NOT EXISTS billing_meter (
      tenant_id     LowCardinality(String),
      period        LowCardinality(String),
      identifier    String,
      resource      LowCardinality(String),
      quantity      UInt64,
      billed_period LowCardinality(String),
      carried_from  LowCardinality(String) DEFAULT '',
      occurred_at   DateTime64(3, 'UTC'),
      recorded_at   DateTime64(3, 'UTC'),
      version       UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(occurred_at)
    ORDER BY (tenant_id, period, identifier)`,
    `CREATE TABLE IF NOT EXISTS billing_meter_closes (
      tenant_id    LowCardinality(String),
      period       LowCardinality(String),
      call_seconds UInt64,
      llm_tokens   UInt64,
      items        UInt64,
      closed_at    DateTime64(3, 'UTC'),
      version      UInt64
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(closed_at)
    ORDER BY (tenant_id, period)`,
  ],
};
