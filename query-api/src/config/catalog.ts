import { z } from 'zod';
import { decodeEvent, parseStreamName, PLATFORM_TENANT, streamName, type DomainEvent } from '@ccp/schemas';
import {
  commandRoutes,
  type Decider,
  followLog,
  type EventStore,
  type RecordedEvent,
} from '@ccp/command-service';

/**
 * What a tenant has configured — its settings, departments, AI agents, numbers, knowledge, scripts and team —
 * as the console shows it for editing. Each stream is folded with its aggregate's own `evolve` (the write
 * side's deciders), so the console shows exactly the state the next command will be decided on. Kept in
 * memory from the global log (configuration is small next to calls), on the decrypting store: members' emails
 * are personal data the audit table does not hold in clear.
 */
export const CATALOG_CATEGORIES = [
  'tenant',
  'department',
  'agent',
  'number',
  'article',
  'script',
  'member',
] as const;
export type CatalogCategory = (typeof CATALOG_CATEGORIES)[number];

type AnyDecider = Decider<unknown, DomainEvent, unknown>;

/** The decider of each category, taken from the command routes: one source for how a stream folds. */
const decidersByCategory = (): ReadonlyMap<string, AnyDecider> => {
  const map = new Map<string, AnyDecider>();
  for (const route of commandRoutes) {
    const category = route.definition.category;
    if (!map.has(category)) map.set(category, route.decider as unknown as AnyDecider);
  }
  for (const category of CATALOG_CATEGORIES) {
    if (!map.has(category)) throw new Error(`no decider handles the ${category} category`);
  }
  return map;
};

interface Entry {
  readonly category: CatalogCategory;
  readonly tenantId: string;
  readonly id: string;
  state: unknown;
}

/** A stream's state as the console reads it: the aggregate's state with its id. */
export type CatalogItem = { readonly id: string } & Record<string, unknown>;

export interface Catalog {
  catchUp(): Promise<void>;
  /** The tenant's items of a category that exist (numbers: those it owns), in id order. */
  list(tenantId: string, category: CatalogCategory): CatalogItem[];
  /** The tenant aggregate's state; undefined when there is no such tenant. */
  tenant(tenantId: string): CatalogItem | undefined;
}

const isCategory = (category: string): category is CatalogCategory =>
  (CATALOG_CATEGORIES as readonly string[]).includes(category);

const existing = (state: unknown): state is Record<string, unknown> =>
  typeof state === 'object' &&
  state !== null &&
  'status' in state &&
  state.status !== 'none' &&
  state.status !== 'free' &&
  state.status !== 'deleted' &&
  state.status !== 'removed';

export const createCatalog = (store: EventStore): Catalog => {
  const deciders = decidersByCategory();
  const entries = new Map<string, Entry>();

  const apply = (recorded: RecordedEvent): void => {
    const stream = parseStreamName(recorded.streamId);
    if (stream === undefined || !isCategory(stream.category)) return;
    const decider = deciders.get(stream.category);
    const decoded = decodeEvent(recorded);
    if (decider === undefined || !decoded.ok) return;
    const entry = entries.get(recorded.streamId) ?? {
      category: stream.category,
      tenantId: stream.tenantId,
      id: stream.id,
      state: decider.initialState(),
    };
    entry.state = decider.evolve(entry.state, decoded.value as unknown as DomainEvent);
    entries.set(recorded.streamId, entry);
  };
  const follower = followLog(store, apply);

  const itemOf = (entry: Entry): CatalogItem | undefined => {
    if (!existing(entry.state)) return undefined;
    // The email's hash is the login claim's key, nothing a person reads.
    const { emailHash: _hash, ...state } = entry.state;
    return { ...state, id: entry.id };
  };

  return {
    catchUp: () => follower.catchUp(),
    list: (tenantId, category) => {
      const items: CatalogItem[] = [];
      for (const entry of entries.values()) {
        if (entry.category !== category) continue;
        // Numbers live in the platform's streams, owned by one tenant at a time.
        const owner =
          category === 'number'
            ? entry.tenantId === PLATFORM_TENANT
              ? (entry.state as { ownerTenantId?: unknown }).ownerTenantId
              : undefined
            : entry.tenantId;
        if (owner !== tenantId) continue;
        const item = itemOf(entry);
        if (item !== undefined) items.push(item);
      }
      return items.sort((a, b) => a.id.localeCompare(b.id));
    },
    tenant: (tenantId) => {
      const entry = entries.get(streamName('tenant', tenantId, tenantId));
      return entry === undefined ? undefined : itemOf(entry);
    },
  };
};

/** An item in the OpenAPI document: its id and status typed, the rest as the aggregate keeps it. */
export const CatalogItemSchema = z.looseObject({ id: z.string(), status: z.string() });
