import { join } from 'node:path';
import { createEventStoreDbEventStore } from './eventstoredb.js';
import type { EventStore } from './port.js';
import { createSqliteEventStore } from './sqlite.js';

export type EventStoreConfig =
  | { readonly kind: 'sqlite'; readonly dataDir: string }
  | { readonly kind: 'eventstoredb'; readonly url: string };

/** Opens the adapter the configuration names (EVENT_STORE=sqlite|eventstoredb). */
export const openEventStore = (config: EventStoreConfig): EventStore =>
  config.kind === 'sqlite'
    ? createSqliteEventStore({ path: join(config.dataDir, 'events.db') })
    : createEventStoreDbEventStore({ connectionString: config.url });

export * from './port.js';
export * from './hash-chain.js';
