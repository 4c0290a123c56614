import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IntentExample } from './intent-classifier.js';
import { parseIntentDataset } from './intent-dataset.js';

/**
 * Lines of public intent datasets (CLINC150, Banking77, NLU++), relabelled with our intents, that the local
 * classifier learns from beside data/intents.jsonl: other people's wording. Source, licences and mapping:
 * data/public-training/README.md. Never the Bitext test set (data/public-intents/).
 */
export const PUBLIC_TRAINING_DIR = fileURLToPath(new URL('../../data/public-training/', import.meta.url));

/** Every *.jsonl of the folder, {"text", "intent", "source_intent"} a line, in file name order. */
export function loadPublicTraining(dir: string = PUBLIC_TRAINING_DIR): IntentExample[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .flatMap((name) => parseIntentDataset(readFileSync(join(dir, name), 'utf8')));
}
