#!/usr/bin/env node
// `npm run test:at -- <ISO 8601 time>`: the whole `npm test` with the clock of every process it starts set to that
// time (and running on from there), to show the suite holds at any hour and on any day, e.g.
// `npm run test:at -- 2026-12-13T03:00:00-05:00` (a Sunday, 3 am in New York).
// Node processes get the shift from a preload (tests/support/shifted-clock.mjs, through NODE_OPTIONS), Chromium
// from Playwright's clock (tests/browser/harness.ts), and the Kafka broker's JVM from libfaketime (Debian's faketime
// package), preloaded into the JVM only: under libfaketime the Node platform with its embedded ClickHouse engine
// spun at full CPU and Chromium's crash handler looped, and the suite timed out.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const at = process.argv[2];
const target = at === undefined ? Number.NaN : Date.parse(at);
if (!at || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(at) || Number.isNaN(target)) {
  console.error('usage: npm run test:at -- <ISO 8601 time with its offset>, e.g. 2026-12-13T03:00:00-05:00');
  process.exit(2);
}
const libfaketime = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
if (!existsSync(libfaketime)) {
  console.log("Installing faketime (libfaketime) for the Kafka broker's clock...");
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit' }).status === 0;
  if (!(apt(['update']) && apt(['install', '-y', 'faketime']))) {
    console.error('Could not install faketime (apt-get).');
    process.exit(1);
  }
}
// Whole seconds, so that libfaketime and the preload move every clock by the same amount.
const shiftSeconds = Math.round((target - Date.now()) / 1000);
const preload = new URL('../../tests/support/shifted-clock.mjs', import.meta.url).href;
const env = {
  ...process.env,
  CCP_CLOCK_SHIFT_MS: String(shiftSeconds * 1000),
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim(),
  CCP_JVM_PRELOAD: libfaketime,
  FAKETIME: `${shiftSeconds >= 0 ? '+' : ''}${shiftSeconds}`,
  FAKETIME_ONLY_CMDS: 'java',
  FAKETIME_DONT_FAKE_MONOTONIC: '1',
};
console.log(`Running the tests with the clock at ${new Date(target).toISOString()} (${at}).`);
const child = spawn(process.execPath, [`${root}infra/bin/test.mjs`, ...process.argv.slice(3)], {
  cwd: root,
  env,
  stdio: 'inherit',
});
child.on('error', (error) => {
  console.error(`could not run the tests: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
