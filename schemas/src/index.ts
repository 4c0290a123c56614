export * from './primitives.js';
export * from './envelope.js';
export * from './define.js';
export * from './validation.js';
export * from './upcasting.js';
export * from './plans.js';
export * from './catalog.js';
export * from './tenant.js';
