import { join } from 'node:path';
import { openChdbReadStore } from './chdb.js';
import { openClickHouseReadStore } from './clickhouse.js';
import type { ReadStore } from './port.js';

export type ReadStoreConfig =
  | { readonly kind: 'chdb'; readonly dataDir: string; readonly database?: string }
  | {
      readonly kind: 'clickhouse';
      readonly url: string;
      readonly username?: string;
      readonly password?: string;
      readonly database?: string;
    };

/** Opens the adapter the configuration names (READ_STORE=chdb|clickhouse). */
export const openReadStore = (config: ReadStoreConfig): Promise<ReadStore> =>
  config.kind === 'chdb'
    ? openChdbReadStore({ path: join(config.dataDir, 'read-store'), database: config.database })
    : openClickHouseReadStore(config);

export * from './port.js';
