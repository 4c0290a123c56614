/**
 * npx tsx infra/embeddings/cli.ts prepare     fetch and convert the sentence encoder into the cache (once)
 *
 * The knowledge search then finds articles by meaning as well as by words (KNOWLEDGE_EMBEDDINGS=auto, the
 * default, uses it once it is there). `npm start` and `npm test` prepare it themselves.
 */
import { runCli } from '../cli.js';
import { embeddingsCacheDir, ensureSentenceEncoder } from './sentence-encoder.js';

const started = Date.now();
const say = (line: string): void => {
  console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
};

runCli(async () => {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'prepare' || rest.length > 0) {
    console.error('usage: tsx infra/embeddings/cli.ts prepare');
    return 2;
  }
  say(`sentence encoder cache: ${embeddingsCacheDir()}`);
  const files = await ensureSentenceEncoder({ log: say });
  say(`ready: ${files.model}`);
  return 0;
});
