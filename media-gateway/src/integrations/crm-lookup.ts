import { CONNECTION_GROUPS, type ConnectionKind } from '@ccp/schemas';
import { BoundedMap } from '../bounded-map.js';
import type { Connection, ConnectionsView } from './connections.js';
import type { CrmRecord, IntegrationTarget } from './port.js';

/** A caller's record in the tenant's CRM, or undefined: not found, no CRM, or the CRM too slow to wait for. */
export type CrmRecordLookup = (tenantId: string, phone: string) => Promise<CrmRecord | undefined>;

export interface CrmLookupDeps {
  readonly view: ConnectionsView;
  /** Brings the view up to date (a connection added a moment ago); skipped when absent. */
  readonly catchUp?: () => Promise<void>;
  readonly targets: ReadonlyMap<ConnectionKind, IntegrationTarget>;
  readonly log: (message: string) => void;
  readonly now?: () => number;
  /** How long a lookup may take before the call goes on without it (default 2 s). */
  readonly timeoutMs?: number;
  /** How long an answer is reused for the same connection version and number (default 60 s). */
  readonly ttlMs?: number;
}

export const CRM_LOOKUP_TIMEOUT_MS = 2_000;
export const CRM_LOOKUP_TTL_MS = 60_000;
/** Lookups remembered at once: the numbers of the calls of the last minute or so, never without bound. */
const CACHE_ENTRIES = 10_000;

interface Cached {
  readonly at: number;
  readonly record: Promise<CrmRecord | undefined>;
}

/** The tenant's first enabled CRM connection (oldest first) whose target can look a contact up. */
const crmConnectionOf = (
  deps: CrmLookupDeps,
  tenantId: string,
): { connection: Connection; target: IntegrationTarget } | undefined => {
  for (const connection of deps.view.connections(tenantId)) {
    if (!connection.enabled || CONNECTION_GROUPS[connection.kind] !== 'crm') continue;
    const target = deps.targets.get(connection.kind);
    if (target?.lookupContact) return { connection, target };
  }
  return undefined;
};

/** Never longer than `ms`: the target is told to stop, and the call does not wait for it either way. */
const withTimeout = async <T>(ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> => {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer in ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([run(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Looks callers up in the tenant's CRM as calls run: the AI's caller-history tool and the agent workspace ask for
 * the same number within seconds, so an answer is reused for a minute (keyed by the connection's version: new
 * settings or secrets ask again). A slow or failing CRM never fails a call: it is "not found", said in the log
 * (with the connection, never the number or the CRM's text about it), and not remembered, so the next ask tries again.
 */
export const crmRecordFor = (deps: CrmLookupDeps): CrmRecordLookup => {
  const cache = new BoundedMap<string, Cached>(CACHE_ENTRIES);
  const now = deps.now ?? Date.now;
  const ttl = deps.ttlMs ?? CRM_LOOKUP_TTL_MS;
  const timeout = deps.timeoutMs ?? CRM_LOOKUP_TIMEOUT_MS;
  return async (tenantId, phone) => {
    try {
      await deps.catchUp?.();
    } catch {
      // An old view still names the CRM; the lookup goes on with it.
    }
    const found = crmConnectionOf(deps, tenantId);
    if (!found) return undefined;
    const { connection, target } = found;
    const key = `${tenantId}\u0000${connection.connectionId}\u0000${connection.version}\u0000${phone}`;
    const cached = cache.get(key);
    if (cached && now() - cached.at < ttl) return cached.record;
    const secrets = deps.view.secretsOf(connection);
    if (!secrets) return undefined;
    const lookup = target.lookupContact;
    if (!lookup) return undefined;
    const record = withTimeout(timeout, (signal) => lookup(connection, secrets, phone, signal)).catch(
      (error: unknown) => {
        cache.delete(key);
        const reason = error instanceof Error ? error.message.split('\n')[0] : 'failed';
        deps.log(
          `crm lookup ${connection.kind} ${tenantId}/${connection.connectionId}: ${reason?.slice(0, 120)}`,
        );
        return undefined;
      },
    );
    // Concurrent asks for the same number share one request.
    cache.set(key, { at: now(), record });
    return record;
  };
};
