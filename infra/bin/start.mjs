#!/usr/bin/env node
// `npm start`: the whole platform in one process on the embedded defaults.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
await import('./ensure-deps.mjs');
// The platform serves the web console from ui/dist: build it when it is missing or older than its sources.
const { tsImport } = await import('tsx/esm/api');
const { ensureUiBuilt } = await tsImport('../../ui/server/build.ts', import.meta.url);
await ensureUiBuilt({ log: (message) => console.log(message) });
const child = spawn(process.execPath, ['--import', 'tsx', `${root}/infra/platform/main.ts`], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
