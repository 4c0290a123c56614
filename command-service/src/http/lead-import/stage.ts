import { randomUUID } from 'node:crypto';
import {
  decodeEvent,
  DO_NOT_CALL_LIST,
  LEADS_PER_CHUNK,
  streamName,
  type Actor,
  type Lead,
} from '@ccp/schemas';
import type { CommandHandler, CommandResult } from '../../application/command-handler.js';
import { CommandRejected } from '../../application/errors.js';
import { createStateCache } from '../../application/state-cache.js';
import { campaignDecider, type CampaignState } from '../../domain/campaign/index.js';
import { doNotCallDecider, isOnDoNotCallList, type DoNotCallState } from '../../domain/do-not-call.js';
import type { EventStore } from '../../event-store/port.js';
import type { RowCollector } from './collector.js';

export interface ImportPreview {
  readonly rows: number;
  readonly valid: number;
  readonly duplicates: number;
  readonly doNotCall: number;
  readonly willImport: number;
}

export interface ImportOutcome {
  /** Absent when every number was on the do-not-call list: nothing was staged. */
  readonly importId: string | null;
  readonly rows: number;
  readonly added: number;
  readonly merged: number;
  readonly skippedDoNotCall: number;
}

/**
 * The campaign and do-not-call states an import checks, folded with their deciders and kept between requests
 * (a preview and its import read the same streams). Campaigns get a cache of two: the state of a
 * 100,000-lead campaign is large, and imports of one campaign come in bursts.
 */
export const createImportReads = (store: EventStore) => {
  const campaigns = createStateCache(store, 2);
  const lists = createStateCache(store, 64);
  return {
    campaign: async (tenantId: string, campaignId: string): Promise<CampaignState> =>
      (await campaigns.load(streamName('campaign', tenantId, campaignId), campaignDecider)).state,
    doNotCall: async (tenantId: string): Promise<DoNotCallState> =>
      (await lists.load(streamName('donotcall', tenantId, DO_NOT_CALL_LIST), doNotCallDecider)).state,
  };
};
export type ImportReads = ReturnType<typeof createImportReads>;

/** A campaign leads can still be added to: it exists, is not the callbacks campaign, and has not ended. */
export const requireOpenCampaign = (state: CampaignState, campaignId: string): void => {
  if (state.status === 'none') {
    throw new CommandRejected(404, 'CAMPAIGN_NOT_FOUND', `no campaign ${campaignId}`, 'campaignId');
  }
  // Its leads each name the agent and number of the call a callback was promised on; a file's leads cannot.
  if (state.kind === 'callbacks') {
    throw new CommandRejected(
      422,
      'CALLBACKS_CAMPAIGN',
      `campaign ${campaignId} dials promised callbacks: import leads into a campaign of your own`,
      'campaignId',
    );
  }
  if (state.status === 'completed' || state.status === 'cancelled') {
    throw new CommandRejected(
      422,
      'CAMPAIGN_ENDED',
      `campaign ${campaignId} is ${state.status}: leads cannot be added`,
      'campaignId',
    );
  }
};

/**
 * Leaves the numbers on the tenant's do-not-call list out of the file's leads; returns how many there were.
 */
export const leaveOutDoNotCall = (collector: RowCollector, list: DoNotCallState): number => {
  let skipped = 0;
  // Deleting the entry just visited is safe while iterating a Map.
  for (const phone of collector.leads.keys()) {
    if (isOnDoNotCallList(list, phone)) {
      collector.leads.delete(phone);
      skipped += 1;
    }
  }
  return skipped;
};

/** Takes the leads out chunk by chunk, so that each is let go once staged rather than held to the end. */
function* drainChunks(leads: Map<string, Lead>, size: number): Generator<Lead[]> {
  let chunk: Lead[] = [];
  for (const [phone, lead] of leads) {
    chunk.push(lead);
    leads.delete(phone);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

export const previewOf = (collector: RowCollector, leads: number, skipped: number): ImportPreview => ({
  rows: collector.rows,
  valid: collector.rows - collector.invalidRows,
  duplicates: collector.duplicates,
  doNotCall: skipped,
  willImport: leads,
});

export interface StageRequest {
  readonly tenantId: string;
  readonly campaignId: string;
  readonly actor: Actor;
  /** The leads to import; emptied as they are staged. */
  readonly leads: Map<string, Lead>;
  readonly rows: number;
  readonly skippedDoNotCall: number;
  readonly source: 'csv' | 'json';
  readonly fileName?: string;
}

/**
 * Stages the leads chunk by chunk under one new import id, then commits the import. The commands are the
 * platform's own (system-only routes): the caller was authorized for the import itself. Should anything fail
 * before the commit (a refusal, a crash), the staged chunks stay in the stream without effect: the decider
 * counts leads only from committed imports, and the id is never used again.
 */
export const stageAndCommit = async (
  handler: CommandHandler,
  store: EventStore,
  request: StageRequest,
): Promise<ImportOutcome> => {
  const { tenantId, campaignId, actor, leads } = request;
  const base = { rows: request.rows, skippedDoNotCall: request.skippedDoNotCall };
  if (leads.size === 0) return { importId: null, ...base, added: 0, merged: 0 };
  const importId = `import-${randomUUID()}`;
  const context = { actor, correlationId: importId };
  let chunks = 0;
  for (const part of drainChunks(leads, LEADS_PER_CHUNK)) {
    await handler.handleTrusted(
      'StageLeads',
      { tenantId, campaignId, importId, chunk: chunks, leads: part },
      context,
    );
    chunks += 1;
  }
  const committed = await handler.handleTrusted(
    'CommitLeadImport',
    {
      tenantId,
      campaignId,
      importId,
      chunks,
      ...base,
      source: request.source,
      ...(request.fileName !== undefined && { fileName: request.fileName }),
    },
    context,
  );
  const imported = await importedEvent(store, committed);
  return { importId, ...base, added: imported.added, merged: imported.merged };
};

/** The LeadsImported event the commit appended, read back for its counts (the decider's, not a guess). */
const importedEvent = async (
  store: EventStore,
  committed: CommandResult,
): Promise<{ added: number; merged: number }> => {
  const id = committed.events.find((e) => e.type === 'LeadsImported')?.id;
  // The commit appends that one event: it sits at the revision the append reported.
  const [recorded] =
    committed.nextRevision === null
      ? []
      : await store.readStream(committed.streamId, { fromRevision: committed.nextRevision, maxCount: 1 });
  const decoded = recorded?.id === id && recorded !== undefined ? decodeEvent(recorded) : undefined;
  if (!decoded?.ok || decoded.value.type !== 'LeadsImported') {
    throw new Error(
      `the import into ${committed.streamId} was committed but its LeadsImported event is not readable`,
    );
  }
  const data = decoded.value.data as { added: number; merged: number };
  return { added: data.added, merged: data.merged };
};
