import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { Actor } from './envelope.js';
import { E164, Email, EntityId, IsoDateTime, TenantId } from './primitives.js';

/**
 * GDPR right to erasure (issue 18): one stream per erasure, `erasure-<tenant>.<erasureId>`. A tenant admin or
 * compliance user names a data subject; the platform's erasure worker finds the streams holding their data,
 * records that plan (stream ids only), shreds those streams' keys, removes clear text from the read store and
 * deletes recordings, then records the certificate. The subject as named is personal data, sealed with the
 * erasure stream's own key, which the worker erases last: the certificate never holds the erased data.
 */
const category = 'erasure';

/** Who the erasure is about: a phone number, an email address, or a contact of the tenant's address book. */
export const DataSubject = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('phone'), value: E164 }),
  z.object({ kind: z.literal('email'), value: Email }),
  z.object({ kind: z.literal('contact'), value: EntityId }),
]);
export type DataSubject = z.infer<typeof DataSubject>;

/**
 * A stream id of the tenant (`call-acme.CA1`): names no person, only where their data was. Or a person's part of
 * a stream shared with others, whose key is theirs alone: `campaign-acme.spring:lead:<pseudonym>` (a lead), the
 * pseudonym a keyed hash of their number, never the number.
 */
const StreamId = z
  .string()
  .regex(
    /^[a-z]+-[a-z0-9-]+\.[A-Za-z0-9][A-Za-z0-9_:-]{0,79}(:lead:[A-Za-z0-9_-]{22})?$/,
    'a stream id is <category>-<tenant>.<id>',
  );
const ERASURE_MAX_STREAMS = 100_000;

/**
 * A lead of the person's in a campaign (leads live in their campaign's stream, each sealed with its person's
 * key): the campaign's stream and the number naming the person there. Personal: the plan seals it with the
 * erasure's own key, erased last.
 */
export const PlannedLead = z.object({ stream: StreamId, phone: E164 });
export type PlannedLead = z.infer<typeof PlannedLead>;

const erasureKey = { tenantId: TenantId, erasureId: EntityId };

export const EraseDataSubject = defineCommand(
  category,
  'EraseDataSubject',
  z.object({ ...erasureKey, subject: DataSubject }),
  'Erase everything the tenant holds about a person (calls, contacts, appointments, tickets, messages, recordings); the same erasure id again changes nothing.',
);
export const PlanDataSubjectErasure = defineCommand(
  category,
  'PlanDataSubjectErasure',
  z.object({
    ...erasureKey,
    streams: z.array(StreamId).max(ERASURE_MAX_STREAMS),
    recordings: z.array(EntityId).max(ERASURE_MAX_STREAMS),
    leads: z.array(PlannedLead).max(ERASURE_MAX_STREAMS).optional(),
  }),
  'The erasure worker records which streams, campaign leads and recordings it is about to erase (the platform only).',
);

export const ErasureCertificate = z.object({
  /** The streams whose keys were shredded: their personal fields read as erased everywhere the log went. */
  streams: z.array(StreamId),
  /**
   * How many streams of each kind (call, contact, appointment, ticket, message), and `lead`: the person's leads
   * in campaigns whose keys were shredded (a campaign's stream keeps the other leads readable).
   */
  counts: z.record(z.string(), z.number().int().nonnegative()),
  /** Keys of the planned streams that are gone once the erasure is done (deleted by it, or before it). */
  keysErased: z.number().int().nonnegative(),
  /** Read-store rows whose clear text was removed, by table. */
  rows: z.record(z.string(), z.number().int().nonnegative()),
  /** Each recording and what became of it at the provider. */
  recordings: z.array(
    z.object({ recordingId: EntityId, outcome: z.enum(['deleted', 'already_absent', 'no_provider']) }),
  ),
  requestedBy: Actor,
  requestedAt: IsoDateTime,
  erasedAt: IsoDateTime,
});
export type ErasureCertificate = z.infer<typeof ErasureCertificate>;

export const CompleteDataSubjectErasure = defineCommand(
  category,
  'CompleteDataSubjectErasure',
  z.object({ ...erasureKey, certificate: ErasureCertificate }),
  'The erasure worker records what it erased (the platform only).',
);

export const DataSubjectErasureRequested = defineEvent(
  category,
  'DataSubjectErasureRequested',
  1,
  z.object({ subject: DataSubject }),
);
export const DataSubjectErasurePlanned = defineEvent(
  category,
  'DataSubjectErasurePlanned',
  1,
  // Plans recorded before leads were sealed one by one have no leads.
  z.object({
    streams: z.array(StreamId),
    recordings: z.array(EntityId),
    leads: z.array(PlannedLead).optional(),
  }),
);
export const DataSubjectErased = defineEvent(
  category,
  'DataSubjectErased',
  1,
  z.object({ certificate: ErasureCertificate }),
);

/**
 * GDPR subject access: each export of what the tenant holds about a person is recorded, one stream per export
 * (`subjectaccess-<tenant>.<exportId>`), so that the audit trail shows who exported whose data and when.
 */
export const RecordSubjectAccess = defineCommand(
  'subjectaccess',
  'RecordSubjectAccess',
  z.object({ tenantId: TenantId, exportId: EntityId, subject: DataSubject }),
  'Record that everything held about a person was exported (the compliance export does this itself).',
);
export const SubjectAccessExported = defineEvent(
  'subjectaccess',
  'SubjectAccessExported',
  1,
  z.object({ subject: DataSubject }),
);

export const erasureCommands = [
  EraseDataSubject,
  PlanDataSubjectErasure,
  CompleteDataSubjectErasure,
  RecordSubjectAccess,
] as const;
export const erasureEvents = [
  DataSubjectErasureRequested,
  DataSubjectErasurePlanned,
  DataSubjectErased,
  SubjectAccessExported,
] as const;
