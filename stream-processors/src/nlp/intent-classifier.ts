/** One labelled caller utterance, as in data/intents.jsonl. */
export interface IntentExample {
  text: string;
  intent: string;
}

export interface IntentResult {
  intent: string;
  /**
   * Probability in [0, 1] that `intent` is right, calibrated so that answers given with confidence c
   * are right about c of the time. The media gateway escalates below the agent's `belowConfidence`.
   */
  confidence: number;
}

/**
 * The port. The local classifier (intent.ts) runs in process and is the default; an LLM classifier takes
 * its place when an LLM key is configured. The Promise is for that adapter, which calls out.
 */
export interface IntentClassifier {
  classify(text: string): Promise<IntentResult>;
}
