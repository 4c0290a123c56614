/**
 * The local intent classifier on a public customer support dataset it was never trained on (Bitext, its intents
 * mapped onto ours: stream-processors/data/public-intents/README.md), beside its own held-out figure, which
 * comes from lines written by the same hand as its training lines. The ratio says how much of that figure
 * carries to someone else's wording. Figures are printed, never asserted.
 * Misses are printed from the tuning half only (publicHalf), so that the check half stays unseen wording.
 * Run with `npx tsx tests/bench/intent-public.ts` (also part of `npm run bench`).
 */
import { loadPublicIntents, measurePublicIntents, publicHalf } from '@ccp/stream-processors';

const MISSES_SHOWN = 3;
const CONFUSIONS_SHOWN = 4;

const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;

const { publicSet, bySource, halves, heldOut } = measurePublicIntents(loadPublicIntents());

console.log(
  `intent classifier, public set (Bitext customer support, ${publicSet.perIntent.length} mapped intents): ` +
    `${percent(publicSet.accuracy)} (${publicSet.correct}/${publicSet.total})`,
);
console.log(
  `  tuning half ${percent(halves.tuning.accuracy)} (${halves.tuning.correct}/${halves.tuning.total}), ` +
    `check half, whose misses are never printed ${percent(halves.check.accuracy)} ` +
    `(${halves.check.correct}/${halves.check.total})`,
);
console.log(
  `intent classifier, own held-out split: ${percent(heldOut.accuracy)} (${heldOut.correct}/${heldOut.total}); ` +
    `public / held-out = ${(publicSet.accuracy / heldOut.accuracy).toFixed(2)}\n`,
);

for (const score of publicSet.perIntent) {
  const confusions = score.confusedWith
    .slice(0, CONFUSIONS_SHOWN)
    .map(({ intent, count }) => `${intent} ×${count}`)
    .join(', ');
  console.log(
    `  ${score.intent.padEnd(20)} ${percent(score.accuracy).padStart(6)}  ${score.correct}/${score.total}` +
      (confusions === '' ? '' : `  confused with ${confusions}`),
  );
  const shown = publicSet.misses.filter(
    (m) => m.expected === score.intent && publicHalf(m.text) === 'tuning',
  );
  for (const miss of shown.slice(0, MISSES_SHOWN)) {
    console.log(`      "${miss.text}" → ${miss.predicted} (${miss.confidence.toFixed(2)})`);
  }
}

console.log('\nby Bitext intent, worst first:');
for (const { sourceIntent, evaluation } of bySource) {
  console.log(
    `  ${sourceIntent.padEnd(22)} ${percent(evaluation.accuracy).padStart(6)}  ` +
      `${evaluation.correct}/${evaluation.total}`,
  );
}
