/**
 * The local intent classifier: how long the one training per process takes (the dataset loaded and the model
 * built, as the intent processor does on first use) and how many caller lines a second it then classifies,
 * with the ratio of the training to the 10 s a first call may wait for it. Figures are printed, never asserted:
 * the unit tests check what it classifies and that it is trained once, not how fast.
 * Run with `npx tsx tests/bench/intent.ts` (also part of `npm run bench`).
 */
import { localIntentClassifier } from '@ccp/stream-processors';

const TRAINING_GOAL_MS = 10_000;
const LINES = [
  'I would like to book an appointment for next Friday',
  'where is my order',
  'let me speak to a real person',
  'can I get my money back for the order',
  'what time do you open on Saturday',
];

const started = performance.now();
const classifier = await localIntentClassifier();
const trainingMs = performance.now() - started;
console.log(
  `intent classifier: trained in ${trainingMs.toFixed(0)} ms ` +
    `(${(trainingMs / TRAINING_GOAL_MS).toFixed(2)} of the ${TRAINING_GOAL_MS / 1000} s goal)`,
);

const rounds = 2_000;
const classifyStarted = performance.now();
for (let i = 0; i < rounds; i += 1) await classifier.classify(LINES[i % LINES.length] ?? '');
const seconds = (performance.now() - classifyStarted) / 1000;
console.log(`intent classifier: ${(rounds / seconds).toFixed(0)} lines/s classified`);
