import type { PlanTier } from './primitives.js';

/**
 * What a tier does when a monthly usage cap is reached. `block_ai`: the AI stops answering for the rest of the
 * month (callers are told, and offered to leave a message or wait for a human); `overage_billed`: calls go on
 * and the usage beyond the cap is billed at the overage rate.
 */
export type UsageCapRule = 'block_ai' | 'overage_billed';

/**
 * How a call's duration becomes billable minutes. `per_minute`: each call is rounded up to the next whole
 * minute; `per_second`: billed by the second, with a minimum per call.
 */
export type CallRounding =
  { readonly kind: 'per_minute' } | { readonly kind: 'per_second'; readonly minimumSeconds: number };

/** What each subscription tier allows; `null` means unlimited. */
export interface PlanLimits {
  readonly aiAgents: number | null;
  readonly phoneNumbers: number | null;
  readonly teamMembers: number | null;
  readonly includedMinutesPerMonth: number | null;
  /** Prompt plus completion tokens of the AI's replies per month. */
  readonly llmTokensPerMonth: number | null;
  /** What happens once a monthly cap is reached; null for tiers without caps. */
  readonly atUsageCap: UsageCapRule | null;
  readonly callRounding: CallRounding;
  /** What the tier permits beyond the basics every tenant has (calls, dashboards, analytics, live metrics). */
  readonly features: readonly PlanFeature[];
  readonly prices: PlanPrices;
}

/**
 * Permission scopes a tier grants. `exports`: CSV and PDF downloads; `api_access`: API keys as credentials;
 * `audit_trail`: the audit log, replays and hash-chain checks; `scheduled_reports`: saved reports delivered on a
 * schedule; `white_label`: the tenant's own domain and theme before sign-in; `outbound_campaigns`: lead lists
 * dialled by the campaign dialer.
 */
export const PLAN_FEATURES = [
  'exports',
  'api_access',
  'audit_trail',
  'scheduled_reports',
  'white_label',
  'outbound_campaigns',
] as const;
export type PlanFeature = (typeof PLAN_FEATURES)[number];

/** List prices in US dollars: usage is priced per billable minute and per million LLM tokens. */
export interface PlanPrices {
  readonly monthlyFeeUsd: number;
  readonly perMinuteUsd: number;
  readonly perMillionTokensUsd: number;
}

const PER_MINUTE: CallRounding = { kind: 'per_minute' };
const PER_SECOND: CallRounding = { kind: 'per_second', minimumSeconds: 6 };

export const PLAN_LIMITS: Readonly<Record<PlanTier, PlanLimits>> = {
  free: {
    aiAgents: 1,
    phoneNumbers: 1,
    teamMembers: 3,
    includedMinutesPerMonth: 60,
    llmTokensPerMonth: 200_000,
    atUsageCap: 'block_ai',
    callRounding: PER_MINUTE,
    features: [],
    prices: { monthlyFeeUsd: 0, perMinuteUsd: 0.12, perMillionTokensUsd: 3 },
  },
  starter: {
    aiAgents: 3,
    phoneNumbers: 3,
    teamMembers: 10,
    includedMinutesPerMonth: 1_000,
    llmTokensPerMonth: 3_000_000,
    atUsageCap: 'block_ai',
    callRounding: PER_MINUTE,
    features: ['exports', 'api_access', 'audit_trail'],
    prices: { monthlyFeeUsd: 49, perMinuteUsd: 0.1, perMillionTokensUsd: 2.5 },
  },
  professional: {
    aiAgents: 20,
    phoneNumbers: 25,
    teamMembers: 100,
    includedMinutesPerMonth: 10_000,
    llmTokensPerMonth: 30_000_000,
    atUsageCap: 'overage_billed',
    callRounding: PER_SECOND,
    features: [
      'exports',
      'api_access',
      'audit_trail',
      'scheduled_reports',
      'white_label',
      'outbound_campaigns',
    ],
    prices: { monthlyFeeUsd: 399, perMinuteUsd: 0.08, perMillionTokensUsd: 2 },
  },
  enterprise: {
    aiAgents: null,
    phoneNumbers: null,
    teamMembers: null,
    includedMinutesPerMonth: null,
    llmTokensPerMonth: null,
    atUsageCap: null,
    callRounding: PER_SECOND,
    features: PLAN_FEATURES,
    prices: { monthlyFeeUsd: 2500, perMinuteUsd: 0.06, perMillionTokensUsd: 1.5 },
  },
};

export type QuotaResource = 'aiAgents' | 'phoneNumbers' | 'teamMembers';
export const QUOTA_RESOURCES: readonly QuotaResource[] = ['aiAgents', 'phoneNumbers', 'teamMembers'];

/** Metered resources with a monthly cap. */
export type UsageResource = 'call_minutes' | 'llm_tokens';
export const USAGE_RESOURCES: readonly UsageResource[] = ['call_minutes', 'llm_tokens'];

/** A tier's monthly cap of a metered resource; null when unlimited. */
export const usageCapOf = (tier: PlanTier, resource: UsageResource): number | null =>
  resource === 'call_minutes'
    ? PLAN_LIMITS[tier].includedMinutesPerMonth
    : PLAN_LIMITS[tier].llmTokensPerMonth;

/**
 * The billable seconds of one call under a tier's rounding rule: whole minutes for `per_minute`, the seconds
 * with the tier's minimum for `per_second`. A call that never connected (0 seconds) is not billed at all,
 * whatever the minimum. Integer seconds are what the meter counts.
 */
export const billableSeconds = (tier: PlanTier, durationSeconds: number): number => {
  if (durationSeconds <= 0) return 0;
  const rounding = PLAN_LIMITS[tier].callRounding;
  if (rounding.kind === 'per_minute') return Math.ceil(durationSeconds / 60) * 60;
  return Math.ceil(Math.max(rounding.minimumSeconds, durationSeconds));
};

/** The billable minutes of one call under a tier's rounding rule (billableSeconds in minutes). */
export const billableMinutes = (tier: PlanTier, durationSeconds: number): number =>
  billableSeconds(tier, durationSeconds) / 60;

/**
 * The billing period ('YYYY-MM') an instant falls in. Periods are UTC calendar months for every tenant, so
 * that a month's usage never depends on a time zone that may change.
 */
export const billingPeriodOf = (instant: Date): string => instant.toISOString().slice(0, 7);

/** Limits a super admin set for one tenant in place of its tier's; a key that is absent keeps the tier's. */
export interface UsageLimitOverrides {
  readonly includedMinutesPerMonth?: number | null;
  readonly llmTokensPerMonth?: number | null;
  readonly atUsageCap?: UsageCapRule;
}

/** A tenant's monthly cap of a metered resource under its tier and overrides; null when unlimited. */
export const effectiveUsageCap = (
  tier: PlanTier,
  resource: UsageResource,
  overrides: UsageLimitOverrides = {},
): number | null => {
  const key = resource === 'call_minutes' ? 'includedMinutesPerMonth' : 'llmTokensPerMonth';
  const override = overrides[key];
  return override === undefined ? usageCapOf(tier, resource) : override;
};

/**
 * What happens at a cap under a tier and overrides. A cap set on a tier that has none (enterprise) bills the
 * excess unless the override says otherwise: an unlimited tier's AI is never silenced by surprise.
 */
export const effectiveCapRule = (tier: PlanTier, overrides: UsageLimitOverrides = {}): UsageCapRule =>
  overrides.atUsageCap ?? PLAN_LIMITS[tier].atUsageCap ?? 'overage_billed';

export const tierAllows = (tier: PlanTier, feature: PlanFeature): boolean =>
  PLAN_LIMITS[tier].features.includes(feature);

/** Usage priced at a tier's list prices, in US dollars, rounded to the cent. */
export const usageCostUsd = (tier: PlanTier, minutes: number, tokens: number): number => {
  const { perMinuteUsd, perMillionTokensUsd } = PLAN_LIMITS[tier].prices;
  return Math.round((minutes * perMinuteUsd + (tokens / 1_000_000) * perMillionTokensUsd) * 100) / 100;
};
