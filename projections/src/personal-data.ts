import { ERASED, parseStreamName, streamName, type DataSubject } from '@ccp/schemas';
import type { QueryParams, ReadStore } from './read-store/port.js';

/**
 * Where the read store keeps a data subject's clear text, for GDPR erasure and subject access (issue 18). The
 * event store keeps personal fields sealed per stream; the tables below hold what processors decrypted. They are
 * found by the subject's phone numbers, email addresses and contact ids, and scrubbed by the ids of the streams
 * an erasure reached (plus phone numbers, for campaign leads, which have no stream of their own).
 */

/** A subject's identifiers: the one named, widened by the contacts that hold it (their other numbers too). */
export interface SubjectIdentifiers {
  readonly phones: readonly string[];
  readonly emails: readonly string[];
  readonly contactIds: readonly string[];
}

export interface SubjectHoldings {
  readonly identifiers: SubjectIdentifiers;
  /** Streams of the tenant holding the subject's data, by kind: call, contact, appointment, ticket, message. */
  readonly streams: readonly string[];
  /** Provider recording ids of the subject's calls. */
  readonly recordings: readonly string[];
  /**
   * The subject's leads: each campaign holding one of their numbers, with that number. Leads live in their
   * campaign's stream, each sealed with its own person's key, which an erasure names by campaign and number.
   */
  readonly leads: readonly { readonly stream: string; readonly phone: string }[];
}

const ids = <K extends string>(rows: readonly Record<K, string>[], column: K): string[] => [
  ...new Set(rows.map((row) => row[column])),
];

const widen = async (
  store: ReadStore,
  tenantId: string,
  start: SubjectIdentifiers,
): Promise<SubjectIdentifiers> => {
  const phones = new Set(start.phones);
  const emails = new Set(start.emails);
  const contactIds = new Set(start.contactIds);
  const rows = await store.query<{ contact_id: string; phones: string[]; emails: string[] }>(
    `SELECT contact_id, phones, emails FROM contacts FINAL
      WHERE tenant_id = {tenantId:String}
        AND (contact_id IN {contactIds:Array(String)} OR hasAny(phones, {phones:Array(String)})
             OR hasAny(emails, {emails:Array(String)}))`,
    { tenantId, contactIds: [...contactIds], phones: [...phones], emails: [...emails] },
  );
  const byPhone = await store.query<{ contact_id: string }>(
    `SELECT contact_id FROM contact_phones FINAL
      WHERE tenant_id = {tenantId:String} AND phone IN {phones:Array(String)} AND removed = 0`,
    { tenantId, phones: [...phones] },
  );
  for (const row of rows) {
    contactIds.add(row.contact_id);
    for (const phone of row.phones) phones.add(phone);
    for (const email of row.emails) emails.add(email);
  }
  for (const row of byPhone) contactIds.add(row.contact_id);
  return { phones: [...phones], emails: [...emails], contactIds: [...contactIds] };
};

/** Every stream of `tenantId` the read store links to the subject, and the recordings of their calls. */
export const findSubjectHoldings = async (
  store: ReadStore,
  tenantId: string,
  subject: DataSubject,
): Promise<SubjectHoldings> => {
  const named: SubjectIdentifiers = {
    phones: subject.kind === 'phone' ? [subject.value] : [],
    emails: subject.kind === 'email' ? [subject.value] : [],
    contactIds: subject.kind === 'contact' ? [subject.value] : [],
  };
  // Twice: a contact found by the number named may hold an address that finds another contact.
  const identifiers = await widen(store, tenantId, await widen(store, tenantId, named));
  const params = {
    tenantId,
    phones: identifiers.phones,
    emails: identifiers.emails,
    contactIds: identifiers.contactIds,
    addresses: [...identifiers.phones, ...identifiers.emails],
  };
  const select = <K extends string>(column: K, sql: string) =>
    store.query<Record<K, string>>(sql, params).then((rows) => ids(rows, column));
  const [calls, appointments, tickets, messages] = await Promise.all([
    select(
      'call_id',
      `SELECT call_id FROM calls FINAL WHERE tenant_id = {tenantId:String}
        AND (from_address IN {phones:Array(String)} OR to_address IN {phones:Array(String)})`,
    ),
    select(
      'appointment_id',
      `SELECT appointment_id FROM appointments FINAL WHERE tenant_id = {tenantId:String}
        AND (customer_phone IN {phones:Array(String)} OR customer_email IN {emails:Array(String)}
             OR contact_id IN {contactIds:Array(String)})`,
    ),
    select(
      'ticket_id',
      `SELECT ticket_id FROM contact_tickets FINAL WHERE tenant_id = {tenantId:String}
        AND (phone IN {phones:Array(String)} OR email IN {emails:Array(String)})`,
    ),
    select(
      'message_id',
      `SELECT message_id FROM messages FINAL WHERE tenant_id = {tenantId:String}
        AND (to_address IN {addresses:Array(String)} OR from_address IN {addresses:Array(String)}
             OR contact_id IN {contactIds:Array(String)})`,
    ),
  ]);
  const leads = await store.query<{ campaign_id: string; phone: string }>(
    `SELECT DISTINCT campaign_id, phone FROM campaign_leads FINAL
      WHERE tenant_id = {tenantId:String} AND phone IN {phones:Array(String)}`,
    params,
  );
  const recordings = await store.query<{ recording_id: string }>(
    `SELECT DISTINCT JSONExtractString(data, 'recordingId') AS recording_id FROM events
      WHERE tenant_id = {tenantId:String} AND type = 'RecordingAvailable' AND stream_id IN {streams:Array(String)}`,
    { tenantId, streams: calls.map((id) => streamName('call', tenantId, id)) },
  );
  const streams = [
    ...calls.map((id) => streamName('call', tenantId, id)),
    ...identifiers.contactIds.map((id) => streamName('contact', tenantId, id)),
    ...appointments.map((id) => streamName('appointment', tenantId, id)),
    ...tickets.map((id) => streamName('ticket', tenantId, id)),
    ...messages.map((id) => streamName('message', tenantId, id)),
  ];
  return {
    identifiers,
    streams: [...new Set(streams)],
    recordings: ids(recordings, 'recording_id').filter((id) => id !== ''),
    leads: leads.map(({ campaign_id: id, phone }) => ({
      stream: streamName('campaign', tenantId, id),
      phone,
    })),
  };
};

/** A table's personal columns, what they become, and which of its rows an erasure reaches. */
interface Scrub {
  readonly table: string;
  /** Rows of the tenant reached: a condition on the parameters ids (by kind) and phones. */
  readonly where: string;
  /** Column = new value (SQL). Empty: the rows are deleted (the personal column is part of the sort key). */
  readonly set: string;
  /** Rows still holding clear text, so a second erasure counts none. */
  readonly unscrubbed: string;
}

const E = `'${ERASED}'`;
const SCRUBS: readonly Scrub[] = [
  {
    table: 'calls',
    where: 'call_id IN {call:Array(String)}',
    set: `from_address = ${E}, to_address = ${E}`,
    unscrubbed: `from_address != ${E} OR to_address != ${E}`,
  },
  {
    table: 'utterances',
    where: 'call_id IN {call:Array(String)}',
    set: `text = ${E}`,
    unscrubbed: `text != ${E}`,
  },
  {
    table: 'appointments',
    where: 'appointment_id IN {appointment:Array(String)}',
    set: `customer_name = ${E}, customer_phone = '', customer_email = '', notes = ''`,
    unscrubbed: `customer_name != ${E} OR customer_phone != '' OR customer_email != '' OR notes != ''`,
  },
  {
    table: 'contacts',
    where: 'contact_id IN {contact:Array(String)}',
    set: `name = ${E}, phones = [], emails = [], notes = '', tags = []`,
    unscrubbed: `name != ${E} OR notEmpty(phones) OR notEmpty(emails) OR notes != '' OR notEmpty(tags)`,
  },
  {
    table: 'contact_phones',
    where: 'contact_id IN {contact:Array(String)} OR phone IN {phones:Array(String)}',
    set: '',
    unscrubbed: '1',
  },
  {
    table: 'contact_tickets',
    where: 'ticket_id IN {ticket:Array(String)}',
    set: `phone = '', email = '', subject = ${E}`,
    unscrubbed: `phone != '' OR email != '' OR subject != ${E}`,
  },
  {
    table: 'messages',
    where: 'message_id IN {message:Array(String)}',
    set: `to_address = ${E}, from_address = '', subject = '', body = ${E}, last_error = '', reply_outcome = ''`,
    unscrubbed: `to_address != ${E} OR from_address != '' OR subject != '' OR body != ${E} OR last_error != '' OR reply_outcome != ''`,
  },
  {
    // Leads are staged in their campaign's stream, with every other lead of it: each lead's own key is shredded
    // (not the campaign's) and its rows deleted, as a rebuild after the erasure would leave them (none).
    table: 'campaign_leads',
    where: 'phone IN {phones:Array(String)}',
    set: '',
    unscrubbed: '1',
  },
];

/** The tables an erasure scrubs (the security suite checks every personal column is among them). */
export const SCRUBBED_TABLES: readonly string[] = SCRUBS.map((scrub) => scrub.table);

/**
 * Removes the clear text of `streams` (and of leads with `phones`) from the read store: personal columns are
 * overwritten with ERASED or emptied (a mutation waited for, so every stored version of a row is rewritten, not
 * only the latest), rows keyed by a personal value are deleted. Returns the rows changed by table (as reads see
 * them: one per entity); a second run changes and counts none.
 */
const paramsOf = (tenantId: string, streams: readonly string[], phones: readonly string[]): QueryParams => {
  const byKind: Record<string, string[]> = {
    call: [],
    appointment: [],
    contact: [],
    ticket: [],
    message: [],
  };
  for (const stream of streams) {
    const parts = parseStreamName(stream);
    if (parts?.tenantId === tenantId) byKind[parts.category]?.push(parts.id);
  }
  return { tenantId, phones: [...phones], ...byKind };
};

/** The rows an erasure of `streams` and `phones` would scrub, by table, as reads see them (subject access). */
export const readSubjectRows = async (
  store: ReadStore,
  tenantId: string,
  streams: readonly string[],
  phones: readonly string[],
): Promise<Record<string, Record<string, unknown>[]>> => {
  const params = paramsOf(tenantId, streams, phones);
  const rows: Record<string, Record<string, unknown>[]> = {};
  for (const scrub of SCRUBS) {
    const found = await store.query(
      `SELECT * FROM ${scrub.table} FINAL WHERE tenant_id = {tenantId:String} AND (${scrub.where})`,
      params,
    );
    if (found.length > 0) rows[scrub.table] = found;
  }
  return rows;
};

export const scrubSubjectRows = async (
  store: ReadStore,
  tenantId: string,
  streams: readonly string[],
  phones: readonly string[],
): Promise<Record<string, number>> => {
  const params = paramsOf(tenantId, streams, phones);
  const changed: Record<string, number> = {};
  for (const scrub of SCRUBS) {
    const where = `tenant_id = {tenantId:String} AND (${scrub.where})`;
    const [row] = await store.query<{ n: string }>(
      `SELECT toString(count()) AS n FROM ${scrub.table} FINAL WHERE ${where} AND (${scrub.unscrubbed})`,
      params,
    );
    const count = Number(row?.n ?? 0);
    if (count === 0) continue;
    await store.command(
      scrub.set === ''
        ? `ALTER TABLE ${scrub.table} DELETE WHERE ${where} SETTINGS mutations_sync = 2`
        : `ALTER TABLE ${scrub.table} UPDATE ${scrub.set} WHERE ${where} SETTINGS mutations_sync = 2`,
      params,
    );
    changed[scrub.table] = count;
  }
  return changed;
};
