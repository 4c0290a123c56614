import { getJson } from './client';
import type { Weekday } from './admin';

/*
 * Appointments as a product: the query API's read routes for services, staff and rooms, the schedule settings,
 * appointments, free slots, contacts and messages (docs: the read API contract), and the shapes of
 * schemas/src/{scheduling,appointment,contact,message-template}.ts the console sends through
 * POST /api/commands/<Type> (`command` in ./admin).
 */

const segment = (value: string): string => encodeURIComponent(value);

export const APPOINTMENT_STATUSES = ['scheduled', 'confirmed', 'cancelled', 'completed', 'no_show'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];
export const MESSAGE_CHANNELS = ['sms', 'whatsapp', 'email'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];
export const CONSENT_CHANNELS = ['sms', 'whatsapp', 'email', 'calls'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
export const MESSAGE_STATUSES = [
  'scheduled',
  'sending',
  'retrying',
  'sent',
  'delivered',
  'undelivered',
  'read',
  'abandoned',
  'cancelled',
  'received',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const TEMPLATE_PURPOSES = ['confirmation', 'reminder', 'rescheduled', 'cancellation'] as const;
export type TemplatePurpose = (typeof TEMPLATE_PURPOSES)[number];
/** TEMPLATE_VARIABLES of the contract: the only `{{names}}` a template may use. */
export const TEMPLATE_VARIABLES = [
  'name',
  'service',
  'date',
  'time',
  'staff',
  'business',
  'duration',
  'price',
] as const;

export interface Interval {
  day: Weekday;
  open: string;
  close: string;
}
export interface Price {
  amountMinor: number;
  currency: string;
}

export interface Service {
  serviceId: string;
  name: string;
  description?: string;
  durationMinutes: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  price?: Price;
  resourceIds: string[];
  languages: string[];
  retired: boolean;
}

export interface TimeOff {
  timeOffId: string;
  from: string;
  until: string;
  reason?: string;
}
export interface Resource {
  resourceId: string;
  name: string;
  kind: 'staff' | 'room';
  timeZone: string;
  workingHours: Interval[];
  breaks: Interval[];
  email?: string;
  languages: string[];
  removed: boolean;
  externalCalendar?: { provider: 'google'; calendarId: string };
  timeOff: TimeOff[];
}

export interface MessageTemplate {
  purpose: TemplatePurpose;
  channel: MessageChannel;
  language: string;
  subject?: string;
  body: string;
}
export interface ScheduleSettings {
  confirmations: boolean;
  reminderOffsetsMinutes: number[];
  channels: MessageChannel[];
  quietHours: { from: string; until: string };
  noShowGraceMinutes: number;
  templates: MessageTemplate[];
  /** Tenant admins only: the secret iCalendar URLs. */
  feeds?: { tenant: string; resources: Record<string, string> };
}

export interface Appointment {
  appointmentId: string;
  status: AppointmentStatus;
  startsAt: string;
  endsAt: string;
  durationMinutes: number;
  timeZone: string;
  service: string;
  serviceIds: string[];
  resourceId?: string;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  customer: { name: string; phone?: string; email?: string };
  contactId?: string;
  callId?: string;
  agentId?: string;
  notes?: string;
  bookedAt: string;
  updatedAt: string;
}
export interface AppointmentHistoryEntry {
  type: string;
  occurredAt: string;
  actor: string;
  data: Record<string, unknown>;
}

export interface Slot {
  startsAt: string;
  endsAt: string;
  resourceId: string;
}

export interface Contact {
  contactId: string;
  name: string;
  phones: string[];
  emails: string[];
  language?: string;
  timeZone?: string;
  tags: string[];
  notes?: string;
  consent: Partial<Record<ConsentChannel, boolean>>;
  doNotCall: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Message {
  messageId: string;
  direction: 'outbound' | 'inbound';
  channel: MessageChannel;
  to: string;
  from?: string;
  purpose?: string;
  language?: string;
  subject?: string;
  body: string;
  status: MessageStatus;
  attempts: number;
  lastError?: string;
  dueAt?: string;
  sentAt?: string;
  provider?: string;
  providerMessageId?: string;
  contactId?: string;
  appointmentId?: string;
  replyIntent?: string;
  replyOutcome?: string;
  createdAt: string;
  updatedAt: string;
}

export interface ContactPage {
  contact: Contact;
  calls: {
    callId: string;
    direction: string;
    startedAt: string;
    status: string;
    agentId?: string;
    summary?: string;
  }[];
  appointments: Appointment[];
  tickets: { ticketId: string; subject: string; status: string; openedAt: string }[];
  leads: { campaignId: string; campaignName: string; status: string }[];
  messages: Message[];
}

export interface CursorList {
  nextCursor?: string;
}
export interface AppointmentQuery {
  from?: string;
  until?: string;
  resourceId?: string;
  status?: AppointmentStatus;
  contactId?: string;
  phone?: string;
  limit?: number;
  cursor?: string;
}
export interface ContactQuery {
  q?: string;
  phone?: string;
  tag?: string;
  limit?: number;
  cursor?: string;
}
export interface MessageQuery {
  direction?: 'outbound' | 'inbound';
  status?: MessageStatus;
  channel?: MessageChannel;
  contactId?: string;
  appointmentId?: string;
  from?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

export const scheduling = {
  services: async () => (await getJson<{ services: Service[] }>('/api/services')).services,
  resources: async () => (await getJson<{ resources: Resource[] }>('/api/resources')).resources,
  settings: () => getJson<ScheduleSettings>('/api/schedule-settings'),
  appointments: (query: AppointmentQuery, signal?: AbortSignal) =>
    getJson<{ appointments: Appointment[] } & CursorList>('/api/appointments', query, signal),
  appointment: (appointmentId: string) =>
    getJson<{ appointment: Appointment; history: AppointmentHistoryEntry[] }>(
      `/api/appointments/${segment(appointmentId)}`,
    ),
  availability: async (query: {
    serviceIds: string[];
    from: string;
    until: string;
    resourceId?: string;
    language?: string;
  }) =>
    (
      await getJson<{ slots: Slot[] }>('/api/availability', {
        ...query,
        serviceIds: query.serviceIds.join(','),
      })
    ).slots,
};

/** Every appointment overlapping a range, read page after page (a month of a busy clinic is a few pages). */
export const appointmentsIn = async (
  query: Omit<AppointmentQuery, 'cursor' | 'limit'>,
  signal?: AbortSignal,
): Promise<Appointment[]> => {
  const all: Appointment[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const answer = await scheduling.appointments(
      { ...query, limit: 500, ...(cursor !== undefined && { cursor }) },
      signal,
    );
    all.push(...answer.appointments);
    cursor = answer.nextCursor;
    if (cursor === undefined) break;
  }
  return all;
};

export const contacts = {
  list: (query: ContactQuery, signal?: AbortSignal) =>
    getJson<{ contacts: Contact[] } & CursorList>('/api/contacts', query, signal),
  get: (contactId: string) => getJson<ContactPage>(`/api/contacts/${segment(contactId)}`),
};

export const messages = {
  list: (query: MessageQuery, signal?: AbortSignal) =>
    getJson<{ messages: Message[] } & CursorList>('/api/messages', query, signal),
};

/** A fresh id for something the console creates (an appointment, a time off, a contact). */
export const newId = (prefix: string): string => `${prefix}-${crypto.randomUUID().slice(0, 18)}`;
