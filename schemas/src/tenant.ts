import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import {
  BusinessHours,
  EntityId,
  LanguageTag,
  LongText,
  Name,
  PlanTier,
  TenantId,
  TimeZone,
} from './primitives.js';
import { DEFAULT_RECORDING_CONSENT, RecordingConsent } from './recording-consent.js';

const category = 'tenant';

export const Branding = z.object({
  displayName: Name.optional(),
  primaryColor: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #RRGGBB')
    .optional(),
  logoUrl: z.url().max(2000).optional(),
  customDomain: z
    .string()
    .regex(/^(?=.{4,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/, 'a domain like support.example.com')
    .optional(),
});

const Seconds = z.number().int().nonnegative().max(86_400);
const Rate = z.number().min(0).max(1);

/**
 * Service levels the tenant aims for. The first three are per call (a call over them is flagged as an SLA
 * breach on its stream); the rates are over all calls of a period and are only reported, never flagged.
 */
export const SlaTargets = z.object({
  /** From the call's start to the first answer by the AI or a human. */
  answerWithinSeconds: Seconds,
  /** Time an escalated call waits in queues for a human. */
  maxQueueWaitSeconds: Seconds,
  /** The whole call, start to end. */
  maxHandleSeconds: Seconds,
  /** Share of calls the caller abandons. */
  maxAbandonRate: Rate,
  /** Share of calls resolved at once: no transfer and no follow-up (see the SLA processor for the rule). */
  minFirstContactResolutionRate: Rate,
});
export type SlaTargets = z.infer<typeof SlaTargets>;

export const DEFAULT_SLA_TARGETS: SlaTargets = {
  answerWithinSeconds: 20,
  maxQueueWaitSeconds: 60,
  maxHandleSeconds: 600,
  maxAbandonRate: 0.05,
  minFirstContactResolutionRate: 0.7,
};

/** One choice of an IVR menu: a key on the keypad and the words that choose it by voice. */
export const IvrOption = z.object({
  digit: z.string().regex(/^[0-9*#]$/, 'an IVR option is one key: 0-9, * or #'),
  /** Words or short phrases a caller may say instead of pressing the key ("sales", "ventas"). */
  phrases: z.array(z.string().trim().min(1).max(60)).min(1).max(20),
  departmentId: EntityId,
});
export type IvrOption = z.infer<typeof IvrOption>;
/** A menu played to callers of a number assigned to it: "Press 1 for Sales, 2 for Support...". */
export const IvrMenu = z
  .object({
    id: EntityId,
    /** Spoken before the options; absent, the tenant's name is used. */
    greeting: z.string().trim().min(1).max(500).optional(),
    options: z.array(IvrOption).min(1).max(12),
  })
  .superRefine((menu, ctx) => {
    const seen = new Set<string>();
    menu.options.forEach((option, index) => {
      if (seen.has(option.digit)) {
        ctx.addIssue({
          code: 'custom',
          message: `key ${option.digit} is used twice`,
          path: ['options', index, 'digit'],
        });
      }
      seen.add(option.digit);
    });
  });
export type IvrMenu = z.infer<typeof IvrMenu>;

/**
 * An OpenID Connect issuer the tenant's people sign in with (Google, Microsoft, Okta, Supabase, Firebase...):
 * its ID tokens are checked against the issuer's published keys (JWKS) and must be meant for `audience`.
 */
export const SsoIssuer = z.object({
  issuer: z.url({ protocol: /^https?$/ }).max(500),
  /** The client id the tokens are issued to (their `aud`). */
  audience: z.string().trim().min(1).max(300),
  /** Where the signing keys are; absent, read from the issuer's /.well-known/openid-configuration. */
  jwksUri: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .optional(),
  name: Name.optional(),
});
export type SsoIssuer = z.infer<typeof SsoIssuer>;

export const REGIONS = [
  'north_america',
  'latin_america',
  'europe',
  'middle_east_africa',
  'asia_pacific',
] as const;
export const Region = z.enum(REGIONS);
export type Region = z.infer<typeof Region>;

export const TenantSettings = z.object({
  timeZone: TimeZone,
  languages: z.array(LanguageTag).min(1).max(20),
  businessHours: BusinessHours,
  branding: Branding,
  /** Prepended to every agent's prompt in this tenant. */
  systemPrompt: LongText,
  slaTargets: SlaTargets,
  /** IVR menus that numbers can be assigned to (NumberTarget kind 'ivr'). */
  ivrMenus: z.array(IvrMenu).max(20),
  /** Ask callers to rate the call (keys 1-5) before the AI hangs up. */
  askFeedback: z.boolean(),
  /** Identity providers the tenant's members may sign in with. */
  sso: z.array(SsoIssuer).max(10),
  /** Where the business operates, for the platform's analytics by region. */
  region: Region,
  /** Whether calls are recorded and how callers consent (recording-consent.ts). */
  recordingConsent: RecordingConsent,
});
export type TenantSettings = z.infer<typeof TenantSettings>;

export const DEFAULT_TENANT_SETTINGS: TenantSettings = {
  timeZone: 'UTC',
  languages: ['en'],
  businessHours: {
    weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({
      day,
      open: '09:00',
      close: '17:00',
    })),
  },
  branding: {},
  systemPrompt: '',
  slaTargets: DEFAULT_SLA_TARGETS,
  ivrMenus: [],
  askFeedback: false,
  sso: [],
  region: 'north_america',
  recordingConsent: DEFAULT_RECORDING_CONSENT,
};

/**
 * The settings as TenantCreated stores them. Tenants created before SLA targets existed have none stored: they
 * read as the defaults, which also keeps the event's registry schema backward compatible. Only here: in a
 * partial (UpdateTenantSettings) a default would silently reset the targets on every update.
 */
const StoredTenantSettings = TenantSettings.extend({
  slaTargets: SlaTargets.default(DEFAULT_SLA_TARGETS),
  ivrMenus: TenantSettings.shape.ivrMenus.default([]),
  askFeedback: z.boolean().default(false),
  sso: TenantSettings.shape.sso.default([]),
  region: Region.default('north_america'),
  recordingConsent: RecordingConsent.default(DEFAULT_RECORDING_CONSENT),
});

export const QuotaResourceSchema = z.enum(['aiAgents', 'phoneNumbers', 'teamMembers']);
export const UsageResourceSchema = z.enum(['call_minutes', 'llm_tokens']);
export const UsageCapRuleSchema = z.enum(['block_ai', 'overage_billed']);
/** A billing period: a UTC calendar month. */
export const BillingPeriod = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a billing period is YYYY-MM');

// Commands

export const CreateTenant = defineCommand(
  category,
  'CreateTenant',
  z.object({
    tenantId: TenantId.refine((t) => t !== 'platform', 'this tenant id is reserved'),
    name: Name,
    planTier: PlanTier.default('free'),
    settings: TenantSettings.partial().default({}),
  }),
  'Create a tenant (a business) on the platform.',
);
export const ChangePlanTier = defineCommand(
  category,
  'ChangePlanTier',
  z.object({ tenantId: TenantId, planTier: PlanTier }),
  'Move a tenant to another subscription tier; refused when current usage exceeds the new limits.',
);
export const FollowSubscriptionTier = defineCommand(
  category,
  'FollowSubscriptionTier',
  z.object({ tenantId: TenantId, planTier: PlanTier }),
  "Internal: the tier of the tenant's subscription as its payment provider recorded it; unlike ChangePlanTier it is taken even when the tenant uses more than the tier allows (it keeps what it has and adds nothing more).",
);
export const VerifyPlanTierFits = defineCommand(
  category,
  'VerifyPlanTierFits',
  z.object({ tenantId: TenantId, planTier: PlanTier }),
  'Check that what the tenant uses fits a tier, before subscribing to it; stores nothing.',
);
export const SuspendTenant = defineCommand(
  category,
  'SuspendTenant',
  z.object({ tenantId: TenantId, reason: z.string().trim().min(1).max(500) }),
  'Suspend a tenant: its agents stop taking calls until it is reactivated.',
);
export const ReactivateTenant = defineCommand(
  category,
  'ReactivateTenant',
  z.object({
    tenantId: TenantId,
    /** Lift only a suspension for this reason: a payment ends its own suspension, not a super admin's. */
    onlyIfSuspendedFor: z.string().trim().min(1).max(500).optional(),
  }),
  'Lift a suspension; with onlyIfSuspendedFor, only a suspension for that reason.',
);
export const DisableTenant = defineCommand(
  category,
  'DisableTenant',
  z.object({ tenantId: TenantId, reason: z.string().trim().min(1).max(500) }),
  'Disable a tenant for good; only deletion may follow.',
);
export const RequestTenantDeletion = defineCommand(
  category,
  'RequestTenantDeletion',
  z.object({ tenantId: TenantId }),
  'Ask for the tenant and its personal data to be erased.',
);
export const UpdateTenantSettings = defineCommand(
  category,
  'UpdateTenantSettings',
  z.object({ tenantId: TenantId, settings: TenantSettings.partial() }),
  'Change time zone, languages, business hours, branding or the tenant-wide prompt.',
);
const Cap = z.number().int().nonnegative().max(1e12).nullable();
export const UsageLimitOverridesSchema = z.strictObject({
  includedMinutesPerMonth: Cap.optional(),
  llmTokensPerMonth: Cap.optional(),
  atUsageCap: UsageCapRuleSchema.optional(),
});
const UsageLimits = z.object({
  /** Replace the tier's caps for this tenant; a key left out keeps the tier's, null lifts the cap. */
  overrides: UsageLimitOverridesSchema,
  /** Alert when the month's usage, priced at the tier's list prices, reaches this many US dollars. */
  billingThresholdUsd: z.number().positive().max(1e9).nullable(),
});
export const SetUsageLimits = defineCommand(
  category,
  'SetUsageLimits',
  UsageLimits.extend({ tenantId: TenantId }),
  "Set a tenant's own monthly caps (minutes, LLM tokens, what happens at a cap) and its billing alert threshold.",
);
export const ReserveQuota = defineCommand(
  category,
  'ReserveQuota',
  z.object({ tenantId: TenantId, resource: QuotaResourceSchema, key: z.string().min(1).max(200) }),
  'Internal: take one unit of a plan-limited resource (agents, numbers, members) for the given key.',
);
export const ReleaseQuota = defineCommand(
  category,
  'ReleaseQuota',
  z.object({ tenantId: TenantId, resource: QuotaResourceSchema, key: z.string().min(1).max(200) }),
  'Internal: give back a unit of a plan-limited resource.',
);
export const EnforceUsageCap = defineCommand(
  category,
  'EnforceUsageCap',
  z
    .object({
      tenantId: TenantId,
      period: BillingPeriod,
      resource: UsageResourceSchema,
      used: z.number().nonnegative(),
      cap: z.number().nonnegative(),
    })
    .refine((c) => c.used >= c.cap, { message: 'used must have reached the cap', path: ['used'] }),
  "Internal: the usage processor saw a monthly cap reached; the tenant's plan says what follows.",
);

// Events

export const TenantCreated = defineEvent(
  category,
  'TenantCreated',
  1,
  z.object({ name: Name, planTier: PlanTier, settings: StoredTenantSettings }),
);
export const PlanTierChanged = defineEvent(
  category,
  'PlanTierChanged',
  1,
  z.object({ from: PlanTier, to: PlanTier }),
);
export const TenantSuspended = defineEvent(category, 'TenantSuspended', 1, z.object({ reason: z.string() }));
export const TenantReactivated = defineEvent(category, 'TenantReactivated', 1, z.object({}));
export const TenantDisabled = defineEvent(category, 'TenantDisabled', 1, z.object({ reason: z.string() }));
export const TenantDeletionRequested = defineEvent(category, 'TenantDeletionRequested', 1, z.object({}));
export const TenantSettingsUpdated = defineEvent(
  category,
  'TenantSettingsUpdated',
  1,
  z.object({ settings: TenantSettings.partial() }),
);
export const QuotaReserved = defineEvent(
  category,
  'QuotaReserved',
  1,
  z.object({ resource: QuotaResourceSchema, key: z.string() }),
);
export const QuotaReleased = defineEvent(
  category,
  'QuotaReleased',
  1,
  z.object({ resource: QuotaResourceSchema, key: z.string() }),
);

/** `rule` is what the plan said at the time: the AI limited (block_ai) or the excess billed (overage_billed). */
export const UsageCapReached = defineEvent(
  category,
  'UsageCapReached',
  1,
  z.object({
    period: BillingPeriod,
    resource: UsageResourceSchema,
    used: z.number().nonnegative(),
    cap: z.number().nonnegative(),
    rule: UsageCapRuleSchema,
  }),
);

export const UsageLimitsSet = defineEvent(category, 'UsageLimitsSet', 1, UsageLimits);

export const tenantCommands = [
  CreateTenant,
  ChangePlanTier,
  FollowSubscriptionTier,
  VerifyPlanTierFits,
  SuspendTenant,
  ReactivateTenant,
  DisableTenant,
  RequestTenantDeletion,
  UpdateTenantSettings,
  SetUsageLimits,
  ReserveQuota,
  ReleaseQuota,
  EnforceUsageCap,
] as const;
export const tenantEvents = [
  TenantCreated,
  PlanTierChanged,
  TenantSuspended,
  TenantReactivated,
  TenantDisabled,
  TenantDeletionRequested,
  TenantSettingsUpdated,
  QuotaReserved,
  QuotaReleased,
  UsageCapReached,
  UsageLimitsSet,
] as const;
