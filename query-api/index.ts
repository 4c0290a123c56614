export * from './src/analytics/reports.js';
export * from './src/calls/calls.js';
export * from './src/live/metrics.js';
export * from './src/module.js';
export * from './src/reports/deliver.js';
export * from './src/reports/render.js';
