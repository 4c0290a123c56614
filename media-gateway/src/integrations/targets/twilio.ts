import { z } from 'zod';
import {
  MAX_JSON_ANSWER_BYTES,
  readBounded,
  resultOfError,
  resultOfResponse,
  testResultOf,
} from '../http-result.js';
import type { IntegrationTarget, TestResult } from '../port.js';
import type { TargetDeps } from './index.js';

const TWILIO_API = 'https://api.twilio.com';

/** The parts of Twilio's Account resource the test reads. */
const Account = z.object({ status: z.string().optional(), friendly_name: z.string().optional() });

/**
 * A tenant's own Twilio account: nothing is delivered to it (calls and messages go through it instead, see
 * tenant-twilio.ts); the test fetches the Account resource with the SID and auth token, which Twilio answers
 * only to that account's own credentials.
 */
export const twilioTarget = (deps: Pick<TargetDeps, 'fetch' | 'twilioApiUrl'>): IntegrationTarget => ({
  kinds: ['twilio'],
  actions: [],
  deliver: () =>
    Promise.resolve({
      ok: false,
      errorKind: 'client_error',
      error: 'a Twilio account takes no deliveries',
      retryable: false,
    }),
  test: async (connection, secrets, signal): Promise<TestResult> => {
    if (connection.settings.kind !== 'twilio') return { ok: false, message: 'not a Twilio connection' };
    const sid = connection.settings.accountSid;
    const base = (deps.twilioApiUrl ?? TWILIO_API).replace(/\/$/, '');
    const basic = Buffer.from(`${sid}:${secrets['authToken'] ?? ''}`).toString('base64');
    try {
      const response = await deps.fetch(`${base}/2010-04-01/Accounts/${sid}.json`, {
        headers: { authorization: `Basic ${basic}`, accept: 'application/json' },
        signal,
      });
      const body = await readBounded(response, MAX_JSON_ANSWER_BYTES);
      // Twilio answers 404 as well as 401 to a SID the token does not belong to.
      if (response.status === 401 || response.status === 404) {
        return {
          ok: false,
          statusCode: response.status,
          message: `Twilio refused the account SID and auth token (${response.status}): check both`,
        };
      }
      const result = resultOfResponse(response.status, body, response.headers, new Date());
      if (!result.ok) return testResultOf(result, '');
      const account = Account.safeParse(JSON.parse(body) as unknown);
      const status = account.success ? account.data.status : undefined;
      if (status !== undefined && status !== 'active') {
        return { ok: false, statusCode: response.status, message: `the Twilio account is ${status}` };
      }
      const name = account.success ? account.data.friendly_name : undefined;
      return {
        ok: true,
        statusCode: response.status,
        message: `Twilio accepted the credentials${name !== undefined ? ` of "${name}"` : ''}`,
      };
    } catch (error) {
      return testResultOf(resultOfError(error, signal), '');
    }
  },
});
