import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { EntityId, LanguageTag, TenantId } from './primitives.js';

/**
 * Whether a tenant's calls are recorded, and how callers consent:
 * - off: no call is recorded by the platform;
 * - announce: callers hear the announcement, recording starts at once, and the opt-out key or phrase stops it
 *   (and deletes what was recorded);
 * - opt_in: callers hear the announcement, and recording starts only once they press the opt-in key or say an
 *   opt-in phrase; the opt-out key or phrase still refuses.
 */
export const RecordingConsentPolicy = z.enum(['off', 'announce', 'opt_in']);
export type RecordingConsentPolicy = z.infer<typeof RecordingConsentPolicy>;

const Key = z.string().regex(/^[0-9*#]$/, 'a key is one of 0-9, * or #');
const Phrase = z.string().trim().min(2).max(60);

export const RecordingConsent = z
  .object({
    policy: RecordingConsentPolicy,
    /** The announcement per language; a language without one hears the platform's default. */
    announcements: z.record(LanguageTag, z.string().trim().min(1).max(500)).default({}),
    optOutKey: Key.default('9'),
    optOutPhrases: z.array(Phrase).min(1).max(20).default(["don't record", 'do not record', 'no grabar']),
    optInKey: Key.default('1'),
    optInPhrases: z.array(Phrase).min(1).max(20).default(['you may record', 'puede grabar']),
  })
  .superRefine((consent, ctx) => {
    if (consent.optInKey === consent.optOutKey) {
      ctx.addIssue({
        code: 'custom',
        message: 'the opt-in key must differ from the opt-out key',
        path: ['optInKey'],
      });
    }
    const optOut = new Set(consent.optOutPhrases.map((p) => p.toLowerCase()));
    consent.optInPhrases.forEach((p, index) => {
      if (optOut.has(p.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          message: `"${p}" is also an opt-out phrase`,
          path: ['optInPhrases', index],
        });
      }
    });
  });
export type RecordingConsent = z.output<typeof RecordingConsent>;

export const DEFAULT_RECORDING_CONSENT: RecordingConsent = RecordingConsent.parse({ policy: 'off' });

// The call's commands and events (category call): the consent outcome is a fact of the call's stream.

/** How the outcome was told: the announcement heard (announce), a key pressed or a phrase said. */
export const ConsentMethod = z.enum(['announcement', 'key', 'phrase']);

export const RecordRecordingConsent = defineCommand(
  'call',
  'RecordRecordingConsent',
  z.object({
    tenantId: TenantId,
    callId: EntityId,
    outcome: z.enum(['given', 'refused']),
    policy: RecordingConsentPolicy.exclude(['off']),
    method: ConsentMethod,
    /** The key pressed, when by key (the phrase said is personal data and stays in the transcript). */
    key: Key.optional(),
  }),
  "The caller's consent to recording, as the call's policy asks: given (heard the announcement, or opted in) or refused (opted out). A refusal is final for the call.",
);

const Consent = z.object({
  policy: RecordingConsentPolicy.exclude(['off']),
  method: ConsentMethod,
  key: Key.optional(),
});
export const RecordingConsentGiven = defineEvent('call', 'RecordingConsentGiven', 1, Consent);
export const RecordingConsentRefused = defineEvent('call', 'RecordingConsentRefused', 1, Consent);

/** The call's consent commands and events, listed with the call's own (call.ts). */
export const consentCommands = [RecordRecordingConsent] as const;
export const consentEvents = [RecordingConsentGiven, RecordingConsentRefused] as const;
