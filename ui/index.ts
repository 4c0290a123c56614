export * from './server/build.js';
export * from './server/static.js';
