#!/usr/bin/env node
// `npm start`: the whole platform in one process on the embedded defaults.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
await import('./ensure-deps.mjs');
const child = spawn(process.execPath, ['--import', 'tsx', `${root}/infra/platform/main.ts`], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
