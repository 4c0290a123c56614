// Preloaded into a platform process by tests/security/process-guard.test.ts (NODE_OPTIONS=--import): makes an
// error escape the way a bug would, to see what the process does with it. Never loaded by the product.
import { setImmediate, setTimeout } from 'node:timers';

if (process.env.CCP_FAULT === 'startup') {
  // Fires on the first turn of the event loop, long before the platform has opened its stores and listens.
  setTimeout(() => {
    throw new Error('fault injected during start-up');
  }, 0);
}

process.on('SIGUSR2', () => {
  setImmediate(() => {
    throw new Error('fault injected: an uncaught exception');
  });
  void Promise.reject(new Error('fault injected: an unhandled rejection'));
});
