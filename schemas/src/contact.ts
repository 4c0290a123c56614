import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { MessageChannel } from './message-template.js';
import { E164, Email, EntityId, LanguageTag, Name, TenantId, TimeZone } from './primitives.js';

/**
 * A person the business deals with (`contact-<tenant>.<contactId>`): names, numbers and addresses, language and
 * time zone, consent per channel, notes and tags. Calls, tickets and leads are linked to a contact by its
 * numbers, appointments also by their `contactId`. Everything about the person is personal data, encrypted with
 * the contact's own key, so erasing the contact erases them.
 */
const category = 'contact';

/** Channels a contact can agree (or refuse) to be reached on. */
export const ConsentChannel = z.enum([...MessageChannel.options, 'calls']);
export type ConsentChannel = z.infer<typeof ConsentChannel>;

const profileFields = {
  name: Name,
  phones: z.array(E164).max(10),
  emails: z.array(Email).max(10),
  language: LanguageTag.optional(),
  timeZone: TimeZone.optional(),
  notes: z.string().trim().max(5000).optional(),
  tags: z.array(z.string().trim().min(1).max(40)).max(30),
};

export const ContactProfile = z.object({
  ...profileFields,
  phones: profileFields.phones.default([]),
  emails: profileFields.emails.default([]),
  tags: profileFields.tags.default([]),
});
export type ContactProfile = z.infer<typeof ContactProfile>;

/**
 * The fields of an update, none with a default: zod fills a default in even for an optional key, so an update
 * naming only the name would otherwise arrive with its phones, emails and tags emptied.
 */
export const ContactChanges = z.object(profileFields).partial();
export type ContactChanges = z.infer<typeof ContactChanges>;

const contactKey = { tenantId: TenantId, contactId: EntityId };

export const CreateContact = defineCommand(
  category,
  'CreateContact',
  z
    .object({
      ...contactKey,
      ...ContactProfile.shape,
      /** Consent given when the contact is created (a form, a booking by phone). */
      consent: z.array(ConsentChannel).max(4).default([]),
    })
    .refine((c) => c.phones.length + c.emails.length > 0, {
      message: 'a contact needs a phone number or an email',
      path: ['phones'],
    }),
  'Add a contact with at least one phone number or email.',
);
export const UpdateContact = defineCommand(
  category,
  'UpdateContact',
  z.object({ ...contactKey, ...ContactChanges.shape }),
  'Change the given profile fields; fields not sent stay as they are.',
);
export const RecordConsent = defineCommand(
  category,
  'RecordConsent',
  z.object({
    ...contactKey,
    channel: ConsentChannel,
    granted: z.boolean(),
    /** How it was given or withdrawn: a reply ("STOP"), a person in the console, the caller on a call. */
    source: z.enum(['message_reply', 'console', 'call', 'import']),
    /** The inbound message or call it came from. */
    evidenceId: EntityId.optional(),
  }),
  'Record that the contact agreed, or no longer agrees, to be reached on a channel.',
);
export const SetContactDoNotCall = defineCommand(
  category,
  'SetContactDoNotCall',
  z.object({ ...contactKey, doNotCall: z.boolean() }),
  'Mark the contact never to be called by a campaign (their numbers also go on the do-not-call list).',
);
export const DeleteContact = defineCommand(
  category,
  'DeleteContact',
  z.object(contactKey),
  'Remove a contact from the lists; its history stays (erase the person to remove their data).',
);

export const ContactCreated = defineEvent(
  category,
  'ContactCreated',
  1,
  ContactProfile.extend({ consent: z.array(ConsentChannel) }),
);
export const ContactUpdated = defineEvent(category, 'ContactUpdated', 1, ContactChanges);
export const ConsentRecorded = defineEvent(
  category,
  'ConsentRecorded',
  1,
  z.object({
    channel: ConsentChannel,
    granted: z.boolean(),
    source: z.enum(['message_reply', 'console', 'call', 'import']),
    evidenceId: EntityId.optional(),
  }),
);
export const ContactDoNotCallChanged = defineEvent(
  category,
  'ContactDoNotCallChanged',
  1,
  // The numbers go with the flag so that the do-not-call list can follow from the event alone.
  z.object({ doNotCall: z.boolean(), phones: z.array(E164) }),
);
export const ContactDeleted = defineEvent(category, 'ContactDeleted', 1, z.object({}));

export const contactCommands = [
  CreateContact,
  UpdateContact,
  RecordConsent,
  SetContactDoNotCall,
  DeleteContact,
] as const;
export const contactEvents = [
  ContactCreated,
  ContactUpdated,
  ConsentRecorded,
  ContactDoNotCallChanged,
  ContactDeleted,
] as const;
