import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { DataSubject } from './erasure.js';
import { EntityId, IsoDateTime, TenantId } from './primitives.js';

/**
 * GDPR retention (issue 18): how long a tenant keeps each kind of personal data, and legal holds that keep some
 * of it past that. The policy is one stream per tenant (`retention-<tenant>.policy`), each hold one stream
 * (`legalhold-<tenant>.<holdId>`). Retention is applied through the erasure path: each day the platform asks for a
 * retention erasure (ApplyRetention, on an `erasure-<tenant>.<id>` stream) with the cutoffs the policy gives, and
 * the erasure worker plans, shreds and certifies it as it does a data subject's erasure.
 */

/** Days to keep; absent (or null) keeps forever. At most ten years. */
const Days = z.number().int().min(1).max(3650).nullable().optional();

export const RetentionPolicy = z.strictObject({
  /** Call recordings, counted from the end of the call. */
  recordingsDays: Days,
  /** What callers said and everything personal about a call (its transcript, numbers, notes): its keys go. */
  transcriptsDays: Days,
  /** SMS, WhatsApp and email messages to and from contacts, counted from when they were sent. */
  messagesDays: Days,
});
export type RetentionPolicy = z.infer<typeof RetentionPolicy>;

export const SetRetentionPolicy = defineCommand(
  'retention',
  'SetRetentionPolicy',
  z.object({ tenantId: TenantId, policy: RetentionPolicy }),
  'Set how many days the tenant keeps recordings, transcripts and messages (absent: kept); applied daily.',
);
export const RetentionPolicySet = defineEvent(
  'retention',
  'RetentionPolicySet',
  1,
  z.object({ policy: RetentionPolicy }),
);

/** What a legal hold keeps: one call, or everything about a person. */
export const HoldTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('call'), callId: EntityId }),
  z.object({ kind: z.literal('subject'), subject: DataSubject }),
]);
export type HoldTarget = z.infer<typeof HoldTarget>;

const holdKey = { tenantId: TenantId, holdId: EntityId };

export const PlaceLegalHold = defineCommand(
  'legalhold',
  'PlaceLegalHold',
  z.object({ ...holdKey, target: HoldTarget, reason: z.string().trim().min(1).max(500) }),
  'Keep a call, or everything about a person, past the retention policy until the hold is released.',
);
export const ReleaseLegalHold = defineCommand(
  'legalhold',
  'ReleaseLegalHold',
  z.object(holdKey),
  'Release a legal hold: what it kept is then subject to the retention policy again.',
);
export const LegalHoldPlaced = defineEvent(
  'legalhold',
  'LegalHoldPlaced',
  1,
  z.object({ target: HoldTarget, reason: z.string() }),
);
export const LegalHoldReleased = defineEvent('legalhold', 'LegalHoldReleased', 1, z.object({}));

/** Data older than these instants goes; absent, that kind is kept. */
export const RetentionCutoffs = z.strictObject({
  recordingsBefore: IsoDateTime.optional(),
  transcriptsBefore: IsoDateTime.optional(),
  messagesBefore: IsoDateTime.optional(),
});
export type RetentionCutoffs = z.infer<typeof RetentionCutoffs>;

export const ApplyRetention = defineCommand(
  'erasure',
  'ApplyRetention',
  z.object({
    tenantId: TenantId,
    erasureId: EntityId,
    cutoffs: RetentionCutoffs.refine((c) => Object.keys(c).length > 0, 'name at least one cutoff'),
  }),
  "Erase what the tenant's retention policy no longer keeps (the platform, daily); the same id again changes nothing.",
);
export const RetentionErasureRequested = defineEvent(
  'erasure',
  'RetentionErasureRequested',
  1,
  z.object({ cutoffs: RetentionCutoffs }),
);

export const retentionCommands = [
  SetRetentionPolicy,
  PlaceLegalHold,
  ReleaseLegalHold,
  ApplyRetention,
] as const;
export const retentionEvents = [
  RetentionPolicySet,
  LegalHoldPlaced,
  LegalHoldReleased,
  RetentionErasureRequested,
] as const;
