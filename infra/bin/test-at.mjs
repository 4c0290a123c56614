#!/usr/bin/env node
// `npm run test:at -- <ISO 8601 time>`: the whole `npm test` with the clock of every process it starts set to that
// time (and running on from there), to show the suite holds at any hour and on any day, e.g.
// `npm run test:at -- 2026-12-13T03:00:00-05:00` (a Sunday, 3 am in New York).
// Node processes (test workers, and every platform, simulator and CLI they start) get the shift from a preload
// (tests/support/shifted-clock.mjs, through NODE_OPTIONS), Chromium from Playwright's clock (tests/browser/harness.ts).
// The platform takes every time from Node, never from SQLite, ClickHouse or Kafka, so their clocks may stay; the
// local Kafka broker keeps records stamped ahead of its clock. libfaketime was tried for every process first: the
// platform with its embedded ClickHouse, the JVMs and Chromium's crash handler spun under it and the suite timed out.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const at = process.argv[2];
const target = at === undefined ? Number.NaN : Date.parse(at);
if (!at || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(at) || Number.isNaN(target)) {
  console.error('usage: npm run test:at -- <ISO 8601 time with its offset>, e.g. 2026-12-13T03:00:00-05:00');
  process.exit(2);
}
const shift = target - Date.now();
const preload = new URL('../../tests/support/shifted-clock.mjs', import.meta.url).href;
const env = {
  ...process.env,
  CCP_CLOCK_SHIFT_MS: String(shift),
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim(),
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
