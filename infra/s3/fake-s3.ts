import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goInstallOnce } from '../go-install.js';
import { freePort, supervisedFolder, waitFor, withPortRetry } from '../kafka/jvm-supervision.js';

/**
 * An S3-compatible server for the tests of what the platform keeps in S3 (offsite backups): GoFakeS3
 * (github.com/johannesboyne/gofakes3, MIT), a stand-in that speaks S3's REST protocol (signed requests, buckets,
 * multipart and ranged reads) over a filesystem backend. No S3 service can run here; the backup store's contract
 * suite also runs against a real one when BACKUP_S3_TEST_URL is set. Installed with `go install` at a pinned
 * version into the repository's cache (gitignored) and run on loopback under the same supervisor as the local
 * Kafka, so it cannot outlive the Node process that started it.
 */

export const GOFAKES3_VERSION = 'v1.2.0';
const root = fileURLToPath(new URL('../..', import.meta.url));

export const ensureFakeS3 = (): Promise<string> =>
  goInstallOnce({
    pkg: 'github.com/johannesboyne/gofakes3/cmd/gofakes3',
    version: GOFAKES3_VERSION,
    binary: 'gofakes3',
    dir: join(root, '.cache', 'gofakes3', GOFAKES3_VERSION),
  });

export interface FakeS3 {
  /** The endpoint, e.g. `http://127.0.0.1:40241` (path-style bucket addressing). */
  readonly endpoint: string;
  /** A bucket created at start. */
  readonly bucket: string;
  /** Stops the server and deletes what it stored. Safe to call twice. */
  stop(): Promise<void>;
}

/** Whether it answers an S3 request: the bucket's listing (any HTTP answer from S3 is an answer). */
const answers = (endpoint: string, bucket: string): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = request(`${endpoint}/${bucket}?list-type=2`, { timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode !== undefined);
    });
    probe.on('timeout', () => probe.destroy());
    probe.on('error', () => resolve(false));
    probe.end();
  });

export const startFakeS3 = async (
  options: {
    readonly bucket?: string;
    /** A port of the caller's choosing (a restart on the same address); else a free one. */
    readonly port?: number;
  } = {},
): Promise<FakeS3> => {
  const binary = await ensureFakeS3();
  const bucket = options.bucket ?? 'ccp-backups';
  const { dir, launch, stop } = await supervisedFolder('ccp-fake-s3-');
  try {
    const endpoint = await withPortRetry(async () => {
      const port = options.port ?? (await freePort());
      const proc = launch(join(dir, `gofakes3-${String(port)}.log`), [
        binary,
        '-host',
        `127.0.0.1:${String(port)}`,
        '-backend',
        'fs',
        '-fs.path',
        join(dir, 'data'),
        '-fs.create',
        '-initialbucket',
        bucket,
      ]);
      const address = `http://127.0.0.1:${String(port)}`;
      await waitFor(proc, `gofakes3 (${binary})`, 30_000, () => answers(address, bucket));
      return address;
    });
    return { endpoint, bucket, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};
