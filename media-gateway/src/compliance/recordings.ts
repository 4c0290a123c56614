import { twilioClient, type TwilioCarrierOptions } from '../telephony/carrier.js';

/** What became of a recording an erasure reached. */
export type RecordingOutcome = 'deleted' | 'already_absent' | 'no_provider';

/** Deletes a call recording where the provider keeps it. */
export type RecordingDeleter = (recordingId: string) => Promise<RecordingOutcome>;

const statusOf = (error: unknown): number | undefined => {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
};

/**
 * Twilio keeps the recordings of calls it carried: deleted through the official client (DELETE
 * /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json). A 404 means it is gone already (an earlier erasure,
 * a deletion in Twilio's console), which is what was asked; any other failure is thrown, so the erasure is tried
 * again rather than certified with a recording left behind.
 */
export const twilioRecordingDeleter = (options: TwilioCarrierOptions): RecordingDeleter => {
  const client = twilioClient(options);
  return async (recordingId) => {
    try {
      await client.recordings(recordingId).remove();
      return 'deleted';
    } catch (error) {
      if (statusOf(error) === 404) return 'already_absent';
      throw error;
    }
  };
};

/** Without a provider account (the embedded local carrier keeps no recordings) nothing can be deleted. */
export const noRecordingProvider: RecordingDeleter = () => Promise.resolve('no_provider');
