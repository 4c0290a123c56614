/**
 * npx tsx infra/stripe/cli.ts install     install the pinned stripe-mock into the repository's cache
 * npx tsx infra/stripe/cli.ts up          start it on loopback and stay in the foreground until Ctrl-C
 *
 * `up` prints a STRIPE_API_URL=… line (the port is chosen fresh on every start), so the platform can be run
 * against it with PAYMENTS=stripe.
 */
import { ensureStripeMock, startStripeMock, STRIPE_MOCK_VERSION } from './stripe-mock.js';
import { runCli } from '../cli.js';

const usage = 'usage: tsx infra/stripe/cli.ts install | up';

const main = async (command: string | undefined): Promise<number> => {
  if (command === 'install') {
    const started = Date.now();
    const binary = await ensureStripeMock();
    console.log(
      `stripe-mock ${STRIPE_MOCK_VERSION} is ${binary} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    return 0;
  }
  if (command === 'up') {
    const mock = await startStripeMock();
    console.log(`STRIPE_API_URL=${mock.url}`);
    console.log(`stripe-mock ${STRIPE_MOCK_VERSION} is up; Ctrl-C stops it`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(name, resolve);
      // The supervised child is unref'd so a forgotten stop() cannot hang a test run; here we stay up.
      setInterval(() => undefined, 60_000);
    });
    console.log(`${signal}: stopping`);
    await mock.stop();
    return 0;
  }
  console.error(usage);
  return 2;
};

runCli(() => main(process.argv[2]));
