import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnPlatform, type PlatformProcess } from '../support/process.js';

/*
 * The platform process's last-resort guard (infra/platform/main.ts): once it serves, an error that escapes every
 * handler is logged and the process keeps serving; during start-up the same error still ends it. The error is
 * made to escape by a preloaded module (fault-injection.mjs), as a bug would make it.
 */

const FAULT = fileURLToPath(new URL('./fault-injection.mjs', import.meta.url));
const dirs: string[] = [];
const running: PlatformProcess[] = [];
afterAll(async () => {
  for (const p of running) p.child.kill('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const envWithFault = (fault?: 'startup') => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ccp-guard-'));
  dirs.push(dataDir);
  return {
    DATA_DIR: dataDir,
    SUPER_ADMIN_EMAIL: 'root@guard.example',
    SUPER_ADMIN_PASSWORD: 'guard-test-password',
    STREAM_PROCESSING: 'false',
    SEED_DEMO: 'false',
    NODE_OPTIONS: `--import ${FAULT}`,
    ...(fault && { CCP_FAULT: fault }),
  };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the platform process guard', () => {
  it(
    'logs an uncaught exception and an unhandled rejection once serving, and goes on serving',
    { timeout: 60_000 },
    async () => {
      const p = await spawnPlatform(envWithFault());
      running.push(p);
      p.child.kill('SIGUSR2');
      await Promise.race([p.exited, sleep(1_000)]);
      expect(p.child.exitCode, p.output().slice(-1500)).toBeNull();
      expect(p.output()).toMatch(/uncaughtException: Error: fault injected: an uncaught exception/);
      expect(p.output()).toMatch(/unhandledRejection: Error: fault injected: an unhandled rejection/);
      expect((await fetch(`${p.url}/health`)).status).toBe(200);
    },
  );

  it('still ends the process on an error during start-up', { timeout: 60_000 }, async () => {
    await expect(spawnPlatform(envWithFault('startup'))).rejects.toThrow(
      /platform exited \(1\) before it started[\s\S]*fault injected during start-up/,
    );
  });
});
