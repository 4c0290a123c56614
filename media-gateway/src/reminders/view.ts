import {
  parseStreamName,
  type appointmentEvents,
  type AppointmentCustomer,
  type AppointmentPlacement,
  type calendarEvents,
  type ConsentChannel,
  type contactEvents,
  type EventEnvelope,
  type EventOf,
  type MessageChannel,
  type messageEvents,
  type MessagePurpose,
  ScheduleSettings,
  type scheduleEvents,
  type serviceEvents,
} from '@ccp/schemas';
import {
  appointmentMessageId,
  derivedMessageId,
  type ContactToPlan,
  type ServiceToPlan,
} from '@ccp/command-service';

type AppointmentEvent = EventOf<(typeof appointmentEvents)[number]>;
type ContactEvent = EventOf<(typeof contactEvents)[number]>;
type MessageEvent = EventOf<(typeof messageEvents)[number]>;
type ScheduleEvent = EventOf<(typeof scheduleEvents)[number]>;
type ServiceEvent = EventOf<(typeof serviceEvents)[number]>;
type CalendarEvent = EventOf<(typeof calendarEvents)[number]>;

export type AppointmentStatus = 'scheduled' | 'confirmed' | 'cancelled' | 'completed' | 'no_show';

export interface AppointmentEntry {
  readonly tenantId: string;
  readonly appointmentId: string;
  status: AppointmentStatus;
  startsAt: string;
  durationMinutes: number;
  readonly timeZone: string;
  readonly service: string;
  placement?: AppointmentPlacement;
  readonly customer: AppointmentCustomer;
  readonly contactId?: string;
  readonly language?: string;
  readonly agentId?: string;
  readonly callId?: string;
  /** How many times it was moved. */
  revision: number;
}

export interface ContactEntry extends ContactToPlan {
  readonly contactId: string;
  deleted: boolean;
}

export interface MessageEntry {
  readonly messageId: string;
  readonly appointmentId: string;
  readonly purpose: MessagePurpose;
  readonly channel: MessageChannel;
  readonly dueAt: string;
  /**
   * The appointment revision (time) it was planned for; undefined for a reply, or an id that could not be
   * matched to a revision.
   */
  readonly revision: number | undefined;
  pending: boolean;
}

const OPEN: ReadonlySet<AppointmentStatus> = new Set(['scheduled', 'confirmed']);
export const isOpen = (appointment: AppointmentEntry): boolean => OPEN.has(appointment.status);

const key = (tenantId: string, id: string) => `${tenantId}/${id}`;
const DEFAULT_OFFSETS = ScheduleSettings.parse({}).reminderOffsetsMinutes;
/** A number as written, an email address in lower case. */
const addressKey = (address: string) => (address.includes('@') ? address.toLowerCase() : address);

/**
 * The revision an appointment message was planned for. The event does not carry it, but its id is derived from
 * it (plan.ts, appointmentMessageId): read from the id as written, or, for an id hashed because it was long,
 * found by deriving the candidates again (a reminder's offset from its due time, else the offsets configured).
 */
const revisionOf = (
  messageId: string,
  data: { appointmentId: string; purpose: MessagePurpose; channel: MessageChannel; dueAt: string },
  upTo: number,
  offsets: readonly number[],
  expiresAt: string | undefined,
): number | undefined => {
  const { appointmentId, purpose, channel } = data;
  if (purpose === 'reply') return undefined;
  const written = `apt-${appointmentId}-r`;
  if (messageId.startsWith(written)) {
    const match = /^(\d+)-/.exec(messageId.slice(written.length));
    return match ? Number(match[1]) : undefined;
  }
  const unshifted =
    expiresAt === undefined ? undefined : (Date.parse(expiresAt) - Date.parse(data.dueAt)) / 60_000;
  const candidates: (number | undefined)[] =
    purpose === 'reminder'
      ? [
          ...new Set([
            ...(unshifted !== undefined && Number.isInteger(unshifted) ? [unshifted] : []),
            ...offsets,
          ]),
        ]
      : [undefined];
  for (let revision = upTo; revision >= 0; revision -= 1) {
    for (const offset of candidates) {
      if (appointmentMessageId(appointmentId, revision, purpose, channel, offset) === messageId)
        return revision;
    }
  }
  return undefined;
};

/**
 * What the reminders process manager must know, folded from the log: appointments, contacts with their consent,
 * each tenant's schedule settings, services and resource names, the messages planned for each appointment and
 * which replies were handled. It is rebuilt from the log on every start; nothing else is kept.
 */
export class RemindersView {
  private readonly appointments = new Map<string, AppointmentEntry>();
  private readonly contacts = new Map<string, ContactEntry>();
  /** tenant/address → contact ids (a number or email may belong to more than one contact). */
  private readonly byAddress = new Map<string, Set<string>>();
  private readonly settings = new Map<string, ScheduleSettings>();
  private readonly services = new Map<string, ServiceToPlan>();
  private readonly resources = new Map<string, string>();
  /** tenant/appointment → its messages. */
  private readonly messages = new Map<string, Map<string, MessageEntry>>();
  private readonly messageAppointment = new Map<string, string>();
  private readonly handledReplies = new Set<string>();
  /** tenant/answer id → to whom and when an answer was planned, until the reply it answers is recorded handled. */
  private readonly answers = new Map<string, { readonly to: string; readonly at: string }>();
  /** tenant/address → when a message from it that was not understood was last answered. */
  private readonly notUnderstoodAnswered = new Map<string, string>();

  apply(event: EventEnvelope): void {
    const stream = parseStreamName(event.streamId);
    if (!stream) return;
    const { tenantId, id } = stream;
    switch (stream.category) {
      case 'appointment':
        return this.applyAppointment(tenantId, id, event as unknown as AppointmentEvent);
      case 'contact':
        return this.applyContact(tenantId, id, event as unknown as ContactEvent);
      case 'message':
        return this.applyMessage(tenantId, id, event as unknown as MessageEvent);
      case 'schedule': {
        const e = event as unknown as ScheduleEvent;
        if (e.type === 'ScheduleConfigured') this.settings.set(tenantId, e.data);
        return;
      }
      case 'service': {
        const e = event as unknown as ServiceEvent;
        if (e.type === 'ServiceDefined' || e.type === 'ServiceRevised') {
          const { reminders, price } = e.data;
          this.services.set(key(tenantId, id), {
            ...(reminders !== undefined && { reminders }),
            ...(price !== undefined && { price }),
          });
        }
        return;
      }
      case 'calendar': {
        const e = event as unknown as CalendarEvent;
        if (e.type === 'ResourceAdded' || e.type === 'ResourceRevised')
          this.resources.set(key(tenantId, id), e.data.name);
        return;
      }
      default:
        return;
    }
  }

  private applyAppointment(tenantId: string, appointmentId: string, event: AppointmentEvent): void {
    const k = key(tenantId, appointmentId);
    if (event.type === 'AppointmentScheduled') {
      const d = event.data;
      this.appointments.set(k, {
        tenantId,
        appointmentId,
        status: 'scheduled',
        startsAt: new Date(d.startsAt).toISOString(),
        durationMinutes: d.durationMinutes,
        timeZone: d.timeZone,
        service: d.service,
        customer: d.customer,
        revision: 0,
        ...(d.placement !== undefined && { placement: d.placement }),
        ...(d.contactId !== undefined && { contactId: d.contactId }),
        ...(d.language !== undefined && { language: d.language }),
        ...(d.agentId !== undefined && { agentId: d.agentId }),
        ...(d.callId !== undefined && { callId: d.callId }),
      });
      return;
    }
    const appointment = this.appointments.get(k);
    if (!appointment) return;
    switch (event.type) {
      case 'AppointmentConfirmed':
        appointment.status = 'confirmed';
        return;
      case 'AppointmentRescheduled':
        appointment.status = 'scheduled';
        appointment.startsAt = new Date(event.data.to.startsAt).toISOString();
        appointment.durationMinutes = event.data.to.durationMinutes;
        appointment.revision += 1;
        if (appointment.placement && event.data.to.resourceId !== undefined) {
          appointment.placement = { ...appointment.placement, resourceId: event.data.to.resourceId };
        }
        return;
      case 'AppointmentCancelled':
        appointment.status = 'cancelled';
        return;
      case 'AppointmentCompleted':
        appointment.status = 'completed';
        return;
      case 'AppointmentNoShow':
        appointment.status = 'no_show';
        return;
    }
  }

  private index(tenantId: string, contact: ContactEntry, add: boolean): void {
    for (const address of [...contact.phones, ...contact.emails.map((e) => e.toLowerCase())]) {
      const k = key(tenantId, address);
      const ids = this.byAddress.get(k) ?? new Set<string>();
      if (add) ids.add(contact.contactId);
      else ids.delete(contact.contactId);
      if (ids.size > 0) this.byAddress.set(k, ids);
      else this.byAddress.delete(k);
    }
  }

  private applyContact(tenantId: string, contactId: string, event: ContactEvent): void {
    const k = key(tenantId, contactId);
    if (event.type === 'ContactCreated') {
      const d = event.data;
      const contact: ContactEntry = {
        contactId,
        name: d.name,
        phones: d.phones,
        emails: d.emails,
        ...(d.language !== undefined && { language: d.language }),
        ...(d.timeZone !== undefined && { timeZone: d.timeZone }),
        consent: Object.fromEntries(d.consent.map((channel) => [channel, true])),
        deleted: false,
      };
      this.contacts.set(k, contact);
      this.index(tenantId, contact, true);
      return;
    }
    const contact = this.contacts.get(k);
    if (!contact) return;
    switch (event.type) {
      case 'ContactUpdated': {
        this.index(tenantId, contact, false);
        const d = event.data;
        const updated: ContactEntry = {
          ...contact,
          ...(d.name !== undefined && { name: d.name }),
          ...(d.phones !== undefined && { phones: d.phones }),
          ...(d.emails !== undefined && { emails: d.emails }),
          ...(d.language !== undefined && { language: d.language }),
          ...(d.timeZone !== undefined && { timeZone: d.timeZone }),
        };
        this.contacts.set(k, updated);
        if (!updated.deleted) this.index(tenantId, updated, true);
        return;
      }
      case 'ConsentRecorded': {
        const consent: Partial<Record<ConsentChannel, boolean>> = {
          ...contact.consent,
          [event.data.channel]: event.data.granted,
        };
        this.contacts.set(k, { ...contact, consent });
        return;
      }
      case 'ContactDeleted':
        this.index(tenantId, contact, false);
        contact.deleted = true;
        return;
      default:
        return;
    }
  }

  private applyMessage(tenantId: string, messageId: string, event: MessageEvent): void {
    const k = key(tenantId, messageId);
    switch (event.type) {
      case 'MessageScheduled': {
        const { appointmentId, purpose, channel, dueAt, expiresAt } = event.data;
        if (purpose === 'reply') this.answers.set(k, { to: addressKey(event.data.to), at: dueAt });
        if (appointmentId === undefined || purpose === 'billing_notice' || purpose === 'integration_notice')
          return;
        const a = key(tenantId, appointmentId);
        const appointment = this.appointments.get(a);
        const offsets = [
          ...((appointment && this.serviceOf(appointment)?.reminders?.offsetsMinutes) ?? []),
          ...(this.settings.get(tenantId)?.reminderOffsetsMinutes ?? DEFAULT_OFFSETS),
        ];
        const revision = revisionOf(
          messageId,
          { appointmentId, purpose, channel, dueAt },
          appointment?.revision ?? 0,
          offsets,
          expiresAt,
        );
        const list = this.messages.get(a) ?? new Map<string, MessageEntry>();
        list.set(messageId, { messageId, appointmentId, purpose, channel, dueAt, revision, pending: true });
        this.messages.set(a, list);
        this.messageAppointment.set(k, a);
        return;
      }
      case 'MessageSent':
      case 'MessageCancelled':
      case 'MessageAbandoned': {
        const a = this.messageAppointment.get(k);
        const entry = a === undefined ? undefined : this.messages.get(a)?.get(messageId);
        if (entry) entry.pending = false;
        return;
      }
      case 'MessageReplyHandled': {
        this.handledReplies.add(k);
        // The answer is planned before the handling is recorded (replies.ts): both are in the log by now.
        const answerKey = key(tenantId, derivedMessageId(`reply-${messageId}`));
        const answer = this.answers.get(answerKey);
        this.answers.delete(answerKey);
        if (answer && event.data.intent === 'unknown') {
          this.notUnderstoodAnswered.set(key(tenantId, answer.to), answer.at);
        }
        return;
      }
      default:
        return;
    }
  }

  appointment(tenantId: string, appointmentId: string): AppointmentEntry | undefined {
    return this.appointments.get(key(tenantId, appointmentId));
  }

  openAppointments(): AppointmentEntry[] {
    return [...this.appointments.values()].filter(isOpen);
  }

  contact(tenantId: string, contactId: string): ContactEntry | undefined {
    const contact = this.contacts.get(key(tenantId, contactId));
    return contact && !contact.deleted ? contact : undefined;
  }

  /** The contact a number or address belongs to (the first one created when several share it). */
  contactByAddress(tenantId: string, address: string): ContactEntry | undefined {
    const ids = this.byAddress.get(key(tenantId, address.includes('@') ? address.toLowerCase() : address));
    for (const id of ids ?? []) {
      const contact = this.contact(tenantId, id);
      if (contact) return contact;
    }
    return undefined;
  }

  /** An appointment's contact: the one it names, else the one its customer's number belongs to. */
  contactOf(appointment: AppointmentEntry): ContactEntry | undefined {
    if (appointment.contactId !== undefined) {
      const named = this.contact(appointment.tenantId, appointment.contactId);
      if (named) return named;
    }
    const { phone, email } = appointment.customer;
    return (
      (phone !== undefined ? this.contactByAddress(appointment.tenantId, phone) : undefined) ??
      (email !== undefined ? this.contactByAddress(appointment.tenantId, email) : undefined)
    );
  }

  /** The open appointments of a contact, or of whoever booked with this number or address. */
  appointmentsOf(tenantId: string, contactId: string | undefined, address: string): AppointmentEntry[] {
    const lower = address.toLowerCase();
    return this.openAppointments().filter(
      (a) =>
        a.tenantId === tenantId &&
        ((contactId !== undefined && this.contactOf(a)?.contactId === contactId) ||
          a.customer.phone === address ||
          a.customer.email?.toLowerCase() === lower),
    );
  }

  settingsOf(tenantId: string): ScheduleSettings | undefined {
    return this.settings.get(tenantId);
  }

  serviceOf(appointment: AppointmentEntry): ServiceToPlan | undefined {
    const serviceId = appointment.placement?.serviceIds[0];
    return serviceId === undefined ? undefined : this.services.get(key(appointment.tenantId, serviceId));
  }

  staffOf(appointment: AppointmentEntry): string | undefined {
    const resourceId = appointment.placement?.resourceId;
    return resourceId === undefined ? undefined : this.resources.get(key(appointment.tenantId, resourceId));
  }

  /** A message planned about an appointment. */
  message(tenantId: string, messageId: string): MessageEntry | undefined {
    const a = this.messageAppointment.get(key(tenantId, messageId));
    return a === undefined ? undefined : this.messages.get(a)?.get(messageId);
  }

  pendingMessages(tenantId: string, appointmentId: string): MessageEntry[] {
    return [...(this.messages.get(key(tenantId, appointmentId))?.values() ?? [])].filter((m) => m.pending);
  }

  /** When a message from this address that was not understood was last answered. */
  notUnderstoodAnsweredAt(tenantId: string, address: string): string | undefined {
    return this.notUnderstoodAnswered.get(key(tenantId, addressKey(address)));
  }

  replyHandled(tenantId: string, messageId: string): boolean {
    return this.handledReplies.has(key(tenantId, messageId));
  }
}
