import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnPlatform, type PlatformProcess } from '../support/process.js';

/*
 * Issue 19, item 1: the platform as `npm start` runs it (every module: processors, query API, media gateway,
 * compliance, backups, alerts) started and stopped again and again, on fresh data directories and on one that
 * already holds data (its projections checked, perhaps rebuilt, while it stops), stopped at once and after
 * serving: each stop ends the process with code 0 within a bound (no hang), and nothing in its output says a
 * store was used after it closed, a rebuild failed or an error escaped.
 */

const dirs: string[] = [];
const fresh = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ccp-restarts-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** What a clean start and stop never says. */
const TROUBLE =
  /unhandledRejection|uncaughtException|not open|is closed|after close|rebuild failed|consumer loop failed|Error:/;

const stopWithin = async (running: PlatformProcess, ms: number): Promise<number | string | null> => {
  running.child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), ms);
  });
  const outcome = await Promise.race([running.exited, hung]);
  clearTimeout(timer);
  if (outcome === 'hung') running.child.kill('SIGKILL');
  return outcome;
};

const cycle = async (dataDir: string, serve: boolean): Promise<void> => {
  const running = await spawnPlatform({
    DATA_DIR: dataDir,
    KNOWLEDGE_EMBEDDINGS: 'off',
    DEMO_CLOCK: 'false',
  });
  if (serve) {
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
    const calls = await fetch(`${running.url}/api/calls`);
    expect(calls.status).toBe(401);
  }
  const code = await stopWithin(running, 30_000);
  const output = running.output();
  expect(code, output.slice(-3000)).toBe(0);
  expect(output.split('\n').filter((line) => TROUBLE.test(line))).toEqual([]);
};

describe('starting and stopping the platform', () => {
  it(
    'on fresh data directories and on one holding data, stopped at once and after serving, never hangs or errs',
    { timeout: 600_000 },
    async () => {
      for (const serve of [false, true]) await cycle(fresh(), serve);
      const old = fresh();
      for (const serve of [true, false, true]) await cycle(old, serve);
    },
  );
});
