// Held-out accuracy of the local intent classifier:
//   npx tsx stream-processors/src/nlp/intent-accuracy.ts
import { trainIntentClassifier } from './intent.js';
import { loadIntentDataset, splitHeldOut } from './intent-dataset.js';
import { evaluateIntents } from './intent-evaluation.js';

const WORST_SHOWN = 5;

const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;

const examples = loadIntentDataset();
const { train, heldOut } = splitHeldOut(examples);

const started = performance.now();
const classifier = trainIntentClassifier(train);
const trainingMs = performance.now() - started;

const evaluation = evaluateIntents((text) => classifier.classifySync(text), heldOut);

console.log(
  `${examples.length} examples, ${classifier.intents.length} intents: trained on ${train.length} in ` +
    `${trainingMs.toFixed(0)} ms, held out ${heldOut.length}`,
);
console.log(
  `held-out accuracy ${percent(evaluation.accuracy)} (${evaluation.correct}/${evaluation.total})\n`,
);
for (const score of [...evaluation.perIntent].sort((a, b) => a.intent.localeCompare(b.intent))) {
  console.log(
    `  ${score.intent.padEnd(24)} ${percent(score.accuracy).padStart(6)}  ${score.correct}/${score.total}`,
  );
}

console.log(`\nconfusion of the ${WORST_SHOWN} worst intents:`);
for (const score of evaluation.perIntent.slice(0, WORST_SHOWN)) {
  const confusions = score.confusedWith.map(({ intent, count }) => `${intent} ×${count}`).join(', ');
  console.log(`  ${score.intent} (${percent(score.accuracy)}): ${confusions === '' ? 'none' : confusions}`);
  for (const miss of evaluation.misses.filter((m) => m.expected === score.intent)) {
    console.log(`      "${miss.text}" → ${miss.predicted} (${miss.confidence.toFixed(2)})`);
  }
}

// What the media gateway's escalation threshold would catch (agents default to belowConfidence 0.4).
const ESCALATION_THRESHOLD = 0.4;
const results = heldOut.map(({ text, intent }) => ({ expected: intent, ...classifier.classifySync(text) }));
const hits = results.filter((r) => r.intent === r.expected);
const misses = results.filter((r) => r.intent !== r.expected);
const mean = (rs: typeof results): number =>
  rs.reduce((acc, r) => acc + r.confidence, 0) / Math.max(rs.length, 1);
const below = (rs: typeof results): string =>
  percent(rs.filter((r) => r.confidence < ESCALATION_THRESHOLD).length / Math.max(rs.length, 1));
console.log(`\nmean confidence: ${mean(hits).toFixed(2)} when right, ${mean(misses).toFixed(2)} when wrong`);
console.log(
  `below ${ESCALATION_THRESHOLD}: ${below(misses)} of the wrong answers, ${below(hits)} of the right ones`,
);
