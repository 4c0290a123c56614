import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { run, tail } from './kafka/jvm-supervision.js';

const INSTALL_TIMEOUT_MS = 10 * 60_000;

/**
 * A Go program the tests run (stripe-mock, the S3 stand-in), installed with `go install <package>@<version>`
 * into `dir` when it is not there yet. Two test files may install at once: each builds into its own staging
 * folder and renames the binary into place, which is atomic, so neither ever runs a half-written file.
 */
export const goInstallOnce = async (options: {
  /** The package path of the command, e.g. github.com/stripe/stripe-mock. */
  readonly pkg: string;
  readonly version: string;
  /** The binary's name, the last element of the package path. */
  readonly binary: string;
  readonly dir: string;
}): Promise<string> => {
  const { pkg, version, binary, dir } = options;
  const target = join(dir, binary);
  if (existsSync(target)) return target;
  await mkdir(dir, { recursive: true });
  const staging = await mkdtemp(join(dir, '.install-'));
  try {
    const result = await run('go', ['install', `${pkg}@${version}`], {
      timeoutMs: INSTALL_TIMEOUT_MS,
      env: { GOBIN: staging },
      missing:
        `\`go\` is not installed or not on PATH: ${binary} ${version} is installed with ` +
        `\`go install ${pkg}@<version>\`. Install Go (\`apt-get install golang-go\`, ` +
        'or `npm test`, which does it) and try again.',
    });
    if (result.code !== 0) {
      throw new Error(
        `go install ${pkg}@${version} exited ${String(result.code)}.\nGo said:\n${tail(result.output) || '(nothing)'}`,
      );
    }
    await rename(join(staging, binary), target);
    return target;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
};
