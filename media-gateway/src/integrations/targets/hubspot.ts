import type { IntegrationTarget } from '../port.js';
import type { TargetDeps } from './index.js';
import {
  asArray,
  callDescription,
  callTitle,
  crmRecord,
  crmTarget,
  dispositionOf,
  fullName,
  phoneVariants,
  RECENT_LIMIT,
  str,
  type CallContent,
  type CrmClient,
  type Disposition,
} from './crm-common.js';

const HUBSPOT_API = 'https://api.hubapi.com';
/** HubSpot's own association type for a call's contact (HUBSPOT_DEFINED, call → contact). */
export const CALL_TO_CONTACT = 194;

const CALL_STATUS: Record<Disposition, string> = {
  completed: 'COMPLETED',
  no_answer: 'NO_ANSWER',
  busy: 'BUSY',
  failed: 'FAILED',
  voicemail: 'COMPLETED',
  cancelled: 'CANCELED',
};

const CONTACT_PROPERTIES = ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company'];

/** The first contact with the number as phone or mobile phone (filter groups are ORed), oldest first. */
const findContact = async (client: CrmClient, phone: string): Promise<unknown> => {
  const values = phoneVariants(phone);
  if (values.length === 0) return undefined;
  const filterGroups = ['phone', 'mobilephone'].flatMap((propertyName) =>
    values.map((value) => ({ filters: [{ propertyName, operator: 'EQ', value }] })),
  );
  // HubSpot takes at most five filter groups in one search.
  const found = await client.json('POST', '/crm/v3/objects/contacts/search', {
    filterGroups: filterGroups.slice(0, 5),
    properties: CONTACT_PROPERTIES,
    sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }],
    limit: 1,
  });
  return asArray((found as { results?: unknown } | undefined)?.results)[0];
};

/**
 * A call already logged by an earlier attempt of this delivery, found by its title (which carries the delivery
 * id). HubSpot takes no idempotency key for calls and has no documented external-id property on them; its search
 * index lags writes by a few seconds, so an attempt that timed out just after HubSpot stored the call may log it
 * twice: at-least-once, made rare rather than impossible.
 */
const loggedCall = async (client: CrmClient, title: string): Promise<string | undefined> => {
  const found = await client.json('POST', '/crm/v3/objects/calls/search', {
    filterGroups: [{ filters: [{ propertyName: 'hs_call_title', operator: 'EQ', value: title }] }],
    properties: ['hs_call_title'],
    limit: 1,
  });
  return str(asArray((found as { results?: unknown } | undefined)?.results)[0], 'id');
};

const callProperties = (call: CallContent, title: string): Record<string, string> => {
  const inbound = call.direction === 'inbound';
  return {
    hs_timestamp: call.startedAt,
    hs_call_title: title,
    hs_call_body: callDescription(call),
    hs_call_duration: String(Math.round(call.durationSeconds * 1000)),
    hs_call_direction: inbound ? 'INBOUND' : 'OUTBOUND',
    hs_call_status: CALL_STATUS[dispositionOf(call)],
    hs_call_from_number: inbound ? call.customer : call.businessNumber,
    hs_call_to_number: inbound ? call.businessNumber : call.customer,
  };
};

/** HubSpot: a finished call logged as a call engagement on the caller's contact (created when new). */
export const hubspotTarget = (deps: TargetDeps): IntegrationTarget => {
  const base = deps.apiUrls.hubspot ?? HUBSPOT_API;
  return crmTarget({
    kind: 'hubspot',
    label: 'HubSpot',
    fetch: deps.fetch,
    baseOf: () => base,
    authorization: (token) => `Bearer ${token}`,
    logCall: async (client, content, request) => {
      const title = callTitle(content, request.deliveryId);
      const existing = await loggedCall(client, title);
      if (existing !== undefined) return { ok: true, statusCode: 200, externalId: existing };
      let contactId = str(await findContact(client, content.customer), 'id');
      if (contactId === undefined && phoneVariants(content.customer).length > 0) {
        const created = await client.json('POST', '/crm/v3/objects/contacts', {
          properties: { phone: content.customer },
        });
        contactId = str(created, 'id');
      }
      const logged = await client.json('POST', '/crm/v3/objects/calls', {
        properties: callProperties(content, title),
        ...(contactId !== undefined && {
          associations: [
            {
              to: { id: contactId },
              types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: CALL_TO_CONTACT }],
            },
          ],
        }),
      });
      const id = str(logged, 'id');
      return { ok: true, statusCode: 201, ...(id !== undefined && { externalId: id }) };
    },
    testPath: '/crm/v3/objects/contacts?limit=1',
    okMessage: 'HubSpot accepted the access token',
    missingMessage: 'the connection has no access token: add one',
    findRecord: async (client, connection, phone) => {
      const contact = await findContact(client, phone);
      const id = str(contact, 'id');
      if (id === undefined) return undefined;
      const p = (contact as { properties?: unknown }).properties;
      const calls = await client.json('POST', '/crm/v3/objects/calls/search', {
        filterGroups: [{ filters: [{ propertyName: 'associations.contact', operator: 'EQ', value: id }] }],
        properties: ['hs_call_title', 'hs_call_body', 'hs_timestamp'],
        sorts: [{ propertyName: 'hs_timestamp', direction: 'DESCENDING' }],
        limit: RECENT_LIMIT,
      });
      const recent = asArray((calls as { results?: unknown } | undefined)?.results).map((c) => {
        const cp = (c as { properties?: unknown }).properties;
        const at = str(cp, 'hs_timestamp');
        return {
          ...(at !== undefined && { at }),
          text: str(cp, 'hs_call_title') ?? str(cp, 'hs_call_body')?.slice(0, 300) ?? 'call',
        };
      });
      return crmRecord(connection, {
        id,
        name: fullName(str(p, 'firstname'), str(p, 'lastname')),
        email: str(p, 'email'),
        phone: str(p, 'phone') ?? str(p, 'mobilephone'),
        company: str(p, 'company'),
        recent,
      });
    },
  });
};
