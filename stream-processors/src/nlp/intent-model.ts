/**
 * A multinomial logistic regression (softmax) over sparse binary features, trained by stochastic gradient
 * descent. Written here rather than taken from natural: natural's LogisticRegressionClassifier builds a dense
 * vector over the whole vocabulary for every example (minutes on a few thousand lines). Unlike naive Bayes it
 * weighs features against each other, so that a word and its character n-grams are not counted as separate
 * evidence.
 */

export interface TrainingDocument {
  features: readonly string[];
  intent: string;
  /** How much this document counts, 1 by default: class balance and source weights. */
  weight?: number;
}

export interface SoftmaxOptions {
  epochs: number;
  learningRate: number;
  /** L2 penalty per document seen; keeps rare features from carrying an answer alone. */
  l2: number;
}

export const DEFAULT_SOFTMAX_OPTIONS: SoftmaxOptions = { epochs: 12, learningRate: 0.2, l2: 1e-5 };

export interface SoftmaxModel {
  readonly intents: readonly string[];
  /** Feature → its row in `weights`. */
  readonly featureIndex: ReadonlyMap<string, number>;
  /** One row of weights per feature, one column per intent (in the order of `intents`). */
  readonly weights: Float64Array;
  readonly bias: Float64Array;
}

/** A deterministic shuffle (xorshift32), so that two trainings on the same lines give the same model. */
function shuffle(items: number[], seed: number): void {
  let state = seed || 1;
  for (let i = items.length - 1; i > 0; i--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = (state >>> 0) % (i + 1);
    [items[i], items[j]] = [items[j] ?? 0, items[i] ?? 0];
  }
}

function softmaxInPlace(scores: Float64Array): void {
  let top = -Infinity;
  for (const s of scores) top = Math.max(top, s);
  let total = 0;
  for (let k = 0; k < scores.length; k++) {
    const e = Math.exp((scores[k] ?? 0) - top);
    scores[k] = e;
    total += e;
  }
  for (let k = 0; k < scores.length; k++) scores[k] = (scores[k] ?? 0) / total;
}

function scoreRows(model: SoftmaxModel, rows: Iterable<number>, into: Float64Array): Float64Array {
  const classes = model.intents.length;
  into.set(model.bias);
  for (const row of rows) {
    const offset = row * classes;
    for (let k = 0; k < classes; k++) into[k] = (into[k] ?? 0) + (model.weights[offset + k] ?? 0);
  }
  return into;
}

/** Raw scores (logits), one per intent; features the model never saw add nothing. */
export function softmaxScores(model: SoftmaxModel, features: readonly string[]): Float64Array {
  const rows: number[] = [];
  for (const feature of features) {
    const row = model.featureIndex.get(feature);
    if (row !== undefined) rows.push(row);
  }
  return scoreRows(model, rows, new Float64Array(model.intents.length));
}

export function trainSoftmax(
  documents: readonly TrainingDocument[],
  options: SoftmaxOptions = DEFAULT_SOFTMAX_OPTIONS,
): SoftmaxModel {
  const intents = [...new Set(documents.map(({ intent }) => intent))].sort();
  const target = new Map(intents.map((intent, k) => [intent, k]));
  const classes = intents.length;
  const featureIndex = new Map<string, number>();
  const docs = documents.map((document) => ({
    rows: Int32Array.from(new Set(document.features), (feature) => {
      let row = featureIndex.get(feature);
      if (row === undefined) {
        row = featureIndex.size;
        featureIndex.set(feature, row);
      }
      return row;
    }),
    target: target.get(document.intent) ?? 0,
    weight: document.weight ?? 1,
  }));
  const model: SoftmaxModel = {
    intents,
    featureIndex,
    weights: new Float64Array(featureIndex.size * classes),
    bias: new Float64Array(classes),
  };
  const { weights, bias } = model;
  // Lazy L2: a feature's weights shrink by the decay of every step since it was last touched.
  const lastStep = new Float64Array(featureIndex.size);
  const shrinkRow = (row: number, factor: number): void => {
    for (let k = row * classes; k < (row + 1) * classes; k++) weights[k] = (weights[k] ?? 0) * factor;
  };
  const order = docs.map((_, i) => i);
  const p = new Float64Array(classes);
  let step = 0;
  let decay = 1;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    // The step size falls with the epochs so that the last passes settle instead of following the last lines.
    const rate = options.learningRate / (1 + epoch);
    decay = 1 - rate * options.l2;
    shuffle(order, epoch + 1);
    for (const i of order) {
      const doc = docs[i];
      if (doc === undefined) continue;
      for (const row of doc.rows) {
        const since = step - (lastStep[row] ?? step);
        if (since > 0) shrinkRow(row, Math.pow(decay, since));
        lastStep[row] = step;
      }
      softmaxInPlace(scoreRows(model, doc.rows, p));
      const scale = rate * doc.weight;
      for (let k = 0; k < classes; k++) {
        const gradient = ((p[k] ?? 0) - (k === doc.target ? 1 : 0)) * scale;
        bias[k] = (bias[k] ?? 0) - gradient;
        for (const row of doc.rows) weights[row * classes + k] = (weights[row * classes + k] ?? 0) - gradient;
      }
      step++;
    }
  }
  for (let row = 0; row < featureIndex.size; row++)
    shrinkRow(row, Math.pow(decay, step - (lastStep[row] ?? 0)));
  return model;
}
