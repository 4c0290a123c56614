import { streamName, type RetentionCutoffs } from '@ccp/schemas';
import type { ReadStore } from './read-store/port.js';

/** What a tenant's retention cutoffs reach: streams whose keys go, and recordings to delete. */
export interface RetentionReach {
  readonly streams: readonly string[];
  readonly recordings: readonly string[];
}

const callIdsEndedBefore = async (store: ReadStore, tenantId: string, before: string): Promise<string[]> =>
  (
    await store.query<{ call_id: string }>(
      `SELECT call_id FROM calls FINAL WHERE tenant_id = {tenantId:String}
        AND ended_at IS NOT NULL AND ended_at < {before:DateTime64(3, 'UTC')}`,
      { tenantId, before: new Date(before) },
    )
  ).map((row) => row.call_id);

/**
 * The tenant's data older than its cutoffs, as the read store knows it: calls that ended before
 * `transcriptsBefore` (their streams, whose keys hold what was said and who called), recordings of calls that
 * ended before `recordingsBefore`, messages sent (or created, when never sent) before `messagesBefore`. Strictly
 * before: data exactly at a cutoff is kept.
 */
export const findRetentionReach = async (
  store: ReadStore,
  tenantId: string,
  cutoffs: RetentionCutoffs,
): Promise<RetentionReach> => {
  const streams: string[] = [];
  if (cutoffs.transcriptsBefore !== undefined) {
    const calls = await callIdsEndedBefore(store, tenantId, cutoffs.transcriptsBefore);
    streams.push(...calls.map((id) => streamName('call', tenantId, id)));
  }
  if (cutoffs.messagesBefore !== undefined) {
    const messages = await store.query<{ message_id: string }>(
      `SELECT message_id FROM messages FINAL WHERE tenant_id = {tenantId:String}
        AND coalesce(sent_at, created_at) < {before:DateTime64(3, 'UTC')}`,
      { tenantId, before: new Date(cutoffs.messagesBefore) },
    );
    streams.push(...messages.map((row) => streamName('message', tenantId, row.message_id)));
  }
  let recordings: string[] = [];
  if (cutoffs.recordingsBefore !== undefined) {
    const calls = await callIdsEndedBefore(store, tenantId, cutoffs.recordingsBefore);
    const rows = await store.query<{ recording_id: string }>(
      `SELECT DISTINCT JSONExtractString(data, 'recordingId') AS recording_id FROM events
        WHERE tenant_id = {tenantId:String} AND type = 'RecordingAvailable' AND stream_id IN {streams:Array(String)}`,
      { tenantId, streams: calls.map((id) => streamName('call', tenantId, id)) },
    );
    recordings = rows.map((row) => row.recording_id).filter((id) => id !== '');
  }
  return { streams: [...new Set(streams)], recordings: [...new Set(recordings)] };
};
