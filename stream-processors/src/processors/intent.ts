import { ERASED } from '@ccp/schemas';
import { z } from 'zod';
import type { ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import { trainIntentClassifier } from '../nlp/intent.js';
import type { IntentClassifier } from '../nlp/intent-classifier.js';
import { loadIntentDataset } from '../nlp/intent-dataset.js';
import type { Processor, ProcessorContext } from '../processor.js';
import { callEventsOf, callIdsByTenant, callKey, utteranceIdOf, type CallEventAt } from './call-stream.js';
import { checkRange, ClickHouseCount, ClickHouseInstant, loadCallRows, type TimeRange } from './read-rows.js';

export const INTENT = 'intent';

let local: Promise<IntentClassifier> | undefined;

/**
 * The local classifier, trained the first time a processor needs it (a few seconds, once per process) and shared
 * by every processor of the process. Trained on the whole shipped dataset plus the public training lines and the
 * template paraphrases (trainIntentClassifier's defaults): the held-out split is for measuring it
 * (intent-evaluation), not for serving, and the Bitext lines are never trained on (they measure it).
 */
export const localIntentClassifier = (): Promise<IntentClassifier> => {
  local ??= Promise.resolve().then(() => trainIntentClassifier(loadIntentDataset()));
  return local;
};

export interface IntentProcessorOptions {
  /** Another implementation of the port (an LLM classifier when a key is configured); the local one by default. */
  readonly classifier?: () => Promise<IntentClassifier>;
}

/** A row of `call_intents` (014_call_rollups): how many caller lines of a call had each intent. */
const CallIntentsRow = z.object({
  tenant_id: z.string(),
  call_id: z.string(),
  started_at: ClickHouseInstant,
  intents: z.record(z.string(), z.number().int()),
  version: ClickHouseCount,
});
type CallIntentsRow = z.output<typeof CallIntentsRow>;

const newCall = (at: CallEventAt): CallIntentsRow => ({
  tenant_id: at.tenantId,
  call_id: at.callId,
  // The partition key: CallStarted's time, or the first event this processor saw of a call begun before it.
  started_at:
    at.event.type === 'CallStarted' ? new Date(at.event.data.startedAt).toISOString() : at.occurredAt,
  intents: {},
  version: at.position,
});

const isCallerLine = (at: CallEventAt): boolean =>
  at.event.type === 'UtteranceRecorded' &&
  at.event.data.speaker === 'caller' &&
  at.event.data.text !== ERASED;

/**
 * The intent processor: the intent of every caller utterance into `utterance_intents`, one row per utterance
 * with version = the event's position. A row depends on its event alone (the local classifier is
 * deterministic), so a redelivered or re-split batch writes the same rows and they collapse under FINAL.
 * Lines of the AI and of humans are not classified: intents are what callers want. Utterances whose text was
 * erased are skipped.
 *
 * The same counts per call go to `call_intents`, the dashboards' rollup: one row per call, its state loaded once
 * per batch; an event at or below the row's version was counted already and is skipped, so a redelivery adds
 * nothing. Utterance rows are written first: a crash in between leaves the call's version behind and the
 * redelivered batch writes both again.
 */
export const createIntentProcessor = (options: IntentProcessorOptions = {}): Processor => {
  const classifier = options.classifier ?? localIntentClassifier;
  return {
    name: INTENT,
    // Version 2: intents per call (call_intents).
    version: 2,
    categories: ['call'],
    tables: ['utterance_intents', 'call_intents'],
    async handle(batch: readonly BusEvent[], context: ProcessorContext): Promise<void> {
      const events = callEventsOf(batch).filter((at) => at.event.type === 'CallStarted' || isCallerLine(at));
      if (events.length === 0) return;
      const loaded = await loadCallRows(
        context.readStore,
        'call_intents',
        callIdsByTenant(events),
        CallIntentsRow,
      );
      const calls = new Map(loaded.map((row) => [callKey(row.tenant_id, row.call_id), row]));
      const changed = new Map<string, CallIntentsRow>();
      const rows: Record<string, unknown>[] = [];
      for (const at of events) {
        const { event } = at;
        const key = callKey(at.tenantId, at.callId);
        const before = calls.get(key);
        let after: CallIntentsRow = { ...(before ?? newCall(at)), version: at.position };
        if (event.type === 'UtteranceRecorded') {
          const { intent, confidence } = await (await classifier()).classify(event.data.text);
          rows.push({
            tenant_id: at.tenantId,
            call_id: at.callId,
            utterance_id: utteranceIdOf(at, event.data.utteranceId),
            intent,
            confidence,
            occurred_at: at.occurredAt,
            version: at.position,
          });
          if (before !== undefined && at.position <= before.version) continue;
          after = { ...after, intents: { ...after.intents, [intent]: (after.intents[intent] ?? 0) + 1 } };
        } else if (before !== undefined) {
          continue;
        }
        calls.set(key, after);
        changed.set(key, after);
      }
      await context.readStore.insert('utterance_intents', rows);
      await context.readStore.insert('call_intents', [...changed.values()]);
    },
  };
};

export interface TopIntentsOptions {
  /** At most this many intents, most frequent first; 10 by default. */
  readonly limit?: number;
  /** Leave out classifications below this confidence (the classifier's guesses); 0 by default. */
  readonly minConfidence?: number;
}

export interface IntentCount {
  readonly intent: string;
  readonly utterances: number;
  readonly calls: number;
  readonly averageConfidence: number;
}

const IntentCountRow = z.object({
  intent: z.string(),
  utterances: ClickHouseCount,
  calls: ClickHouseCount,
  averageConfidence: z.number(),
});

/** What callers of a tenant wanted in a range ([from, to) over when they said it), most frequent first. */
export const topIntents = async (
  readStore: ReadStore,
  tenantId: string,
  range: TimeRange,
  options: TopIntentsOptions = {},
): Promise<IntentCount[]> => {
  const { from, to } = checkRange(range);
  const limit = options.limit ?? 10;
  const minConfidence = options.minConfidence ?? 0;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  if (!(minConfidence >= 0 && minConfidence <= 1))
    throw new RangeError('minConfidence must be within [0, 1]');
  const rows = await readStore.query<unknown>(
    `SELECT intent, count() AS utterances, uniqExact(call_id) AS calls, avg(confidence) AS averageConfidence
     FROM utterance_intents FINAL
     WHERE tenant_id = {tenant:String}
       AND occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
       AND confidence >= {minConfidence:Float64}
     GROUP BY intent
     ORDER BY utterances DESC, intent
     LIMIT {limit:UInt32}`,
    { tenant: tenantId, from, to, minConfidence, limit },
  );
  return rows.map((row) => IntentCountRow.parse(row));
};
