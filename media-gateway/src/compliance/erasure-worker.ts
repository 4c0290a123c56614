import {
  DataSubject,
  HoldTarget,
  leadPersonOf,
  PlannedLead,
  RetentionCutoffs,
  SYSTEM_ACTOR,
  streamName,
  parseStreamName,
  type Actor,
  type ErasureCertificate,
  type EventEnvelope,
} from '@ccp/schemas';
import {
  personSubjectOf,
  subjectOf,
  type CheckpointStore,
  type CommandHandler,
  type EventStore,
  type SubjectKeys,
} from '@ccp/command-service';
import {
  findRetentionReach,
  findSubjectHoldings,
  scrubSubjectRows,
  type ReadStore,
  type SubjectIdentifiers,
} from '@ccp/projections';
import { followLog, type LogFollower } from '../process-manager/follow-log.js';
import type { RecordingDeleter } from './recordings.js';

export const ERASURE_CHECKPOINT = 'erasures';

export interface ErasureWorkerOptions {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly handler: Pick<CommandHandler, 'handleTrusted'>;
  readonly keys: SubjectKeys;
  readonly readStore: () => ReadStore;
  readonly recordings: RecordingDeleter;
  readonly now: () => Date;
  readonly log: (message: string) => void;
  /**
   * Runs work with the read side's processors paused (those of this process): keys are shredded and rows
   * scrubbed in it, so that no batch decrypted before the shredding writes clear text after the scrub.
   */
  readonly readSidePaused?: <T>(work: () => Promise<T>) => Promise<T>;
}

interface Requested {
  readonly subject: unknown;
  readonly requestedBy: Actor;
  readonly requestedAt: string;
}

/** A person's part of a stream shared with others (a lead of a campaign, see personSubjectOf). */
const PERSON_PART = /:(lead):[A-Za-z0-9_-]{22}$/;

const kindsOf = (streams: readonly string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const stream of streams) {
    const kind = PERSON_PART.exec(stream)?.[1] ?? parseStreamName(stream)?.category ?? 'unknown';
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
};

/**
 * The erasure process manager. Each step is recorded before the next runs, so a crash resumes where it was and
 * never loses what it was about to erase: the request (who, sealed), the plan (the streams found, before any of
 * them is made unfindable), the certificate (after every key, row and recording is gone). Last, the erasure
 * stream's own key goes: whom it was about is then erased too. Every step is idempotent.
 */
export const startErasureWorker = async (options: ErasureWorkerOptions): Promise<LogFollower> => {
  const { store, handler, keys } = options;
  const requests = new Map<string, Requested>();
  /** Legal holds in force, by their stream: what they keep past the retention policy. */
  const holds = new Map<string, { readonly tenantId: string; readonly target: HoldTarget }>();
  /** Recordings an earlier erasure or retention run dealt with: a later run does not ask for them again. */
  const recordingsDone = new Set<string>();

  const send = (type: string, data: unknown, cause: EventEnvelope) =>
    handler.handleTrusted(type, data, {
      actor: SYSTEM_ACTOR,
      correlationId: cause.correlationId,
      causationId: cause.id,
    });
  const finished = async (streamId: string): Promise<boolean> =>
    (await store.readStream(streamId)).some((event) => event.type === 'DataSubjectErased');

  /**
   * The tenant's earlier subject access exports about the person: each names whom it was about (sealed in its
   * own stream), which goes with the rest. Read from the event store: the read store holds those names sealed.
   */
  const subjectAccessStreams = async (
    tenantId: string,
    identifiers: SubjectIdentifiers,
  ): Promise<string[]> => {
    const rows = await options
      .readStore()
      .query<{ stream_id: string }>(
        `SELECT DISTINCT stream_id FROM events WHERE tenant_id = {tenantId:String} AND type = 'SubjectAccessExported'`,
        { tenantId },
      );
    const named = (subject: DataSubject): boolean =>
      subject.kind === 'phone'
        ? identifiers.phones.includes(subject.value)
        : subject.kind === 'email'
          ? identifiers.emails.includes(subject.value)
          : identifiers.contactIds.includes(subject.value);
    const found: string[] = [];
    for (const { stream_id: streamId } of rows) {
      if (parseStreamName(streamId)?.tenantId !== tenantId) continue;
      const [exported] = await store.readStream(streamId);
      const subject = DataSubject.safeParse((exported?.data as { subject?: unknown } | undefined)?.subject);
      if (subject.success && named(subject.data)) found.push(streamId);
    }
    return found;
  };

  const plan = async (event: EventEnvelope): Promise<void> => {
    const subject = DataSubject.safeParse(requests.get(event.streamId)?.subject);
    // Erased already (this is a replay): whom it was about is no longer known, and nothing is left to plan.
    if (!subject.success || (await finished(event.streamId))) return;
    const erasureId = parseStreamName(event.streamId)?.id ?? '';
    const held = await findSubjectHoldings(options.readStore(), event.tenantId, subject.data);
    const exports = await subjectAccessStreams(event.tenantId, held.identifiers);
    // Each lead's own key, named as a part of its campaign's stream (a pseudonym of the number, never the number).
    const leadParts = held.leads.map(
      (lead) => personSubjectOf(keys, event.tenantId, lead.stream, leadPersonOf(lead.phone)).part,
    );
    await send(
      'PlanDataSubjectErasure',
      {
        tenantId: event.tenantId,
        erasureId,
        streams: [...held.streams, ...exports, ...leadParts],
        recordings: held.recordings,
        // Their numbers, sealed in the plan with the erasure's own key: a crash after the lead rows are scrubbed
        // still scrubs them by number (a contact's numbers are no longer found once the contact is scrubbed).
        leads: held.leads,
      },
      event,
    );
  };

  /** What the tenant's legal holds keep: streams and recordings, found as an erasure would find them. */
  const held = async (tenantId: string): Promise<{ streams: Set<string>; recordings: Set<string> }> => {
    const streams = new Set<string>();
    const recordings = new Set<string>();
    for (const hold of holds.values()) {
      if (hold.tenantId !== tenantId) continue;
      if (hold.target.kind === 'call') {
        const stream = streamName('call', tenantId, hold.target.callId);
        streams.add(stream);
        for (const event of await store.readStream(stream)) {
          const id = (event.data as { recordingId?: unknown } | undefined)?.recordingId;
          if (event.type === 'RecordingAvailable' && typeof id === 'string') recordings.add(id);
        }
      } else {
        const holding = await findSubjectHoldings(options.readStore(), tenantId, hold.target.subject);
        for (const stream of holding.streams) streams.add(stream);
        for (const id of holding.recordings) recordings.add(id);
      }
    }
    return { streams, recordings };
  };

  /**
   * A retention run: what the cutoffs reach, but what a legal hold keeps, and what is gone already (a stream
   * whose key an erasure or an earlier run shredded, a recording already dealt with) is not planned again.
   */
  const planRetention = async (event: EventEnvelope): Promise<void> => {
    if (await finished(event.streamId)) return;
    const cutoffs = RetentionCutoffs.parse((event.data as { cutoffs?: unknown }).cutoffs);
    const reach = await findRetentionReach(options.readStore(), event.tenantId, cutoffs);
    const kept = await held(event.tenantId);
    await send(
      'PlanDataSubjectErasure',
      {
        tenantId: event.tenantId,
        erasureId: parseStreamName(event.streamId)?.id ?? '',
        streams: reach.streams.filter(
          (stream) =>
            !kept.streams.has(stream) && keys.existingKey(subjectOf(event.tenantId, stream)) !== undefined,
        ),
        recordings: reach.recordings.filter((id) => !kept.recordings.has(id) && !recordingsDone.has(id)),
      },
      event,
    );
  };

  const erase = async (
    event: EventEnvelope<{
      type: string;
      data: { streams: string[]; recordings: string[]; leads?: unknown };
    }>,
  ) => {
    if (await finished(event.streamId)) return;
    const request = requests.get(event.streamId);
    const subject = DataSubject.safeParse(request?.subject);
    const { streams, recordings } = event.data;
    // A plan recorded before leads were planned has none.
    const leads = PlannedLead.array().safeParse(event.data.leads ?? []);
    // Recordings first: they are the one step an outside service can hold back, and a provider that is down then
    // delays the erasure before any of it is done, so the try that succeeds counts all it did.
    const deleted: ErasureCertificate['recordings'] = [];
    for (const recordingId of recordings)
      deleted.push({ recordingId, outcome: await options.recordings(event.tenantId, recordingId) });
    // Leads have no stream of their own: their rows are found by the numbers named (see scrubSubjectRows).
    const phones = new Set(subject.success && subject.data.kind === 'phone' ? [subject.data.value] : []);
    for (const lead of leads.success ? leads.data : []) phones.add(lead.phone);
    // Each campaign forgets her leads first, through its stream: every fold of it held in memory (the command
    // handler's, the dialer's) then stops dialling them, which shredding the keys alone would not tell them.
    const byCampaign = new Map<string, string[]>();
    for (const lead of leads.success ? leads.data : [])
      byCampaign.set(lead.stream, [...(byCampaign.get(lead.stream) ?? []), lead.phone]);
    for (const [stream, numbers] of byCampaign) {
      const campaignId = parseStreamName(stream)?.id ?? '';
      for (let i = 0; i < numbers.length; i += 100)
        await send(
          'EraseCampaignLeads',
          { tenantId: event.tenantId, campaignId, phones: numbers.slice(i, i + 100) },
          event,
        );
    }
    const paused = options.readSidePaused ?? (<T>(work: () => Promise<T>) => work());
    const rows = await paused(async () => {
      for (const stream of streams) keys.erase(subjectOf(event.tenantId, stream));
      return scrubSubjectRows(options.readStore(), event.tenantId, streams, [...phones]);
    });
    // Counted as gone, not as deleted by this try: one that failed while scrubbing already deleted them.
    const keysErased = streams.filter(
      (stream) => keys.existingKey(subjectOf(event.tenantId, stream)) === undefined,
    ).length;
    const certificate: ErasureCertificate = {
      streams,
      counts: kindsOf(streams),
      keysErased,
      rows,
      recordings: deleted,
      requestedBy: request?.requestedBy ?? SYSTEM_ACTOR,
      requestedAt: request?.requestedAt ?? event.occurredAt,
      erasedAt: options.now().toISOString(),
    };
    const erasureId = parseStreamName(event.streamId)?.id ?? '';
    await send('CompleteDataSubjectErasure', { tenantId: event.tenantId, erasureId, certificate }, event);
  };

  return followLog({
    store,
    checkpoints: options.checkpoints,
    checkpointName: ERASURE_CHECKPOINT,
    firstStart: 'log-start',
    name: 'erasures',
    folds: (streamId) => streamId.startsWith('erasure-') || streamId.startsWith('legalhold-'),
    apply: (event) => {
      if (event.type === 'DataSubjectErasureRequested')
        requests.set(event.streamId, {
          subject: (event.data as { subject: unknown }).subject,
          requestedBy: event.actor,
          requestedAt: event.occurredAt,
        });
      if (event.type === 'LegalHoldPlaced') {
        // A hold whose target was erased with its key reads as erased: it keeps nothing any more.
        const target = HoldTarget.safeParse((event.data as { target?: unknown }).target);
        if (target.success) holds.set(event.streamId, { tenantId: event.tenantId, target: target.data });
      }
      if (event.type === 'LegalHoldReleased') holds.delete(event.streamId);
      if (event.type === 'DataSubjectErased') {
        const { certificate } = event.data as { certificate: ErasureCertificate };
        for (const recording of certificate.recordings) recordingsDone.add(recording.recordingId);
      }
    },
    react: async (event) => {
      switch (event.type) {
        case 'DataSubjectErasureRequested':
          return plan(event);
        case 'RetentionErasureRequested':
          return planRetention(event);
        case 'DataSubjectErasurePlanned':
          return erase(event as Parameters<typeof erase>[0]);
        case 'DataSubjectErased':
          // Last: the request's own key, so that whom the erasure was about is erased as well.
          keys.erase(subjectOf(event.tenantId, event.streamId));
          requests.delete(event.streamId);
          return;
      }
    },
    log: options.log,
  });
};
