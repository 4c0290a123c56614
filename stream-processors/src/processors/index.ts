import type { Processor } from '../processor.js';
import { createAuditLogProcessor } from './audit-log.js';
import { createCallFactsProcessor } from './call-facts.js';
import { createIntentProcessor } from './intent.js';
import { createSentimentProcessor } from './sentiment.js';
import { createSlaProcessor } from './sla.js';
import { createUsageProcessor } from './usage.js';

/** Every processor of the platform, each its own consumer group. */
export const createProcessors = (): Processor[] => [
  createAuditLogProcessor(),
  createCallFactsProcessor(),
  createSentimentProcessor(),
  createIntentProcessor(),
  createSlaProcessor(),
  createUsageProcessor(),
];
