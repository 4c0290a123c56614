import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trainIntentClassifier } from './intent.js';
import type { IntentExample } from './intent-classifier.js';
import { loadIntentDataset, nonEmpty, parseJsonLines, splitHeldOut } from './intent-dataset.js';
import { evaluateIntents, type IntentEvaluation } from './intent-evaluation.js';

/**
 * A public test set the classifier was never trained on: Bitext's customer support dataset (CDLA-Sharing-1.0),
 * its lines relabelled with our intents. See data/public-intents/README.md for the source and the licence.
 */
export const BITEXT_INTENTS_PATH = fileURLToPath(
  new URL('../../data/public-intents/bitext-customer-support.jsonl', import.meta.url),
);

/**
 * Bitext intent → ours, for the intents that mean the same thing on a call. Where our dataset already labels
 * such a line, the mapping follows it ("I'd like to close my account" is cancel_subscription, "do you give
 * refunds if I'm not satisfied" and "when will I get my refund" are refund_request). Left out because no
 * intent of ours, or more than one, fits: contact_customer_service (half its lines ask when customer service
 * is open or for its number), payment_issue (payment_method, billing_question or technical_problem),
 * check_cancellation_fee (pricing or cancel_subscription), review (neutral feedback, not a compliment),
 * registration_problems, create_account, switch_account, newsletter_subscription, place_order,
 * change_order, cancel_order, delivery_options, delivery_period, change_shipping_address and
 * set_up_shipping_address.
 */
export const BITEXT_INTENT_MAP: Readonly<Record<string, string>> = {
  complaint: 'complaint',
  contact_human_agent: 'talk_to_human',
  track_order: 'order_status',
  get_refund: 'refund_request',
  track_refund: 'refund_request',
  check_refund_policy: 'refund_request',
  check_invoice: 'billing_question',
  get_invoice: 'billing_question',
  check_payment_methods: 'payment_method',
  edit_account: 'update_account',
  recover_password: 'reset_password',
  delete_account: 'cancel_subscription',
};

/** A public line with our intent and the intent its dataset gave it. */
export interface PublicIntentExample extends IntentExample {
  sourceIntent: string;
}

/** One JSON object per line, {"text", "intent", "source_intent"}; blank lines are skipped. */
export function parsePublicIntents(jsonl: string): PublicIntentExample[] {
  return parseJsonLines(
    jsonl,
    'public intent set',
    '{"text", "intent", "source_intent"}, non-empty strings',
    ({ text, intent, source_intent }) =>
      nonEmpty(text) && nonEmpty(intent) && nonEmpty(source_intent)
        ? { text, intent, sourceIntent: source_intent }
        : undefined,
  );
}

export function loadPublicIntents(path: string = BITEXT_INTENTS_PATH): PublicIntentExample[] {
  return parsePublicIntents(readFileSync(path, 'utf8'));
}

/**
 * Which half of the public set a line is in, by its sha256: the classifier was tuned looking at the misses of
 * the `tuning` half only, so the `check` half's figure is of lines nobody looked at while tuning.
 */
export function publicHalf(text: string): 'tuning' | 'check' {
  const firstByte = createHash('sha256').update(text).digest()[0] ?? 0;
  return firstByte % 2 === 0 ? 'tuning' : 'check';
}

export interface PublicIntentMeasurement {
  /** The shipped classifier (data/intents.jsonl, the public training set, the paraphrases) on the public lines. */
  publicSet: IntentEvaluation;
  /** The public lines by the intent their dataset gave them, worst first: one can fail inside a mapped intent. */
  bySource: { sourceIntent: string; evaluation: IntentEvaluation }[];
  /** The public lines by publicHalf. */
  halves: { tuning: IntentEvaluation; check: IntentEvaluation };
  /**
   * The same training, but on 80% of data/intents.jsonl (with the same public and template lines), measured
   * on the other 20%: the classifier's own figure.
   */
  heldOut: IntentEvaluation;
}

/** The two figures side by side: how far the own held-out figure carries to lines written by someone else. */
export function measurePublicIntents(
  examples: readonly PublicIntentExample[] = loadPublicIntents(),
): PublicIntentMeasurement {
  const dataset = loadIntentDataset();
  const shipped = trainIntentClassifier(dataset);
  const classify = (text: string) => shipped.classifySync(text);
  const { train, heldOut } = splitHeldOut(dataset);
  const measured = trainIntentClassifier(train);
  const sources = [...new Set(examples.map(({ sourceIntent }) => sourceIntent))];
  const bySource = sources.map((sourceIntent) => ({
    sourceIntent,
    evaluation: evaluateIntents(
      classify,
      examples.filter((example) => example.sourceIntent === sourceIntent),
    ),
  }));
  bySource.sort(
    (a, b) => a.evaluation.accuracy - b.evaluation.accuracy || a.sourceIntent.localeCompare(b.sourceIntent),
  );
  return {
    publicSet: evaluateIntents(classify, examples),
    bySource,
    halves: {
      tuning: evaluateIntents(
        classify,
        examples.filter(({ text }) => publicHalf(text) === 'tuning'),
      ),
      check: evaluateIntents(
        classify,
        examples.filter(({ text }) => publicHalf(text) === 'check'),
      ),
    },
    heldOut: evaluateIntents((text) => measured.classifySync(text), heldOut),
  };
}
