import { decodeEvent, streamName } from '@ccp/schemas';
import type { EventStore } from '../../command-service/src/event-store/port.js';

export interface TenantProfile {
  readonly name: string;
  /** IANA time zone: reports bucket days and weeks in it. */
  readonly timeZone: string;
}

/**
 * A tenant's name and time zone, from its own stream (TenantCreated, then TenantSettingsUpdated). Kept for a
 * short while: a change shows within `ttlMs`.
 */
export const tenantProfiles = (store: EventStore, ttlMs = 10_000, now: () => number = Date.now) => {
  const cache = new Map<string, { profile: TenantProfile; until: number }>();
  return async (tenantId: string): Promise<TenantProfile> => {
    const cached = cache.get(tenantId);
    if (cached && cached.until > now()) return cached.profile;
    let name = tenantId;
    let timeZone = 'UTC';
    for (const recorded of await store.readStream(streamName('tenant', tenantId, tenantId))) {
      const decoded = decodeEvent(recorded);
      if (!decoded.ok) continue;
      const data = decoded.value.data as { name?: unknown; settings?: { timeZone?: unknown } };
      if (decoded.value.type === 'TenantCreated' && typeof data.name === 'string') name = data.name;
      if (typeof data.settings?.timeZone === 'string') timeZone = data.settings.timeZone;
    }
    const profile = { name, timeZone };
    cache.set(tenantId, { profile, until: now() + ttlMs });
    return profile;
  };
};
