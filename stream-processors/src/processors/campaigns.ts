import { z } from 'zod';
import {
  campaignEvents,
  doNotCallEvents,
  ERASED,
  parseStreamName,
  type EventOf,
  type Lead,
} from '@ccp/schemas';
import type { InsertRow, ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import type { Processor, ProcessorContext } from '../processor.js';
import { utcInstant } from './call-stream.js';
import { ClickHouseCount, ClickHouseInstant } from './read-rows.js';
import { idsByTenant, loadRows } from './row-fold.js';

/**
 * Outbound campaigns on the read side (016_campaigns): each campaign's settings and status, its leads and
 * committed imports, every dial attempt, and each tenant's do-not-call list.
 *
 * Leads are written as LeadsStaged delivers them, one row per lead and import; reads count only the rows whose
 * import LeadsImported committed (campaign_imports), so an import abandoned half-way never shows. Campaign,
 * attempt and do-not-call rows are read, changed and written back whole; an event at or below a row's version
 * changes nothing, so a redelivered batch or a rebuild from position 0 leaves the same rows.
 *
 * Personal data: the event store hands the processor the leads' numbers and names decrypted. A subject erased
 * before the processor read it reads '[erased]': one lead of a chunk (each is sealed with its own person's
 * key), or the whole field in chunks written before that and in the numbers of a do-not-call change. Nothing
 * in it can be told apart any more, not even the lead id, so no row is written for it (a rebuild after an
 * erasure does not bring the lead back), and the attempts of those leads still count.
 */

export const CAMPAIGNS = 'campaigns';

type CampaignEvent = EventOf<(typeof campaignEvents)[number]>;
type DoNotCallEvent = EventOf<(typeof doNotCallEvents)[number]>;
const CAMPAIGN_TYPES: ReadonlySet<string> = new Set(campaignEvents.map((d) => d.type));
const DO_NOT_CALL_TYPES: ReadonlySet<string> = new Set(doNotCallEvents.map((d) => d.type));

interface At<E> {
  readonly tenantId: string;
  /** The campaign's id, or the do-not-call list's. */
  readonly id: string;
  readonly event: E;
  readonly position: number;
  readonly occurredAt: string;
}

/**
 * The bus validated and upcast every event it delivers, so its data is typed by `type` alone; it is not parsed
 * again because an erased personal field reads '[erased]' whatever its schema.
 */
const eventsOf = <E>(batch: readonly BusEvent[], category: string, types: ReadonlySet<string>): At<E>[] =>
  batch.flatMap(({ envelope, position }) => {
    const stream = parseStreamName(envelope.streamId);
    if (stream?.category !== category || !types.has(envelope.type)) return [];
    const event = { type: envelope.type, data: envelope.data } as E;
    return [
      {
        tenantId: envelope.tenantId,
        id: stream.id,
        event,
        position,
        occurredAt: utcInstant(envelope.occurredAt),
      },
    ];
  });

const key = (...parts: readonly string[]): string => parts.join('\u0000');

const CampaignRow = z.object({
  tenant_id: z.string(),
  campaign_id: z.string(),
  kind: z.string(),
  name: z.string(),
  status: z.string(),
  settings: z.string(),
  revision: ClickHouseCount,
  paused_reason: z.string(),
  created_at: ClickHouseInstant,
  updated_at: ClickHouseInstant,
  version: ClickHouseCount,
});
type CampaignRow = z.output<typeof CampaignRow>;

const AttemptRow = z.object({
  tenant_id: z.string(),
  campaign_id: z.string(),
  attempt_id: z.string(),
  lead_id: z.string(),
  attempt: ClickHouseCount,
  seq: ClickHouseCount,
  caller_id: z.string(),
  started_at: ClickHouseInstant,
  call_id: z.string(),
  ended_at: ClickHouseInstant.nullable(),
  outcome: z.string(),
  reason: z.string(),
  retry_at: ClickHouseInstant.nullable(),
  version: ClickHouseCount,
});
type AttemptRow = z.output<typeof AttemptRow>;

const DoNotCallRow = z.object({
  tenant_id: z.string(),
  number: z.string(),
  source: z.string(),
  added_at: ClickHouseInstant,
  first_added_at: ClickHouseInstant,
  call_id: z.string(),
  removed: ClickHouseCount,
  version: ClickHouseCount,
});
type DoNotCallRow = z.output<typeof DoNotCallRow>;

const idsOfEvents = <E>(events: readonly At<E>[], idOf: (at: At<E>) => readonly string[]) =>
  idsByTenant(events, (at) => at.tenantId, idOf);

/** The campaign row after one more of its events; the same row when the event does not change it. */
const applyToCampaign = (row: CampaignRow | undefined, at: At<CampaignEvent>): CampaignRow | undefined => {
  const { event } = at;
  if (row === undefined) {
    if (event.type !== 'CampaignCreated') return undefined;
    const { kind, ...settings } = event.data;
    return {
      tenant_id: at.tenantId,
      campaign_id: at.id,
      kind,
      name: settings.name,
      status: 'draft',
      settings: JSON.stringify(settings),
      revision: 1,
      paused_reason: '',
      created_at: at.occurredAt,
      updated_at: at.occurredAt,
      version: at.position,
    };
  }
  if (at.position <= row.version) return row;
  const changed = (change: Partial<CampaignRow>): CampaignRow => ({
    ...row,
    ...change,
    updated_at: at.occurredAt,
    version: at.position,
  });
  switch (event.type) {
    case 'CampaignUpdated': {
      const settings = { ...(JSON.parse(row.settings) as Record<string, unknown>), ...event.data.changes };
      return changed({
        settings: JSON.stringify(settings),
        name: event.data.changes.name ?? row.name,
        revision: event.data.revision,
      });
    }
    case 'CampaignScheduled':
      return changed({ status: 'scheduled' });
    case 'CampaignStarted':
      return changed({ status: 'running' });
    case 'CampaignPaused':
      return changed({ status: 'paused', paused_reason: event.data.reason ?? '' });
    case 'CampaignResumed':
      return changed({ status: 'running', paused_reason: '' });
    case 'CampaignCompleted':
      return changed({ status: 'completed', paused_reason: '' });
    case 'CampaignCancelled':
      return changed({ status: 'cancelled', paused_reason: '' });
    default:
      return row;
  }
};

const leadRow = (at: At<CampaignEvent>, importId: string, lead: Lead): InsertRow => ({
  tenant_id: at.tenantId,
  campaign_id: at.id,
  lead_id: lead.leadId,
  import_id: importId,
  phone: lead.phone,
  name: lead.name ?? '',
  language: lead.language ?? '',
  country: lead.country ?? '',
  time_zones: lead.timeZones,
  variables: JSON.stringify(lead.variables),
  due_at: lead.dueAt === undefined ? null : utcInstant(lead.dueAt),
  source_call_id: lead.sourceCallId ?? '',
  staged_at: at.occurredAt,
  version: at.position,
});

/** Lead and import rows: written as the events say, keyed so that a redelivery replaces them with themselves. */
const leadAndImportRows = (events: readonly At<CampaignEvent>[], log: (message: string) => void) => {
  const leads: InsertRow[] = [];
  const imports: InsertRow[] = [];
  for (const at of events) {
    const { event } = at;
    if (event.type === 'LeadsStaged') {
      // Typed as leads, but an erased subject reads '[erased]' in their place (or in a lead's place).
      const staged: unknown = event.data.leads;
      if (Array.isArray(staged)) {
        for (const lead of staged as unknown[])
          if (typeof lead === 'object' && lead !== null)
            leads.push(leadRow(at, event.data.importId, lead as Lead));
      } else
        log(`${CAMPAIGNS}: the leads of import ${event.data.importId} of ${at.id} are ${String(staged)}`);
    } else if (event.type === 'CallbackDialScheduled') {
      const lead: unknown = event.data.lead;
      // A callback joins the campaign at once: no import to wait for.
      if (lead !== ERASED && typeof lead === 'object') leads.push(leadRow(at, '', event.data.lead));
    } else if (event.type === 'LeadsImported') {
      imports.push({
        tenant_id: at.tenantId,
        campaign_id: at.id,
        import_id: event.data.importId,
        rows: event.data.rows,
        added: event.data.added,
        merged: event.data.merged,
        skipped_do_not_call: event.data.skippedDoNotCall,
        source: event.data.source,
        file_name: event.data.fileName ?? '',
        imported_at: at.occurredAt,
        version: at.position,
      });
    }
  }
  return { leads, imports };
};

/** The attempt row after one more of its events. */
const applyToAttempt = (row: AttemptRow | undefined, at: At<CampaignEvent>): AttemptRow | undefined => {
  const { event } = at;
  if (row !== undefined && at.position <= row.version) return row;
  const base = (attemptId: string, leadId: string, attempt: number): AttemptRow =>
    row ?? {
      tenant_id: at.tenantId,
      campaign_id: at.id,
      attempt_id: attemptId,
      lead_id: leadId,
      attempt,
      seq: at.position,
      caller_id: '',
      started_at: at.occurredAt,
      call_id: '',
      ended_at: null,
      outcome: '',
      reason: '',
      retry_at: null,
      version: at.position,
    };
  switch (event.type) {
    case 'DialStarted': {
      const { attemptId, leadId, attempt, callerId } = event.data;
      return { ...base(attemptId, leadId, attempt), caller_id: callerId, version: at.position };
    }
    case 'DialPlaced':
      // A placement without its start is not an attempt this projection can place in a lead's history.
      return row === undefined ? undefined : { ...row, call_id: event.data.callId, version: at.position };
    case 'DialEnded': {
      const { attemptId, leadId, attempt, outcome, callId, reason, retryAt } = event.data;
      const started = base(attemptId, leadId, attempt);
      return {
        ...started,
        call_id: callId ?? started.call_id,
        ended_at: at.occurredAt,
        outcome,
        reason: reason ?? '',
        retry_at: retryAt === undefined ? null : utcInstant(retryAt),
        version: at.position,
      };
    }
    default:
      return row;
  }
};

const attemptIdOf = (event: CampaignEvent): string | undefined =>
  event.type === 'DialStarted' || event.type === 'DialPlaced' || event.type === 'DialEnded'
    ? event.data.attemptId
    : undefined;

/** The numbers of a do-not-call change, or none when its subject was erased. */
const numbersOf = (event: DoNotCallEvent): readonly string[] => {
  const numbers: unknown = event.data.numbers;
  return Array.isArray(numbers) ? event.data.numbers : [];
};

const applyToNumber = (
  row: DoNotCallRow | undefined,
  number: string,
  at: At<DoNotCallEvent>,
): DoNotCallRow | undefined => {
  if (row !== undefined && at.position <= row.version) return row;
  const { event } = at;
  if (event.type === 'DoNotCallAdded') {
    return {
      tenant_id: at.tenantId,
      number,
      source: event.data.source,
      added_at: at.occurredAt,
      first_added_at: row?.first_added_at ?? at.occurredAt,
      call_id: event.data.callId ?? '',
      removed: 0,
      version: at.position,
    };
  }
  return row === undefined ? undefined : { ...row, removed: 1, version: at.position };
};

/** Applies `apply` to the loaded rows in event order and returns the rows that changed. */
const fold = <R, E>(
  rows: Map<string, R>,
  steps: readonly { readonly key: string; readonly at: E }[],
  apply: (row: R | undefined, at: E) => R | undefined,
): R[] => {
  const changed = new Map<string, R>();
  for (const step of steps) {
    const before = rows.get(step.key);
    const after = apply(before, step.at);
    if (after !== undefined && after !== before) {
      rows.set(step.key, after);
      changed.set(step.key, after);
    }
  }
  return [...changed.values()];
};

const writeCampaignEvents = async (
  readStore: ReadStore,
  events: readonly At<CampaignEvent>[],
  log: (message: string) => void,
): Promise<void> => {
  const lifecycle = events.filter((at) => attemptIdOf(at.event) === undefined);
  const loadedCampaigns = await loadRows(
    readStore,
    'campaigns',
    'campaign_id',
    idsOfEvents(lifecycle, (at) => [at.id]),
    CampaignRow,
  );
  const campaigns = fold(
    new Map(loadedCampaigns.map((row) => [key(row.tenant_id, row.campaign_id), row])),
    lifecycle.map((at) => ({ key: key(at.tenantId, at.id), at })),
    applyToCampaign,
  );

  const dials = events.flatMap((at) => {
    const attemptId = attemptIdOf(at.event);
    return attemptId === undefined ? [] : [{ key: key(at.tenantId, at.id, attemptId), attemptId, at }];
  });
  const attemptIds = new Map<string, Set<string>>();
  for (const { at, attemptId } of dials) {
    attemptIds.set(at.tenantId, (attemptIds.get(at.tenantId) ?? new Set()).add(attemptId));
  }
  const loadedAttempts = await loadRows(readStore, 'campaign_attempts', 'attempt_id', attemptIds, AttemptRow);
  const attempts = fold(
    new Map(loadedAttempts.map((row) => [key(row.tenant_id, row.campaign_id, row.attempt_id), row])),
    dials,
    applyToAttempt,
  );

  const { leads, imports } = leadAndImportRows(events, log);
  // Leads before imports: a reader never sees a committed import whose leads are not written yet.
  if (leads.length > 0) await readStore.insert('campaign_leads', leads);
  if (imports.length > 0) await readStore.insert('campaign_imports', imports);
  if (campaigns.length > 0) await readStore.insert('campaigns', campaigns);
  if (attempts.length > 0) await readStore.insert('campaign_attempts', attempts);
};

const writeDoNotCallEvents = async (readStore: ReadStore, events: readonly At<DoNotCallEvent>[]) => {
  const loaded = await loadRows(
    readStore,
    'do_not_call',
    'number',
    idsOfEvents(events, (at) => numbersOf(at.event)),
    DoNotCallRow,
  );
  const changed = fold(
    new Map(loaded.map((row) => [key(row.tenant_id, row.number), row])),
    events.flatMap((at) =>
      numbersOf(at.event).map((number) => ({ key: key(at.tenantId, number), at: { at, number } })),
    ),
    (row, { at, number }) => applyToNumber(row, number, at),
  );
  if (changed.length > 0) await readStore.insert('do_not_call', changed);
};

export const createCampaignsProcessor = (): Processor => ({
  name: CAMPAIGNS,
  categories: ['campaign', 'donotcall'],
  tables: ['campaigns', 'campaign_leads', 'campaign_imports', 'campaign_attempts', 'do_not_call'],
  async handle(batch: readonly BusEvent[], context: ProcessorContext): Promise<void> {
    const campaignEventsAt = eventsOf<CampaignEvent>(batch, 'campaign', CAMPAIGN_TYPES);
    if (campaignEventsAt.length > 0)
      await writeCampaignEvents(context.readStore, campaignEventsAt, context.log);
    const doNotCallAt = eventsOf<DoNotCallEvent>(batch, 'donotcall', DO_NOT_CALL_TYPES);
    if (doNotCallAt.length > 0) await writeDoNotCallEvents(context.readStore, doNotCallAt);
  },
});
