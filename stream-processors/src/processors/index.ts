import type { Processor } from '../processor.js';
import { createAuditLogProcessor } from './audit-log.js';
import { createBillingProcessor } from './billing.js';
import { createCallFactsProcessor } from './call-facts.js';
import { createSchedulingProcessor } from './appointments.js';
import { createCampaignsProcessor } from './campaigns.js';
import { createContactsProcessor } from './contacts.js';
import { createIntegrationsProcessor } from './integrations.js';
import { createIntentProcessor, localIntentClassifier } from './intent.js';
import { createMessagesProcessor } from './messages.js';
import type { IntentClassifier } from '../nlp/intent-classifier.js';
import { loadIntentDataset } from '../nlp/intent-dataset.js';
import { createLlmIntentClassifier } from '../nlp/llm-intent.js';
import { createSentimentProcessor } from './sentiment.js';
import { createSlaProcessor } from './sla.js';
import { createUsageProcessor } from './usage.js';

export interface ProcessorsOptions {
  /**
   * An LLM classifies intents instead of the local model when given: the platform passes one only with
   * INTENT_PROVIDER=openai (OpenAI itself), never the conversation's own server; baseURL is for stand-ins.
   */
  readonly llm?: { readonly apiKey: string; readonly baseURL?: string; readonly model: string };
  readonly log?: (message: string) => void;
}

const intentClassifier = (options: ProcessorsOptions): (() => Promise<IntentClassifier>) | undefined => {
  const { llm } = options;
  if (!llm) return undefined;
  const intents = [...new Set(loadIntentDataset().map((e) => e.intent))].sort();
  const classifier = createLlmIntentClassifier({
    ...llm,
    intents,
    fallback: localIntentClassifier,
    ...(options.log && { log: options.log }),
  });
  return async () => classifier;
};

/** Every processor of the platform, each its own consumer group. */
export const createProcessors = (options: ProcessorsOptions = {}): Processor[] => [
  createAuditLogProcessor(),
  createCallFactsProcessor(),
  createSentimentProcessor(),
  createIntentProcessor({ ...(options.llm && { classifier: intentClassifier(options) }) }),
  createSlaProcessor(),
  createUsageProcessor(),
  createCampaignsProcessor(),
  createSchedulingProcessor(),
  createContactsProcessor(),
  createMessagesProcessor(),
  createBillingProcessor(),
  createIntegrationsProcessor(),
];
