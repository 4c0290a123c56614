import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goInstallOnce } from '../go-install.js';
import { supervisedFolder, waitFor } from '../kafka/jvm-supervision.js';

/**
 * Stripe's official mock server (github.com/stripe/stripe-mock), the real Stripe peer of the payments adapter's
 * tests: installed with `go install` at a pinned version into a cache inside the repository (gitignored), and
 * run on loopback under the same supervisor as the local Kafka, so it cannot outlive the Node process that
 * started it. stripe-mock is stateless: it validates each request against Stripe's OpenAPI spec and answers a
 * fixture, echoing some of the parameters.
 */

export const STRIPE_MOCK_VERSION = 'v0.203.0';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Per version, so bumping the pin installs the new one next to the old. */
export const stripeMockCacheDir = (version = STRIPE_MOCK_VERSION): string =>
  join(root, '.cache', 'stripe-mock', version);

/** The path of the pinned stripe-mock binary, installing it first when the cache does not have it. */
export const ensureStripeMock = (
  options: { readonly version?: string; readonly cacheDir?: string } = {},
): Promise<string> => {
  const version = options.version ?? STRIPE_MOCK_VERSION;
  return goInstallOnce({
    pkg: 'github.com/stripe/stripe-mock',
    version,
    binary: 'stripe-mock',
    dir: options.cacheDir ?? stripeMockCacheDir(version),
  });
};

export interface StripeMock {
  /** The API origin, e.g. `http://127.0.0.1:40241`: StripeSettings.apiUrl. */
  readonly url: string;
  /** Stops the server and removes its temp folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** stripe-mock chooses its own ports (`:0`) and says which, so no other process can take them first. */
const listeningUrl = (log: string): string | undefined => {
  const match = /Listening for HTTP at address: (127\.0\.0\.1:\d+)/.exec(log);
  return match?.[1] === undefined ? undefined : `http://${match[1]}`;
};

/** Whether it answers an API request (a customer fixture), not only accepts connections. */
const answers = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = request(
      `${url}/v1/customers/cus_probe`,
      { headers: { authorization: 'Bearer sk_test_probe' }, timeout: 2000 },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    probe.on('timeout', () => probe.destroy());
    probe.on('error', () => resolve(false));
    probe.end();
  });

export const startStripeMock = async (
  options: { readonly binary?: string; readonly startTimeoutMs?: number } = {},
): Promise<StripeMock> => {
  const binary = options.binary ?? (await ensureStripeMock());
  const { dir, launch, stop } = await supervisedFolder('ccp-stripe-mock-');
  const log = join(dir, 'stripe-mock.log');
  try {
    // Loopback only, and HTTPS on a port of its own choosing too: its default is every interface on 12112.
    const started = launch(log, [binary, '-http-addr', '127.0.0.1:0', '-https-addr', '127.0.0.1:0']);
    let url: string | undefined;
    await waitFor(started, `stripe-mock (${binary})`, options.startTimeoutMs ?? 30_000, async () => {
      url ??= listeningUrl(await readFile(log, 'utf8').catch(() => ''));
      return url !== undefined && (await answers(url));
    });
    if (url === undefined) throw new Error('stripe-mock was ready without saying where');
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};
