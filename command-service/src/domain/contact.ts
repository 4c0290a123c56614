import type {
  CommandOf,
  ConsentChannel,
  ContactChanges,
  ContactProfile,
  EventOf,
  contactCommands,
  contactEvents,
} from '@ccp/schemas';
import { changedFields, isEmpty } from './changes.js';
import { DomainError, type Decider } from './decider.js';

export type ContactCommand = CommandOf<(typeof contactCommands)[number]>;
export type ContactEvent = EventOf<(typeof contactEvents)[number]>;

export type ContactState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active' | 'deleted';
      readonly profile: ContactProfile;
      /** What the contact last said per channel; a channel never asked about is absent. */
      readonly consent: Readonly<Partial<Record<ConsentChannel, boolean>>>;
      readonly doNotCall: boolean;
    };

type ExistingContact = Exclude<ContactState, { status: 'none' }>;

const existing = (state: ContactState): ExistingContact => {
  if (state.status === 'none') {
    throw new DomainError('CONTACT_NOT_FOUND', 'the contact does not exist', 'contactId');
  }
  return state;
};

const active = (state: ContactState): ExistingContact => {
  const contact = existing(state);
  if (contact.status === 'deleted') {
    throw new DomainError('CONTACT_DELETED', 'the contact was deleted', 'contactId');
  }
  return contact;
};

/** Whether the contact agreed to be reached on a channel (and has not withdrawn it since). */
export const hasConsent = (state: ContactState, channel: ConsentChannel): boolean =>
  state.status === 'active' && state.consent[channel] === true;

const update = (contact: ExistingContact, data: ContactChanges): ContactEvent[] => {
  const current = { language: undefined, timeZone: undefined, notes: undefined, ...contact.profile };
  const changes = changedFields(current, data);
  if (isEmpty(changes)) return [];
  const phones = changes.phones ?? contact.profile.phones;
  const emails = changes.emails ?? contact.profile.emails;
  if (phones.length + emails.length === 0) {
    throw new DomainError(
      'CONTACT_UNREACHABLE',
      'a contact needs a phone number or an email',
      changes.phones ? 'phones' : 'emails',
    );
  }
  const events: ContactEvent[] = [{ type: 'ContactUpdated', data: changes }];
  // A person who asked not to be called keeps asking on a new number: the list follows the numbers.
  const added = phones.filter((phone) => !contact.profile.phones.includes(phone));
  if (contact.doNotCall && added.length > 0) {
    events.push({ type: 'ContactDoNotCallChanged', data: { doNotCall: true, phones } });
  }
  return events;
};

export const decide = (command: ContactCommand, state: ContactState): ContactEvent[] => {
  switch (command.type) {
    case 'CreateContact': {
      if (state.status !== 'none') {
        throw new DomainError(
          'CONTACT_EXISTS',
          `contact ${command.data.contactId} already exists`,
          'contactId',
        );
      }
      const { tenantId: _tenantId, contactId: _contactId, consent, ...profile } = command.data;
      return [{ type: 'ContactCreated', data: { ...profile, consent: [...new Set(consent)] } }];
    }
    case 'UpdateContact': {
      const { tenantId: _tenantId, contactId: _contactId, ...changes } = command.data;
      return update(active(state), changes);
    }
    case 'RecordConsent': {
      const contact = active(state);
      const { channel, granted, source, evidenceId } = command.data;
      if (contact.consent[channel] === granted) return [];
      return [
        {
          type: 'ConsentRecorded',
          data: { channel, granted, source, ...(evidenceId === undefined ? {} : { evidenceId }) },
        },
      ];
    }
    case 'SetContactDoNotCall': {
      const contact = active(state);
      const { doNotCall } = command.data;
      if (contact.doNotCall === doNotCall) return [];
      return [{ type: 'ContactDoNotCallChanged', data: { doNotCall, phones: contact.profile.phones } }];
    }
    case 'DeleteContact': {
      const contact = existing(state);
      return contact.status === 'deleted' ? [] : [{ type: 'ContactDeleted', data: {} }];
    }
  }
};

export const evolve = (state: ContactState, event: ContactEvent): ContactState => {
  if (event.type === 'ContactCreated') {
    const { consent, ...profile } = event.data;
    return {
      status: 'active',
      profile,
      consent: Object.fromEntries(consent.map((channel) => [channel, true])),
      doNotCall: false,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ContactUpdated':
      return { ...state, profile: { ...state.profile, ...event.data } };
    case 'ConsentRecorded':
      return { ...state, consent: { ...state.consent, [event.data.channel]: event.data.granted } };
    case 'ContactDoNotCallChanged':
      return { ...state, doNotCall: event.data.doNotCall };
    case 'ContactDeleted':
      return { ...state, status: 'deleted' };
  }
};

export const contactDecider: Decider<ContactCommand, ContactEvent, ContactState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
