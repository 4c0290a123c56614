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
 * The campaign and do-not-call states an import checks, folded with their deciders. The cache is small: a
 * 100,000-lead campaign's state is large, and imports of one campaign come in bursts.
 */
export const createImportReads = (store: EventStore) => {
  const states = createStateCache(store, 8);
  return {
    campaign: async (tenantId: string, campaignId: string): Promise<CampaignState> =>
      (await states.load(streamName('campaign', tenantId, campaignId), campaignDecider)).state,
    doNotCall: async (tenantId: string): Promise<DoNotCallState> =>
      (await states.load(streamName('donotcall', tenantId, DO_NOT_CALL_LIST), doNotCallDecider)).state,
  };
};
export type ImportReads = ReturnType<typeof createImportReads>;

/** A campaign leads can still be added to: it exists and has not ended. */
export const requireOpenCampaign = (state: CampaignState, campaignId: string): void => {
  if (state.status === 'none') {
    throw new CommandRejected(404, 'CAMPAIGN_NOT_FOUND', `no campaign ${campaignId}`, 'campaignId');
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

/** The valid leads split by the tenant's do-not-call list: those to import and how many are left out. */
export const withoutDoNotCall = (
  collector: RowCollector,
  list: DoNotCallState,
): { readonly leads: Lead[]; readonly skipped: number } => {
  const leads: Lead[] = [];
  let skipped = 0;
  for (const lead of collector.leads.values()) {
    if (isOnDoNotCallList(list, lead.phone)) skipped += 1;
    else leads.push(lead);
  }
  return { leads, skipped };
};

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
  readonly leads: readonly Lead[];
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
  if (leads.length === 0) return { importId: null, ...base, added: 0, merged: 0 };
  const importId = `import-${randomUUID()}`;
  const context = { actor, correlationId: importId };
  const chunks = Math.ceil(leads.length / LEADS_PER_CHUNK);
  for (let chunk = 0; chunk < chunks; chunk++) {
    const part = leads.slice(chunk * LEADS_PER_CHUNK, (chunk + 1) * LEADS_PER_CHUNK);
    await handler.handleTrusted(
      'StageLeads',
      { tenantId, campaignId, importId, chunk, leads: part },
      context,
    );
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
