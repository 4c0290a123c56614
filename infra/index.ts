export * from './kafka/local-kafka.js';
export * from './platform/bootstrap.js';
export * from './platform/config.js';
export * from './platform/credentials.js';
export * from './platform/demo-seed.js';
export * from './platform/platform.js';
export * from './platform/stream-processing.js';
