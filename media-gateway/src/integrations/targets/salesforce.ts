import type { Connection, ConnectionOf } from '../connections.js';
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
  soqlString,
  str,
  type CrmClient,
} from './crm-common.js';

export const SALESFORCE_API = '/services/data/v60.0';

const query = async (client: CrmClient, soql: string): Promise<unknown[]> => {
  const answer = await client.json('GET', `${SALESFORCE_API}/query?q=${encodeURIComponent(soql)}`);
  return asArray((answer as { records?: unknown } | undefined)?.records);
};

interface Person {
  readonly type: 'Contact' | 'Lead';
  readonly record: unknown;
}

/** The Contact with the number (Phone or MobilePhone), else an unconverted Lead with it; oldest first. */
const findPerson = async (client: CrmClient, phone: string): Promise<Person | undefined> => {
  const values = phoneVariants(phone);
  if (values.length === 0) return undefined;
  const list = values.map(soqlString).join(', ');
  const byPhone = `(Phone IN (${list}) OR MobilePhone IN (${list}))`;
  const [contact] = await query(
    client,
    `SELECT Id, Name, Email, Phone, MobilePhone, Account.Name FROM Contact WHERE ${byPhone} ORDER BY CreatedDate ASC LIMIT 1`,
  );
  if (contact !== undefined) return { type: 'Contact', record: contact };
  const [lead] = await query(
    client,
    `SELECT Id, Name, Email, Phone, MobilePhone, Company FROM Lead WHERE ${byPhone} AND IsConverted = false ORDER BY CreatedDate ASC LIMIT 1`,
  );
  return lead !== undefined ? { type: 'Lead', record: lead } : undefined;
};

const DISPOSITION: Record<ReturnType<typeof dispositionOf>, string> = {
  completed: 'Completed',
  no_answer: 'No answer',
  busy: 'Busy',
  failed: 'Failed',
  voicemail: 'Left voicemail',
  cancelled: 'Cancelled',
};

const instanceOf = (connection: Connection): string | undefined =>
  connection.settings.kind === 'salesforce'
    ? (connection as ConnectionOf<'salesforce'>).settings.instanceUrl
    : undefined;

/**
 * Salesforce: a finished call logged as a completed call Task on the caller's Contact or Lead (none found: a Task
 * with no one, which a person can still attach). Salesforce upserts by external id only on a custom field the
 * tenant would have to create; instead an attempt first asks SOQL for a Task with the same Subject (which carries
 * the delivery id): a retry finds what an earlier attempt stored. Two attempts racing could still both create
 * one, so the log is at-least-once.
 */
export const salesforceTarget = (deps: TargetDeps): IntegrationTarget =>
  crmTarget({
    kind: 'salesforce',
    label: 'Salesforce',
    fetch: deps.fetch,
    baseOf: instanceOf,
    authorization: (token) => `Bearer ${token}`,
    logCall: async (client, content, request) => {
      // Subject is at most 255 characters.
      const subject = callTitle(content, request.deliveryId).slice(0, 255);
      const [existing] = await query(
        client,
        `SELECT Id FROM Task WHERE Subject = ${soqlString(subject)} LIMIT 1`,
      );
      const existingId = str(existing, 'Id');
      if (existingId !== undefined) return { ok: true, statusCode: 200, externalId: existingId };
      const person = await findPerson(client, content.customer);
      const whoId = str(person?.record, 'Id');
      const created = await client.json('POST', `${SALESFORCE_API}/sobjects/Task`, {
        Subject: subject,
        TaskSubtype: 'Call',
        Type: 'Call',
        CallType: content.direction === 'inbound' ? 'Inbound' : 'Outbound',
        CallDurationInSeconds: Math.round(content.durationSeconds),
        CallDisposition: DISPOSITION[dispositionOf(content)],
        Description: callDescription(content),
        Status: 'Completed',
        ActivityDate: content.startedAt.slice(0, 10),
        ...(whoId !== undefined && { WhoId: whoId }),
      });
      const id = str(created, 'id');
      return { ok: true, statusCode: 201, ...(id !== undefined && { externalId: id }) };
    },
    testPath: `${SALESFORCE_API}/limits`,
    okMessage: 'Salesforce accepted the access token',
    missingMessage: 'the connection has no access token or instance URL: add them',
    findRecord: async (client, connection, phone) => {
      const person = await findPerson(client, phone);
      const id = str(person?.record, 'Id');
      if (person === undefined || id === undefined) return undefined;
      const tasks = await query(
        client,
        `SELECT Subject, ActivityDate FROM Task WHERE WhoId = ${soqlString(id)} ORDER BY CreatedDate DESC LIMIT ${RECENT_LIMIT}`,
      );
      const recent = tasks.map((t) => {
        const at = str(t, 'ActivityDate');
        return { ...(at !== undefined && { at }), text: str(t, 'Subject') ?? 'task' };
      });
      const { record } = person;
      const account = (record as { Account?: unknown }).Account;
      return crmRecord(connection, {
        id,
        name: str(record, 'Name'),
        email: str(record, 'Email'),
        phone: str(record, 'Phone') ?? str(record, 'MobilePhone'),
        company: person.type === 'Contact' ? str(account, 'Name') : str(record, 'Company'),
        url: `${(instanceOf(connection) ?? '').replace(/\/+$/, '')}/lightning/r/${person.type}/${id}/view`,
        recent,
      });
    },
  });
