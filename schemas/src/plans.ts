import type { PlanTier } from './primitives.js';

/** What each subscription tier allows; `null` means unlimited. */
export interface PlanLimits {
  readonly aiAgents: number | null;
  readonly phoneNumbers: number | null;
  readonly teamMembers: number | null;
  readonly includedMinutesPerMonth: number | null;
}

export const PLAN_LIMITS: Readonly<Record<PlanTier, PlanLimits>> = {
  free: { aiAgents: 1, phoneNumbers: 1, teamMembers: 3, includedMinutesPerMonth: 60 },
  starter: { aiAgents: 3, phoneNumbers: 3, teamMembers: 10, includedMinutesPerMonth: 1_000 },
  professional: { aiAgents: 20, phoneNumbers: 25, teamMembers: 100, includedMinutesPerMonth: 10_000 },
  enterprise: { aiAgents: null, phoneNumbers: null, teamMembers: null, includedMinutesPerMonth: null },
};

export type QuotaResource = 'aiAgents' | 'phoneNumbers' | 'teamMembers';
export const QUOTA_RESOURCES: readonly QuotaResource[] = ['aiAgents', 'phoneNumbers', 'teamMembers'];
