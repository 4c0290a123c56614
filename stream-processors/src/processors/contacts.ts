import { z } from 'zod';
import { contactEvents, ticketEvents, type EventOf } from '@ccp/schemas';

import type { BusEvent } from '../bus/port.js';
import type { Processor, ProcessorContext } from '../processor.js';
import { ClickHouseCount, ClickHouseInstant } from './read-rows.js';
import { eventsOf, foldInto, key, list, record, text, type At } from './row-fold.js';

/**
 * Contacts on the read side (017_appointments): one row per contact, an index of their numbers
 * (contact_phones), and the tickets a contact's record links by number (contact_tickets: the customer and
 * subject a ticket was opened with, which the audit trail keeps encrypted, and its status).
 *
 * Names, numbers, addresses, notes and tags are personal data the event store decrypted for the processor; an
 * erased field reads '[erased]': a name keeps that text, lists read empty, so an erased contact is found by no
 * number any more.
 */

type ContactEvent = EventOf<(typeof contactEvents)[number]>;
type TicketEvent = EventOf<(typeof ticketEvents)[number]>;
const CONTACT_TYPES: ReadonlySet<string> = new Set(contactEvents.map((d) => d.type));
const TICKET_TYPES: ReadonlySet<string> = new Set(ticketEvents.map((d) => d.type));

const ContactRow = z.object({
  tenant_id: z.string(),
  contact_id: z.string(),
  name: z.string(),
  phones: z.array(z.string()),
  emails: z.array(z.string()),
  language: z.string(),
  time_zone: z.string(),
  tags: z.array(z.string()),
  notes: z.string(),
  consent: z.string(),
  do_not_call: ClickHouseCount,
  deleted: ClickHouseCount,
  created_at: ClickHouseInstant,
  updated_at: ClickHouseInstant,
  version: ClickHouseCount,
});
type ContactRow = z.output<typeof ContactRow>;

/** A row of the phone index, as written. */
type PhoneRow = {
  readonly tenant_id: string;
  readonly phone: string;
  readonly contact_id: string;
  readonly removed: number;
  readonly created_at: string;
  readonly version: number;
};

const TicketRow = z.object({
  tenant_id: z.string(),
  ticket_id: z.string(),
  phone: z.string(),
  email: z.string(),
  subject: z.string(),
  status: z.string(),
  call_id: z.string(),
  opened_at: ClickHouseInstant,
  version: ClickHouseCount,
});
type TicketRow = z.output<typeof TicketRow>;

const applyToContact = (row: ContactRow | undefined, at: At<ContactEvent>): ContactRow | undefined => {
  if (row !== undefined && at.position <= row.version) return row;
  const { event } = at;
  if (event.type === 'ContactCreated') {
    const { data } = event;
    return {
      tenant_id: at.tenantId,
      contact_id: at.id,
      name: text(data.name),
      phones: list(data.phones),
      emails: list(data.emails),
      language: data.language ?? '',
      time_zone: data.timeZone ?? '',
      tags: list(data.tags),
      notes: text(data.notes),
      consent: JSON.stringify(Object.fromEntries(data.consent.map((channel) => [channel, true]))),
      do_not_call: 0,
      deleted: 0,
      created_at: at.occurredAt,
      updated_at: at.occurredAt,
      version: at.position,
    };
  }
  if (row === undefined) return undefined;
  const changed = (change: Partial<ContactRow>): ContactRow => ({
    ...row,
    ...change,
    updated_at: at.occurredAt,
    version: at.position,
  });
  switch (event.type) {
    case 'ContactUpdated': {
      const { data } = event;
      return changed({
        ...(data.name !== undefined && { name: text(data.name) }),
        ...(data.phones !== undefined && { phones: list(data.phones) }),
        ...(data.emails !== undefined && { emails: list(data.emails) }),
        ...(data.language !== undefined && { language: data.language }),
        ...(data.timeZone !== undefined && { time_zone: data.timeZone }),
        ...(data.tags !== undefined && { tags: list(data.tags) }),
        ...(data.notes !== undefined && { notes: text(data.notes) }),
      });
    }
    case 'ConsentRecorded': {
      const consent = { ...(JSON.parse(row.consent) as Record<string, boolean>) };
      consent[event.data.channel] = event.data.granted;
      return changed({ consent: JSON.stringify(consent) });
    }
    case 'ContactDoNotCallChanged':
      return changed({ do_not_call: event.data.doNotCall ? 1 : 0 });
    case 'ContactDeleted':
      return changed({ deleted: 1 });
    default:
      return row;
  }
};

const listedPhones = (row: ContactRow | undefined): ReadonlySet<string> =>
  new Set(row === undefined || row.deleted === 1 ? [] : row.phones);

/**
 * The phone index rows one change of a contact makes: its new numbers listed, the numbers it no longer has (all
 * of them once it is deleted) marked removed, at the version of the change; numbers it keeps keep their rows.
 */
const phoneChanges = (before: ContactRow | undefined, after: ContactRow): PhoneRow[] => {
  const was = listedPhones(before);
  const is = listedPhones(after);
  const row = (phone: string, removed: number): PhoneRow => ({
    tenant_id: after.tenant_id,
    phone,
    contact_id: after.contact_id,
    removed,
    created_at: after.created_at,
    version: after.version,
  });
  return [
    ...[...is].filter((phone) => !was.has(phone)).map((phone) => row(phone, 0)),
    ...[...was].filter((phone) => !is.has(phone)).map((phone) => row(phone, 1)),
  ];
};

const TICKET_STATUS: Readonly<Record<string, string>> = {
  TicketResolved: 'resolved',
  TicketReopened: 'open',
};

const applyToTicket = (row: TicketRow | undefined, at: At<TicketEvent>): TicketRow | undefined => {
  if (row !== undefined && at.position <= row.version) return row;
  const { event } = at;
  if (event.type === 'TicketOpened') {
    const customer = record(event.data.customer);
    return {
      tenant_id: at.tenantId,
      ticket_id: at.id,
      phone: text(customer?.['phone']),
      email: text(customer?.['email']),
      subject: text(event.data.subject),
      status: 'open',
      call_id: event.data.callId ?? '',
      opened_at: at.occurredAt,
      version: at.position,
    };
  }
  if (row === undefined) return undefined;
  const status =
    event.type === 'TicketUpdated' ? event.data.changes.status : (TICKET_STATUS[event.type] ?? undefined);
  return status === undefined ? row : { ...row, status, version: at.position };
};

export const CONTACTS = 'contacts';

/** Contacts, their numbers and the tickets linked to them by number. */
export const createContactsProcessor = (): Processor => ({
  name: CONTACTS,
  categories: ['contact', 'ticket'],
  tables: ['contacts', 'contact_phones', 'contact_tickets'],
  async handle(batch: readonly BusEvent[], context: ProcessorContext): Promise<void> {
    const { readStore } = context;
    const phones = new Map<string, PhoneRow>();
    await foldInto(
      readStore,
      {
        table: 'contacts',
        column: 'contact_id',
        idsOf: (at) => [at.id],
        rowKey: (row: ContactRow) => key(row.tenant_id, row.contact_id),
        keysOf: (at) => [key(at.tenantId, at.id)],
        schema: ContactRow,
        apply: (row, at) => {
          const after = applyToContact(row, at);
          if (after !== undefined && after !== row) {
            for (const change of phoneChanges(row, after))
              phones.set(key(change.tenant_id, change.contact_id, change.phone), change);
          }
          return after;
        },
        // The index first: a crash before the contacts are written leaves them at their old version, so the
        // redelivered batch makes the same index rows again.
        beforeWrite: async () => {
          if (phones.size > 0) await readStore.insert('contact_phones', [...phones.values()]);
        },
      },
      eventsOf<ContactEvent>(batch, 'contact', CONTACT_TYPES),
    );
    await foldInto(
      readStore,
      {
        table: 'contact_tickets',
        column: 'ticket_id',
        idsOf: (at) => [at.id],
        rowKey: (row: TicketRow) => key(row.tenant_id, row.ticket_id),
        keysOf: (at) => [key(at.tenantId, at.id)],
        schema: TicketRow,
        apply: applyToTicket,
      },
      eventsOf<TicketEvent>(batch, 'ticket', TICKET_TYPES),
    );
  },
});
