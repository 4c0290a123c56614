import { z } from 'zod';
import { E164 } from '@ccp/schemas';
import type { QueryParams, ReadStore } from '@ccp/projections';
import { LEAD_STATES_SQL } from '../campaigns/progress.js';
import { Appointment, APPOINTMENT_COLUMNS, appointmentOf } from './appointments.js';
import { Message, MESSAGE_COLUMNS, messageOf } from './messages.js';
import { decodeKeyset, isoFromClickHouse, ListPage, optional, pageOfRows } from './paging.js';

export const Contact = z.object({
  contactId: z.string(),
  name: z.string(),
  phones: z.array(z.string()),
  emails: z.array(z.string()),
  language: z.string().optional(),
  timeZone: z.string().optional(),
  tags: z.array(z.string()),
  notes: z.string().optional(),
  consent: z.object({
    sms: z.boolean().optional(),
    whatsapp: z.boolean().optional(),
    email: z.boolean().optional(),
    calls: z.boolean().optional(),
  }),
  doNotCall: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Contact = z.infer<typeof Contact>;

export const ContactQuery = z.strictObject({
  q: z.string().trim().min(1).max(100).optional().describe('Part of a name, number or email address'),
  phone: E164.optional().describe('A number (E.164) the contact has'),
  tag: z.string().trim().min(1).max(40).optional(),
  ...ListPage,
});

export const ContactList = z.object({ contacts: z.array(Contact), nextCursor: z.string().optional() });

export const ContactDetail = z.object({
  contact: Contact,
  calls: z.array(
    z.object({
      callId: z.string(),
      direction: z.string(),
      startedAt: z.string(),
      status: z.string(),
      agentId: z.string().optional(),
      summary: z.string().optional(),
    }),
  ),
  appointments: z.array(Appointment),
  tickets: z.array(
    z.object({ ticketId: z.string(), subject: z.string(), status: z.string(), openedAt: z.string() }),
  ),
  leads: z.array(z.object({ campaignId: z.string(), campaignName: z.string(), status: z.string() })),
  messages: z.array(Message),
});

const CONTACT_COLUMNS = `contact_id, name, phones, emails, language, time_zone, tags, notes, consent, do_not_call,
  toString(created_at) AS created_text, toString(updated_at) AS updated_text`;

const Consent = Contact.shape.consent;
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

const contactOf = (r: Record<string, unknown>): Contact => {
  const language = optional(r['language']);
  const timeZone = optional(r['time_zone']);
  const notes = optional(r['notes']);
  const consent = Consent.safeParse(JSON.parse(String(r['consent'] || '{}')));
  return {
    contactId: String(r['contact_id']),
    name: String(r['name']),
    phones: strings(r['phones']),
    emails: strings(r['emails']),
    ...(language !== undefined && { language }),
    ...(timeZone !== undefined && { timeZone }),
    tags: strings(r['tags']),
    ...(notes !== undefined && { notes }),
    consent: consent.success ? consent.data : {},
    doNotCall: Number(r['do_not_call']) === 1,
    createdAt: isoFromClickHouse(r['created_text']),
    updatedAt: isoFromClickHouse(r['updated_text']),
  };
};

/** Contacts not deleted, by name; `phone` matches any of their numbers exactly, `q` a part of any field. */
export const listContacts = async (
  store: ReadStore,
  tenantId: string,
  query: z.output<typeof ContactQuery>,
): Promise<z.infer<typeof ContactList>> => {
  const clauses = ['tenant_id = {tenantId:String}', 'deleted = 0'];
  const params: Record<string, QueryParams[string]> = { tenantId, limit: query.limit + 1 };
  if (query.phone !== undefined) {
    clauses.push(`contact_id IN (SELECT contact_id FROM contact_phones FINAL
                   WHERE tenant_id = {tenantId:String} AND phone = {phone:String} AND removed = 0)`);
    params['phone'] = query.phone;
  }
  if (query.q !== undefined) {
    clauses.push(`(positionCaseInsensitiveUTF8(name, {q:String}) > 0
                   OR arrayExists(p -> position(p, {q:String}) > 0, phones)
                   OR arrayExists(e -> positionCaseInsensitiveUTF8(e, {q:String}) > 0, emails))`);
    params['q'] = query.q;
  }
  if (query.tag !== undefined) {
    clauses.push('has(tags, {tag:String})');
    params['tag'] = query.tag;
  }
  const after = decodeKeyset(query.cursor);
  if (after !== undefined) {
    clauses.push('(name, contact_id) > ({afterName:String}, {afterId:String})');
    params['afterName'] = after[0];
    params['afterId'] = after[1];
  }
  const rows = await store.query<Record<string, unknown>>(
    `SELECT ${CONTACT_COLUMNS} FROM contacts FINAL WHERE ${clauses.join(' AND ')}
      ORDER BY name, contact_id LIMIT {limit:UInt32}`,
    params,
  );
  const page = pageOfRows(rows.map(contactOf), query.limit, (c) => [c.name, c.contactId]);
  return { contacts: page.rows, ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }) };
};

/** What the contact's record lists of each kind, newest first. */
const LINKED = 100;

const leadsOf = async (store: ReadStore, tenantId: string, phones: readonly string[]) => {
  if (phones.length === 0) return [];
  const staged = await store.query<{ campaign_id: string; lead_id: string; campaign_name: string }>(
    `SELECT DISTINCT l.campaign_id AS campaign_id, l.lead_id AS lead_id, c.name AS campaign_name
       FROM (SELECT campaign_id, lead_id FROM campaign_leads FINAL
              WHERE tenant_id = {tenantId:String} AND has({phones:Array(String)}, phone)) AS l
      INNER JOIN (SELECT campaign_id, name FROM campaigns FINAL WHERE tenant_id = {tenantId:String}) AS c
         ON l.campaign_id = c.campaign_id
      ORDER BY campaign_id, lead_id LIMIT ${LINKED}`,
    { tenantId, phones: [...phones] },
  );
  if (staged.length === 0) return [];
  // Only leads an import committed count, and their state is the campaigns' own (progress.ts).
  const states = await store.query<{ campaign_id: string; lead_id: string; state: string }>(
    `SELECT campaign_id, lead_id, state FROM (${LEAD_STATES_SQL}) WHERE lead_id IN {leads:Array(String)}`,
    {
      tenantId,
      campaigns: [...new Set(staged.map((s) => s.campaign_id))],
      leads: staged.map((s) => s.lead_id),
    },
  );
  const stateOf = new Map(states.map((s) => [`${s.campaign_id}/${s.lead_id}`, s.state]));
  return staged.flatMap((s) => {
    const status = stateOf.get(`${s.campaign_id}/${s.lead_id}`);
    return status === undefined ? [] : [{ campaignId: s.campaign_id, campaignName: s.campaign_name, status }];
  });
};

/**
 * A contact with what is linked to it: calls from or to any of its numbers, appointments booked for it or for
 * one of its numbers, tickets opened for one of its numbers (or from one of those calls), the campaigns that
 * hold one of its numbers as a lead, and the messages to or from it.
 */
export const contactDetail = async (
  store: ReadStore,
  tenantId: string,
  contactId: string,
): Promise<z.infer<typeof ContactDetail> | undefined> => {
  const [row] = await store.query<Record<string, unknown>>(
    `SELECT ${CONTACT_COLUMNS} FROM contacts FINAL
      WHERE tenant_id = {tenantId:String} AND contact_id = {contactId:String} AND deleted = 0`,
    { tenantId, contactId },
  );
  if (row === undefined) return undefined;
  const contact = contactOf(row);
  const params = {
    tenantId,
    contactId,
    phones: contact.phones,
    addresses: [...contact.phones, ...contact.emails],
  };
  const calls = await store.query<Record<string, unknown>>(
    `SELECT call_id, direction, toString(started_at) AS started_text, status, agent_id FROM calls FINAL
      WHERE tenant_id = {tenantId:String}
        AND ((direction = 'inbound' AND has({phones:Array(String)}, from_address))
          OR (direction = 'outbound' AND has({phones:Array(String)}, to_address)))
      ORDER BY started_at DESC LIMIT ${LINKED}`,
    params,
  );
  const callIds = calls.map((c) => String(c['call_id']));
  const appointments = await store.query<Record<string, unknown>>(
    `SELECT ${APPOINTMENT_COLUMNS} FROM appointments FINAL
      WHERE tenant_id = {tenantId:String}
        AND (contact_id = {contactId:String} OR has({phones:Array(String)}, customer_phone))
      ORDER BY starts_at DESC LIMIT ${LINKED}`,
    params,
  );
  const tickets = await store.query<Record<string, unknown>>(
    `SELECT ticket_id, subject, status, toString(opened_at) AS opened_text FROM contact_tickets FINAL
      WHERE tenant_id = {tenantId:String}
        AND (has({addresses:Array(String)}, phone) OR has({addresses:Array(String)}, email)
          OR has({callIds:Array(String)}, call_id))
      ORDER BY opened_at DESC LIMIT ${LINKED}`,
    { ...params, callIds },
  );
  const messages = await store.query<Record<string, unknown>>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages FINAL
      WHERE tenant_id = {tenantId:String}
        AND (contact_id = {contactId:String}
          OR (direction = 'outbound' AND has({addresses:Array(String)}, to_address))
          OR (direction = 'inbound' AND has({addresses:Array(String)}, from_address)))
      ORDER BY created_at DESC, message_id DESC LIMIT ${LINKED}`,
    params,
  );
  return {
    contact,
    calls: calls.map((c) => {
      const agentId = optional(c['agent_id']);
      return {
        callId: String(c['call_id']),
        direction: String(c['direction']),
        startedAt: isoFromClickHouse(c['started_text']),
        status: String(c['status']),
        ...(agentId !== undefined && { agentId }),
      };
    }),
    appointments: appointments.map(appointmentOf),
    tickets: tickets.map((t) => ({
      ticketId: String(t['ticket_id']),
      subject: String(t['subject']),
      status: String(t['status']),
      openedAt: isoFromClickHouse(t['opened_text']),
    })),
    leads: await leadsOf(store, tenantId, contact.phones),
    messages: messages.map(messageOf),
  };
};
