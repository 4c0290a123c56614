import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { ServiceReminders } from '@ccp/schemas';
import {
  renderTemplate,
  ScheduleSettings as ScheduleSettingsSchema,
  type AppointmentCustomer,
  type AppointmentPlacement,
  type ConsentChannel,
  type MessageChannel,
  type MessagePurpose,
  type MessageTemplate,
  type Price,
  type ScheduleSettings,
  type TemplateVariable,
} from '@ccp/schemas';
import { builtInTemplate } from './default-templates.js';
import { outsideQuietHours } from './quiet-hours.js';

/** What planning needs of an appointment, as folded from its stream. */
export interface AppointmentToPlan {
  readonly tenantId: string;
  readonly appointmentId: string;
  /** Absent: taken as open. Only an open (scheduled or confirmed) appointment gets confirmations and reminders. */
  readonly status?: 'scheduled' | 'confirmed' | 'cancelled' | 'completed' | 'no_show';
  readonly startsAt: string;
  readonly durationMinutes: number;
  readonly timeZone: string;
  /** The service's name as booked. */
  readonly service: string;
  readonly placement?: AppointmentPlacement;
  readonly customer: AppointmentCustomer;
  readonly contactId?: string;
  readonly language?: string;
  /** How many times its time was changed: the messages of each time are planned apart. */
  readonly revision: number;
}

export interface ContactToPlan {
  readonly name: string;
  readonly phones: readonly string[];
  readonly emails: readonly string[];
  readonly language?: string;
  readonly timeZone?: string;
  /** The last consent recorded per channel: true given, false withdrawn, absent never asked. */
  readonly consent: Readonly<Partial<Record<ConsentChannel, boolean>>>;
}

export interface ServiceToPlan {
  readonly reminders?: z.infer<typeof ServiceReminders>;
  readonly price?: Price;
}

export interface BusinessToPlan {
  readonly name: string;
  readonly staffName?: string;
  /** Our number that SMS and WhatsApp messages go from. */
  readonly senderNumber?: string;
}

export interface PlanInput {
  readonly appointment: AppointmentToPlan;
  /** The tenant's schedule settings; undefined: never configured (the defaults). */
  readonly settings?: ScheduleSettings;
  readonly service?: ServiceToPlan;
  readonly contact?: ContactToPlan;
  readonly business: BusinessToPlan;
  readonly now: Date;
}

/** The data of a ScheduleMessage command. */
export interface PlannedMessage {
  readonly tenantId: string;
  readonly messageId: string;
  readonly channel: MessageChannel;
  readonly to: string;
  readonly from?: string;
  readonly purpose: MessagePurpose;
  readonly language: string;
  readonly subject?: string;
  readonly body: string;
  readonly contactId?: string;
  readonly appointmentId: string;
  readonly dueAt: string;
  readonly expiresAt?: string;
}

const DEFAULT_SETTINGS: ScheduleSettings = ScheduleSettingsSchema.parse({});
const MAX_ID = 80;
const MAX_BODY = 1600;
const MAX_SUBJECT = 200;

/** A message id from what the message is for; too long for an EntityId, it is hashed (same input, same id). */
export const derivedMessageId = (name: string): string =>
  name.length <= MAX_ID ? name : `msg-${createHash('sha256').update(name).digest('hex').slice(0, 48)}`;

export const appointmentMessageId = (
  appointmentId: string,
  revision: number,
  purpose: MessagePurpose,
  channel: MessageChannel,
  offsetMinutes?: number,
): string =>
  derivedMessageId(
    `apt-${appointmentId}-r${revision}-${purpose}${offsetMinutes === undefined ? '' : `-${offsetMinutes}`}-${channel}`,
  );

const primaryLanguage = (tag: string | undefined): string | undefined =>
  tag?.toLowerCase().split('-')[0] || undefined;

/** A channel the contact can be reached on, and the address: the settings' order, consent respected. */
const channelOf = (
  channels: readonly MessageChannel[],
  appointment: AppointmentToPlan,
  contact: ContactToPlan | undefined,
): { channel: MessageChannel; to: string } | undefined => {
  for (const channel of channels) {
    const consent = contact?.consent[channel];
    // SMS and email go unless withdrawn; WhatsApp only to someone who said yes to it.
    if (consent === false || (channel === 'whatsapp' && consent !== true)) continue;
    const to =
      channel === 'email'
        ? (contact?.emails[0] ?? appointment.customer.email)
        : (contact?.phones[0] ?? appointment.customer.phone);
    if (to !== undefined) return { channel, to };
  }
  return undefined;
};

type Purpose = Exclude<MessagePurpose, 'reply'>;

const templateFor = (
  templates: readonly MessageTemplate[],
  purpose: Purpose,
  channel: MessageChannel,
  languages: readonly string[],
): { subject?: string; body: string; language: string } | undefined => {
  for (const language of languages) {
    const own = templates.find(
      (t) => t.purpose === purpose && t.channel === channel && t.language === language,
    );
    const builtIn = builtInTemplate(purpose, channel, language);
    if (own) {
      const subject = own.subject ?? builtIn?.subject;
      return { ...(subject !== undefined && { subject }), body: own.body, language };
    }
    if (builtIn) return { ...builtIn, language };
  }
  return undefined;
};

const formatPrice = (price: Price, language: string): string => {
  try {
    return new Intl.NumberFormat(language, { style: 'currency', currency: price.currency }).format(
      price.amountMinor / 100,
    );
  } catch {
    return `${(price.amountMinor / 100).toFixed(2)} ${price.currency}`;
  }
};

const formatters = new Map<string, { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();
/** Building a DateTimeFormat costs far more than using one: one pair per language and zone. */
const formattersFor = (language: string, timeZone: string) => {
  const key = `${language}|${timeZone}`;
  let pair = formatters.get(key);
  if (!pair) {
    pair = {
      date: new Intl.DateTimeFormat(language, { timeZone, weekday: 'long', day: 'numeric', month: 'long' }),
      time: new Intl.DateTimeFormat(language, { timeZone, hour: 'numeric', minute: '2-digit' }),
    };
    formatters.set(key, pair);
  }
  return pair;
};

const variablesFor = (
  input: PlanInput,
  language: string,
  timeZone: string,
): Partial<Record<TemplateVariable, string>> => {
  const { appointment, contact, business, service } = input;
  const start = new Date(appointment.startsAt);
  const formats = formattersFor(language, timeZone);
  const date = formats.date.format(start);
  const time = formats.time.format(start);
  return {
    name: contact?.name ?? appointment.customer.name,
    service: appointment.service,
    date,
    time,
    business: business.name,
    duration: `${appointment.durationMinutes} min`,
    ...(business.staffName !== undefined && { staff: business.staffName }),
    ...(service?.price && { price: formatPrice(service.price, language) }),
  };
};

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/** One message for a purpose, or none (no reachable channel, no template, or too late to matter). */
const planOne = (
  input: PlanInput,
  settings: ScheduleSettings,
  purpose: Purpose,
  dueAt: number,
  offsetMinutes?: number,
): PlannedMessage | undefined => {
  const { appointment, contact, business } = input;
  const reach = channelOf(settings.channels, appointment, contact);
  if (!reach) return undefined;
  const timeZone = contact?.timeZone ?? appointment.timeZone;
  const startsAt = Date.parse(appointment.startsAt);
  const due = outsideQuietHours(Math.max(dueAt, input.now.getTime()), settings.quietHours, timeZone);
  // A cancellation is news even after the start would have been; anything else is pointless by then.
  if (purpose !== 'cancellation' && due >= startsAt) return undefined;
  const languages = [
    ...new Set([primaryLanguage(contact?.language), primaryLanguage(appointment.language), 'en']),
  ].filter((l): l is string => l !== undefined);
  const templates = [...(input.service?.reminders?.templates ?? []), ...settings.templates];
  const template = templateFor(templates, purpose, reach.channel, languages);
  if (!template) return undefined;
  const values = variablesFor(input, template.language, timeZone);
  const body = clip(renderTemplate(template.body, values).trim(), MAX_BODY);
  const subject =
    reach.channel === 'email' && template.subject !== undefined
      ? clip(renderTemplate(template.subject, values).trim(), MAX_SUBJECT)
      : undefined;
  if (body === '') return undefined;
  const sender = reach.channel === 'email' ? undefined : business.senderNumber;
  return {
    tenantId: appointment.tenantId,
    messageId: appointmentMessageId(
      appointment.appointmentId,
      appointment.revision,
      purpose,
      reach.channel,
      offsetMinutes,
    ),
    channel: reach.channel,
    to: reach.to,
    ...(sender !== undefined && { from: sender }),
    purpose,
    language: template.language,
    ...(subject !== undefined && subject !== '' && { subject }),
    body,
    ...(appointment.contactId !== undefined && { contactId: appointment.contactId }),
    appointmentId: appointment.appointmentId,
    dueAt: new Date(due).toISOString(),
    ...(purpose !== 'cancellation' && { expiresAt: new Date(startsAt).toISOString() }),
  };
};

/**
 * The messages of an appointment's current time: a confirmation when it is booked (a "rescheduled" notice when
 * it was moved) if the tenant sends them, and a reminder per offset. Each goes on the first channel the contact
 * can be reached on, in their language, outside quiet hours in their zone; a message that could only go after
 * the start (or a reminder already past) is not planned. Ids are derived, so planning twice schedules once.
 */
export const planAppointmentMessages = (input: PlanInput): PlannedMessage[] => {
  const settings = input.settings ?? DEFAULT_SETTINGS;
  const { appointment } = input;
  const startsAt = Date.parse(appointment.startsAt);
  const now = input.now.getTime();
  if (!(startsAt > now)) return [];
  if (
    appointment.status !== undefined &&
    appointment.status !== 'scheduled' &&
    appointment.status !== 'confirmed'
  ) {
    return [];
  }
  const planned: (PlannedMessage | undefined)[] = [];
  if (settings.confirmations) {
    planned.push(planOne(input, settings, appointment.revision > 0 ? 'rescheduled' : 'confirmation', now));
  }
  const offsets = input.service?.reminders?.offsetsMinutes ?? settings.reminderOffsetsMinutes;
  for (const offset of [...new Set(offsets)].sort((a, b) => b - a)) {
    const due = startsAt - offset * 60_000;
    if (due < now) continue;
    planned.push(planOne(input, settings, 'reminder', due, offset));
  }
  return planned.filter((m): m is PlannedMessage => m !== undefined);
};

/** The notice that an appointment was cancelled, when the tenant sends confirmations and it was still ahead. */
export const planCancellationNotice = (input: PlanInput): PlannedMessage | undefined => {
  const settings = input.settings ?? DEFAULT_SETTINGS;
  if (!settings.confirmations) return undefined;
  if (!(Date.parse(input.appointment.startsAt) > input.now.getTime())) return undefined;
  return planOne(input, settings, 'cancellation', input.now.getTime());
};
