/** @ccp/ui: building the web console and serving it (SPA fallback, Content-Security-Policy). The console itself talks to the platform over HTTP only. */
export * from './server/build.js';
export * from './server/static.js';
