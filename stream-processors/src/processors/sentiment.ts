import { ERASED } from '@ccp/schemas';
import { z } from 'zod';
import type { ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import { scoreSentiment } from '../nlp/sentiment.js';
import { rollingSentiment } from '../nlp/sentiment-trend.js';
import type { Processor, ProcessorContext } from '../processor.js';
import { callEventsOf, callIdsByTenant, callKey, utteranceIdOf, type CallEventAt } from './call-stream.js';
import { checkRange, ClickHouseCount, ClickHouseInstant, loadCallRows, type TimeRange } from './read-rows.js';

export const SENTIMENT = 'sentiment';

/** Caller utterances the rolling average and trend look back over (as sentiment-trend's tests do). */
export const CALL_SENTIMENT_WINDOW = 5;

/** A row of `call_sentiment` (006_sentiment): the rolling view of a call and the processor's state for it. */
const CallSentimentRow = z.object({
  tenant_id: z.string(),
  call_id: z.string(),
  agent_id: z.string(),
  started_at: ClickHouseInstant,
  average: z.number(),
  trend: z.enum(['improving', 'worsening', 'stable']),
  last_score: z.number().nullable(),
  utterances: z.number().int(),
  score_sum: z.number(),
  positive: z.number().int(),
  neutral: z.number().int(),
  negative: z.number().int(),
  recent_scores: z.array(z.number()),
  updated_at: ClickHouseInstant,
  version: ClickHouseCount,
});
type CallSentimentRow = z.output<typeof CallSentimentRow>;

interface Line {
  readonly utteranceId: string;
  readonly speaker: 'caller' | 'ai' | 'human';
  readonly text: string;
  readonly language: string;
}

/** The line an event carries, if any: utterances of every speaker, and AI replies as speaker 'ai'. */
const lineOf = (at: CallEventAt): Line | undefined => {
  const { event } = at;
  if (event.type === 'UtteranceRecorded') {
    const { speaker, text, language } = event.data;
    return { utteranceId: utteranceIdOf(at, event.data.utteranceId), speaker, text, language };
  }
  if (event.type === 'AiReplied') {
    const { utteranceId, text, language } = event.data;
    return { utteranceId, speaker: 'ai', text, language };
  }
  return undefined;
};

const newCall = (at: CallEventAt): CallSentimentRow => ({
  tenant_id: at.tenantId,
  call_id: at.callId,
  agent_id: at.event.type === 'CallStarted' ? (at.event.data.agentId ?? '') : '',
  // The partition key: CallStarted's time, the first event of a call in every replay.
  started_at:
    at.event.type === 'CallStarted' ? new Date(at.event.data.startedAt).toISOString() : at.occurredAt,
  average: 0,
  trend: 'stable',
  last_score: null,
  utterances: 0,
  score_sum: 0,
  positive: 0,
  neutral: 0,
  negative: 0,
  recent_scores: [],
  updated_at: at.occurredAt,
  version: at.position,
});

/**
 * The sentiment processor: every utterance scored (`utterance_sentiment`), and a rolling view of each call over
 * its caller's scores (`call_sentiment`, with the count of positive, neutral and negative caller lines, which
 * the dashboards' sentiment over time adds up per call rather than per utterance).
 *
 * State per call (its agent, the window of caller scores) lives in call_sentiment, loaded once per batch for
 * the calls the batch touches. Every event the processor uses moves the call's version to its position, and
 * an event at or below that version is a redelivery: it writes nothing, so an utterance is never re-labelled
 * with an agent the call was transferred to later. Utterance rows are written before the call rows, so a
 * crash in between leaves the call's version behind and the redelivered batch rewrites the same rows.
 * Utterances whose text was erased are not scored.
 */
export const createSentimentProcessor = (options: { readonly window?: number } = {}): Processor => {
  const window = options.window ?? CALL_SENTIMENT_WINDOW;
  return {
    name: SENTIMENT,
    // Version 2: caller lines counted by label per call.
    version: 2,
    categories: ['call'],
    tables: ['utterance_sentiment', 'call_sentiment'],
    async handle(batch: readonly BusEvent[], context: ProcessorContext): Promise<void> {
      const events = callEventsOf(batch).filter(
        (at) =>
          at.event.type === 'CallStarted' || at.event.type === 'CallTransferred' || lineOf(at) !== undefined,
      );
      if (events.length === 0) return;
      const loaded = await loadCallRows(
        context.readStore,
        'call_sentiment',
        callIdsByTenant(events),
        CallSentimentRow,
      );
      const calls = new Map(loaded.map((row) => [callKey(row.tenant_id, row.call_id), row]));
      const changed = new Map<string, CallSentimentRow>();
      const scored: Record<string, unknown>[] = [];

      for (const at of events) {
        const key = callKey(at.tenantId, at.callId);
        const existing = calls.get(key);
        if (existing !== undefined && at.position <= existing.version) continue;
        const before = existing ?? newCall(at);
        let after: CallSentimentRow = { ...before, updated_at: at.occurredAt, version: at.position };
        const { event } = at;
        if (event.type === 'CallTransferred' && event.data.to.kind === 'agent') {
          after = { ...after, agent_id: event.data.to.id };
        }
        const line = lineOf(at);
        if (line !== undefined && line.text !== ERASED) {
          const { score, label } = scoreSentiment(line.text, line.language);
          scored.push({
            tenant_id: at.tenantId,
            call_id: at.callId,
            utterance_id: line.utteranceId,
            speaker: line.speaker,
            score,
            label,
            language: line.language,
            agent_id: after.agent_id,
            occurred_at: at.occurredAt,
            version: at.position,
          });
          if (line.speaker === 'caller') {
            const recent = [...after.recent_scores, score].slice(-window);
            const rolling = rollingSentiment(recent, window);
            after = {
              ...after,
              recent_scores: recent,
              average: rolling.average,
              trend: rolling.trend,
              last_score: score,
              utterances: after.utterances + 1,
              score_sum: after.score_sum + score,
              [label]: after[label] + 1,
            };
          }
        }
        calls.set(key, after);
        changed.set(key, after);
      }
      await context.readStore.insert('utterance_sentiment', scored);
      await context.readStore.insert('call_sentiment', [...changed.values()]);
    },
  };
};

export interface SentimentOverTimeOptions {
  /** One series for the tenant, or one per AI agent (utterances of calls without an agent left out). */
  readonly by: 'tenant' | 'agent';
  readonly bucket: 'hour' | 'day';
  /** [from, to) over when the utterances were spoken. */
  readonly range: TimeRange;
  /** Whose lines; the caller's by default, which is what "how do callers feel" means. */
  readonly speaker?: 'caller' | 'ai' | 'human';
  /** IANA zone the buckets are cut in (a tenant's day is its own midnight to midnight); UTC by default. */
  readonly timeZone?: string;
}

export interface SentimentPoint {
  /** Start of the bucket, as a UTC ISO instant. */
  readonly bucket: string;
  /** The agent for `by: 'agent'`; null for the tenant's series. */
  readonly agentId: string | null;
  readonly utterances: number;
  readonly calls: number;
  readonly average: number;
  readonly positive: number;
  readonly neutral: number;
  readonly negative: number;
}

const SentimentPointRow = z.object({
  bucket: ClickHouseCount.transform((seconds) => new Date(seconds * 1000).toISOString()),
  agentId: z.string().nullable(),
  utterances: ClickHouseCount,
  calls: ClickHouseCount,
  average: z.number(),
  positive: ClickHouseCount,
  neutral: ClickHouseCount,
  negative: ClickHouseCount,
});

/**
 * Sentiment of a tenant's calls over time, per hour or day, for the tenant or per agent: an aggregate over
 * utterance_sentiment at query time. Buckets without utterances are absent (a chart fills them in).
 */
export const sentimentOverTime = async (
  readStore: ReadStore,
  tenantId: string,
  options: SentimentOverTimeOptions,
): Promise<SentimentPoint[]> => {
  const { from, to } = checkRange(options.range);
  const start = options.bucket === 'hour' ? 'toStartOfHour' : 'toStartOfDay';
  const byAgent = options.by === 'agent';
  const rows = await readStore.query<unknown>(
    `SELECT toUnixTimestamp(${start}(occurred_at, {zone:String})) AS bucket,
            ${byAgent ? 'agent_id' : 'NULL'} AS agentId,
            count() AS utterances,
            uniqExact(call_id) AS calls,
            avg(score) AS average,
            countIf(label = 'positive') AS positive,
            countIf(label = 'neutral') AS neutral,
            countIf(label = 'negative') AS negative
     FROM utterance_sentiment FINAL
     WHERE tenant_id = {tenant:String} AND speaker = {speaker:String}
       AND occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
       ${byAgent ? "AND agent_id != ''" : ''}
     GROUP BY bucket${byAgent ? ', agent_id' : ''}
     ORDER BY bucket${byAgent ? ', agent_id' : ''}`,
    { tenant: tenantId, speaker: options.speaker ?? 'caller', zone: options.timeZone ?? 'UTC', from, to },
  );
  return rows.map((row) => SentimentPointRow.parse(row));
};
