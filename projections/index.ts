/** @ccp/projections: the read store port (chdb embedded, ClickHouse at scale) and the table migrations. */
export * from './src/migrations/index.js';
export * from './src/read-store/chdb.js';
export * from './src/read-store/index.js';
export * from './src/read-store/port.js';
export * from './src/personal-data.js';
export * from './src/retention-data.js';
