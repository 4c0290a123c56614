import type { GatewayDependencies, RecordingOpening } from '../gateway.js';
import type { TenantEntry } from '../directory/directory.js';
import { CommandRefusedError } from '../conversation/commands.js';
import type { GatewayContext } from './context.js';
import { announcementOf, confirmationOf, consentAnswer } from './recording-consent.js';

/** What the caller hears after answering the consent question, in the call's language and voice. */
export interface ConsentOutcome {
  readonly outcome: 'given' | 'refused';
  readonly line: string;
  readonly language: string;
  readonly voice: string;
}

/** Whether the caller refused recording, as the call's events say (the process may have restarted since). */
export const refusedRecording = async (
  deps: GatewayDependencies,
  tenantId: string,
  callId: string,
): Promise<boolean> =>
  (await deps.readCall(tenantId, callId)).some((event) => event.type === 'RecordingConsentRefused');

/**
 * The announcement a call opens with under the tenant's policy. Under `announce` the caller who hears it and
 * stays consents (recorded now, with the announcement as how), and the recording starts after it; under
 * `opt_in` nothing is recorded until the caller agrees.
 */
export const recordingOpening = async (
  context: GatewayContext,
  tenant: TenantEntry,
  callId: string,
  language: string,
): Promise<RecordingOpening | undefined> => {
  const consent = tenant.settings.recordingConsent;
  const announcement = announcementOf(consent, language);
  if (announcement === undefined) return undefined;
  if (consent.policy === 'announce') {
    await context.send(tenant.tenantId, callId, 'RecordRecordingConsent', {
      outcome: 'given',
      policy: 'announce',
      method: 'announcement',
    });
  }
  return { announcement, start: consent.policy === 'announce' };
};

/**
 * The caller's key or words, when they answer the consent question: the outcome is recorded on the call, then
 * the carrier's recording is stopped (a refusal) or started (consent under opt_in). A recording the carrier
 * fails to stop is still never kept: its callback finds the refusal and deletes it (MediaGateway.recording).
 */
export const recordConsent = async (
  context: GatewayContext,
  callId: string,
  input: { readonly digits?: string; readonly text?: string },
): Promise<ConsentOutcome | undefined> => {
  const session = await context.sessions.sessionOrResume(callId);
  if (!session) return undefined;
  const { tenant } = session.setup;
  const consent = tenant.settings.recordingConsent;
  const answer = consentAnswer(consent, input);
  if (answer === undefined || consent.policy === 'off') return undefined;
  const speech = { language: session.currentLanguage, voice: session.voice };
  let recorded: number;
  try {
    ({ recorded } = await context.deps.commands.send(
      'RecordRecordingConsent',
      {
        tenantId: tenant.tenantId,
        callId,
        outcome: answer.outcome,
        policy: consent.policy,
        method: answer.method,
        ...(answer.key !== undefined && { key: answer.key }),
      },
      { correlationId: callId },
    ));
  } catch (error) {
    // Agreeing after refusing: the refusal stands, and the caller hears so.
    if (error instanceof CommandRefusedError && error.code === 'RECORDING_REFUSED') {
      return { outcome: 'refused', line: confirmationOf('refused', speech.language), ...speech };
    }
    throw error;
  }
  // Told again (the key pressed twice): the recording is already as the caller asked.
  if (recorded > 0) {
    const recorder = context.deps.recorder;
    try {
      if (answer.outcome === 'refused') await recorder?.stop(callId);
      else await recorder?.start(callId);
    } catch (error) {
      context.deps.log(
        `call ${callId}: the carrier's recording was not ${answer.outcome === 'refused' ? 'stopped' : 'started'}: ${String(error)}`,
      );
    }
  }
  return { outcome: answer.outcome, line: confirmationOf(answer.outcome, speech.language), ...speech };
};
