import { twilioClient, type TwilioCarrierOptions } from '../telephony/carrier.js';

/** What became of a recording an erasure reached. */
export type RecordingOutcome = 'deleted' | 'already_absent' | 'no_provider';

/** Deletes a call recording of a tenant where the provider keeps it. */
export type RecordingDeleter = (tenantId: string, recordingId: string) => Promise<RecordingOutcome>;

const statusOf = (error: unknown): number | undefined => {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
};

/**
 * Twilio keeps the recordings of calls it carried, in the account that carried them: the tenant's own (a
 * `twilio` connection) or the platform's. Each account `accountsOf` gives is asked in turn through the official
 * client (DELETE /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json) until one deletes it; a 404 means
 * that account does not hold it (or no longer: an earlier erasure, a deletion in Twilio's console). Any other
 * failure is thrown, so the erasure is tried again rather than certified with a recording left behind.
 */
export const twilioRecordingDeleter = (
  accountsOf: (tenantId: string) => Promise<readonly TwilioCarrierOptions[]>,
): RecordingDeleter => {
  const clients = new Map<string, ReturnType<typeof twilioClient>>();
  const clientOf = (account: TwilioCarrierOptions) => {
    const key = `${account.accountSid}:${account.authToken}:${account.apiUrl ?? ''}`;
    const client = clients.get(key) ?? twilioClient(account);
    clients.set(key, client);
    return client;
  };
  return async (tenantId, recordingId) => {
    const accounts = await accountsOf(tenantId);
    if (accounts.length === 0) return 'no_provider';
    for (const account of accounts) {
      try {
        await clientOf(account).recordings(recordingId).remove();
        return 'deleted';
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    }
    return 'already_absent';
  };
};
