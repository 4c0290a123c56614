#!/usr/bin/env node
// Installs what the platform and its tests need when it is missing, so that `npm start` and `npm test` work
// on a fresh clone with nothing typed before them.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = (command) => execSync(command, { cwd: root, stdio: 'inherit' });

const installed = `${root}/node_modules/.package-lock.json`;
const lock = `${root}/package-lock.json`;
const stale =
  !existsSync(installed) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs);
if (stale) {
  console.log('Installing npm dependencies (first run)...');
  // Not `npm ci`: chdb lists platform packages that are not all published, and `npm ci` refuses a lock file
  // without them, while `npm install` installs the locked versions and skips the missing optional ones.
  run('npm install --no-audit --no-fund');
}

// better-sqlite3 compiles from source here when no prebuilt binary matches; make sure the binary loads.
try {
  const require = createRequire(`${root}/package.json`);
  const Database = require('better-sqlite3');
  new Database(':memory:').close();
} catch {
  console.log('Building better-sqlite3 for this Node version...');
  run('npm rebuild better-sqlite3');
}
