import type { Connection, ConnectionOf } from '../connections.js';
import { excerpt } from '../http-result.js';
import type { IntegrationTarget } from '../port.js';
import type { TargetDeps } from './index.js';
import {
  asArray,
  callDescription,
  callTitle,
  crmRecord,
  crmTarget,
  dispositionOf,
  phoneVariants,
  RECENT_LIMIT,
  str,
  type CallContent,
  type CrmClient,
} from './crm-common.js';

const apiDomainOf = (connection: Connection): string | undefined =>
  connection.settings.kind === 'zoho' ? (connection as ConnectionOf<'zoho'>).settings.apiDomain : undefined;

/** Zoho answers a search that found nothing with 204 and no body. */
const records = (answer: unknown): unknown[] => asArray((answer as { data?: unknown } | undefined)?.data);

/** The first contact with the number in any of its phone fields (Zoho's `phone` search looks in all of them). */
const findContact = async (client: CrmClient, phone: string): Promise<unknown> => {
  for (const value of phoneVariants(phone)) {
    const [found] = records(
      await client.json('GET', `/crm/v6/Contacts/search?phone=${encodeURIComponent(value)}`),
    );
    if (found !== undefined) return found;
  }
  return undefined;
};

/** A value inside a search criteria: Zoho's documented escapes for the characters that end one. */
export const zohoCriteriaValue = (value: string): string => value.replace(/[\\(),]/g, (c) => `\\${c}`);

/** "mm:ss", as Zoho's Call_Duration takes it (minutes may pass 59). */
export const zohoDuration = (seconds: number): string => {
  const total = Math.max(0, Math.round(seconds));
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
};

/** ISO 8601 without milliseconds, with an offset: the date-time form Zoho's API takes. */
const zohoDateTime = (iso: string): string => `${new Date(iso).toISOString().slice(0, 19)}+00:00`;

const CALL_RESULT: Record<ReturnType<typeof dispositionOf>, string> = {
  completed: 'Completed',
  no_answer: 'No answer',
  busy: 'Busy',
  failed: 'Failed',
  voicemail: 'Left voicemail',
  cancelled: 'Cancelled',
};

const callRecord = (call: CallContent, subject: string, contactId: string | undefined) => ({
  Subject: subject,
  Call_Type: call.direction === 'inbound' ? 'Inbound' : 'Outbound',
  Call_Start_Time: zohoDateTime(call.startedAt),
  Call_Duration: zohoDuration(call.durationSeconds),
  Call_Result: CALL_RESULT[dispositionOf(call)],
  Description: callDescription(call),
  // Who_Id names the contact itself; $se_module goes with What_Id (a deal or account), which a call here has none of.
  ...(contactId !== undefined && { Who_Id: { id: contactId } }),
});

/** Where a person opens a record: the CRM's web app of the same data centre as its API domain. */
const webUrl = (apiDomain: string, id: string): string | undefined => {
  const host = /^https:\/\/(?:www\.)?zohoapis\.([a-z.]+)\/?$/.exec(apiDomain)?.[1];
  return host !== undefined ? `https://crm.zoho.${host}/crm/tab/Contacts/${id}` : undefined;
};

/**
 * Zoho CRM (v6): a finished call logged in the Calls module on the caller's contact. Zoho takes no idempotency
 * key when inserting; an attempt first searches Calls for the Subject (which carries the delivery id), so a retry
 * finds what an earlier attempt stored. Search lags writes slightly: at-least-once, duplicates rare.
 */
export const zohoTarget = (deps: TargetDeps): IntegrationTarget =>
  crmTarget({
    kind: 'zoho',
    label: 'Zoho CRM',
    fetch: deps.fetch,
    baseOf: apiDomainOf,
    authorization: (token) => `Zoho-oauthtoken ${token}`,
    logCall: async (client, content, request) => {
      const subject = callTitle(content, request.deliveryId).slice(0, 255);
      const criteria = `(Subject:equals:${zohoCriteriaValue(subject)})`;
      const [existing] = records(
        await client.json('GET', `/crm/v6/Calls/search?criteria=${encodeURIComponent(criteria)}`),
      );
      const existingId = str(existing, 'id');
      if (existingId !== undefined) return { ok: true, statusCode: 200, externalId: existingId };
      const contactId = str(await findContact(client, content.customer), 'id');
      const answer = await client.json('POST', '/crm/v6/Calls', {
        data: [callRecord(content, subject, contactId)],
      });
      // Zoho answers each record on its own: a refused field comes back inside a 2xx.
      const [result] = records(answer);
      if (str(result, 'status') !== 'success')
        return {
          ok: false,
          errorKind: 'client_error',
          statusCode: 400,
          error: excerpt(`Zoho refused the call: ${JSON.stringify(result ?? answer ?? null)}`),
          retryable: false,
        };
      const id = str((result as { details?: unknown }).details, 'id');
      return { ok: true, statusCode: 201, ...(id !== undefined && { externalId: id }) };
    },
    testPath: '/crm/v6/users?type=CurrentUser',
    okMessage: 'Zoho CRM accepted the access token',
    missingMessage: 'the connection has no access token or API domain: add them',
    findRecord: async (client, connection, phone) => {
      const contact = await findContact(client, phone);
      const id = str(contact, 'id');
      if (id === undefined) return undefined;
      const calls = records(
        await client.json(
          'GET',
          `/crm/v6/Contacts/${encodeURIComponent(id)}/Calls?fields=Subject,Call_Start_Time&per_page=${RECENT_LIMIT}&sort_by=Created_Time&sort_order=desc`,
        ),
      );
      const recent = calls.map((c) => {
        const at = str(c, 'Call_Start_Time');
        return { ...(at !== undefined && { at }), text: str(c, 'Subject') ?? 'call' };
      });
      const account = (contact as { Account_Name?: unknown }).Account_Name;
      return crmRecord(connection, {
        id,
        name: str(contact, 'Full_Name'),
        email: str(contact, 'Email'),
        phone: str(contact, 'Phone') ?? str(contact, 'Mobile'),
        company: str(account, 'name'),
        url: webUrl(apiDomainOf(connection) ?? '', id),
        recent,
      });
    },
  });
