import { decodeEvent, PlanTier, streamName } from '@ccp/schemas';
import type { EventStore } from '@ccp/command-service';

export interface TenantProfile {
  readonly name: string;
  /** IANA time zone: reports bucket days and weeks in it. */
  readonly timeZone: string;
  /** The subscription tier in force: what the tenant may use (features) and its list prices. */
  readonly planTier: PlanTier;
}

/**
 * A tenant's name, time zone and tier, from its own stream (TenantCreated, then TenantSettingsUpdated and PlanTierChanged). Kept for a
 * short while: a change shows within `ttlMs`.
 */
export const tenantProfiles = (store: EventStore, ttlMs = 10_000, now: () => number = Date.now) => {
  const cache = new Map<string, { profile: TenantProfile; until: number }>();
  return async (tenantId: string): Promise<TenantProfile> => {
    const cached = cache.get(tenantId);
    if (cached && cached.until > now()) return cached.profile;
    let name = tenantId;
    let timeZone = 'UTC';
    let planTier: PlanTier = 'free';
    for (const recorded of await store.readStream(streamName('tenant', tenantId, tenantId))) {
      const decoded = decodeEvent(recorded);
      if (!decoded.ok) continue;
      const data = decoded.value.data as {
        name?: unknown;
        planTier?: unknown;
        to?: unknown;
        settings?: { timeZone?: unknown };
      };
      if (decoded.value.type === 'TenantCreated' && typeof data.name === 'string') name = data.name;
      if (typeof data.settings?.timeZone === 'string') timeZone = data.settings.timeZone;
      const tier = PlanTier.safeParse(
        decoded.value.type === 'TenantCreated'
          ? data.planTier
          : decoded.value.type === 'PlanTierChanged'
            ? data.to
            : undefined,
      );
      if (tier.success) planTier = tier.data;
    }
    const profile = { name, timeZone, planTier };
    cache.set(tenantId, { profile, until: now() + ttlMs });
    return profile;
  };
};
