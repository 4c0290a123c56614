import { join } from 'node:path';
import { openChdbReadStore } from './chdb.js';
import { openClickHouseReadStore } from './clickhouse.js';
import type { ReadStoreConfig } from '@ccp/command-service';
import type { ReadStore } from './port.js';

export type { ReadStoreConfig };

/** Opens the adapter the configuration names (READ_STORE=chdb|clickhouse). */
export const openReadStore = (config: ReadStoreConfig): Promise<ReadStore> =>
  config.kind === 'chdb'
    ? openChdbReadStore({ path: join(config.dataDir, 'read-store'), database: config.database })
    : openClickHouseReadStore(config);

export * from './port.js';
export * from './metrics.js';
