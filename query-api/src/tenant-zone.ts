import { decodeEvent, streamName } from '@ccp/schemas';
import type { EventStore } from '../../command-service/src/event-store/port.js';

/**
 * A tenant's IANA time zone, from its own stream (TenantCreated, then any TenantSettingsUpdated that changed
 * it). Reports bucket days and weeks in it. Kept for a short while: a change shows within `ttlMs`.
 */
export const tenantTimeZones = (store: EventStore, ttlMs = 10_000, now: () => number = Date.now) => {
  const cache = new Map<string, { zone: string; until: number }>();
  return async (tenantId: string): Promise<string> => {
    const cached = cache.get(tenantId);
    if (cached && cached.until > now()) return cached.zone;
    let zone = 'UTC';
    for (const recorded of await store.readStream(streamName('tenant', tenantId, tenantId))) {
      const decoded = decodeEvent(recorded);
      if (!decoded.ok) continue;
      const settings = (decoded.value.data as { settings?: { timeZone?: unknown } }).settings;
      if (typeof settings?.timeZone === 'string') zone = settings.timeZone;
    }
    cache.set(tenantId, { zone, until: now() + ttlMs });
    return zone;
  };
};
