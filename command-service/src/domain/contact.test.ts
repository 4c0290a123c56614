import { describe, expect, it } from 'vitest';
import {
  CreateContact,
  DeleteContact,
  RecordConsent,
  SetContactDoNotCall,
  UpdateContact,
  parseWith,
} from '@ccp/schemas';
import { fold } from './decider.js';
import { contactDecider, hasConsent, type ContactEvent } from './contact.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(contactDecider);

const key = { tenantId: 'acme', contactId: 'maria' };
const profile = {
  name: 'Maria Lopez',
  phones: ['+15550100001'],
  emails: ['maria@example.com'],
  language: 'es',
  tags: ['vip'],
};
const created: ContactEvent = { type: 'ContactCreated', data: { ...profile, consent: ['sms'] } };
const deleted: ContactEvent = { type: 'ContactDeleted', data: {} };
const dncOn: ContactEvent = {
  type: 'ContactDoNotCallChanged',
  data: { doNotCall: true, phones: profile.phones },
};

describe('contact decider', () => {
  describe('CreateContact', () => {
    it('creates a contact with its consent, each channel once', () =>
      given([])
        .when(command(CreateContact, { ...key, ...profile, consent: ['sms', 'sms'] }))
        .then(created));

    it('refuses an id that is taken, even by a deleted contact', () => {
      given([created])
        .when(command(CreateContact, { ...key, ...profile }))
        .thenThrows(refusedWith('CONTACT_EXISTS', 'contactId'));
      given([created, deleted])
        .when(command(CreateContact, { ...key, ...profile }))
        .thenThrows(refusedWith('CONTACT_EXISTS', 'contactId'));
    });

    it('is refused by its schema without a phone number or an email', () => {
      const parsed = parseWith(CreateContact.data, { ...key, name: 'Nobody' });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error.field).toBe('phones');
    });
  });

  describe('UpdateContact', () => {
    it('records only the fields that changed, and keeps the ones not sent', () => {
      given([created])
        .when(
          command(UpdateContact, { ...key, name: 'Maria Lopez', notes: 'Prefers mornings', tags: ['vip'] }),
        )
        .then({ type: 'ContactUpdated', data: { notes: 'Prefers mornings' } });
      const state = fold(contactDecider, [created, { type: 'ContactUpdated', data: { notes: 'Mornings' } }]);
      expect(state.status === 'active' && state.profile).toStrictEqual({ ...profile, notes: 'Mornings' });
    });

    it('stores nothing when nothing changed', () =>
      given([created])
        .when(command(UpdateContact, { ...key, ...profile }))
        .thenNothingHappened());

    it('refuses to leave a contact with neither phone nor email', () => {
      given([created])
        .when(command(UpdateContact, { ...key, phones: [], emails: [] }))
        .thenThrows(refusedWith('CONTACT_UNREACHABLE', 'phones'));
      given([created, { type: 'ContactUpdated', data: { phones: [] } }])
        .when(command(UpdateContact, { ...key, emails: [] }))
        .thenThrows(refusedWith('CONTACT_UNREACHABLE', 'emails'));
    });

    it('lets one of the two go while the other stays', () =>
      given([created])
        .when(command(UpdateContact, { ...key, phones: [] }))
        .then({ type: 'ContactUpdated', data: { phones: [] } }));

    it('puts a new number of a contact who asked not to be called on the list too', () => {
      const phones = ['+15550100001', '+15550100002'];
      given([created, dncOn])
        .when(command(UpdateContact, { ...key, phones }))
        .then([
          { type: 'ContactUpdated', data: { phones } },
          { type: 'ContactDoNotCallChanged', data: { doNotCall: true, phones } },
        ]);
      given([created])
        .when(command(UpdateContact, { ...key, phones }))
        .then({ type: 'ContactUpdated', data: { phones } });
    });

    it('refuses a contact that does not exist or was deleted', () => {
      given([])
        .when(command(UpdateContact, { ...key, name: 'M' }))
        .thenThrows(refusedWith('CONTACT_NOT_FOUND'));
      given([created, deleted])
        .when(command(UpdateContact, { ...key, name: 'M' }))
        .thenThrows(refusedWith('CONTACT_DELETED', 'contactId'));
    });
  });

  describe('RecordConsent', () => {
    const consent = { ...key, channel: 'sms', source: 'message_reply', evidenceId: 'msg-9' } as const;

    it('records a withdrawal, and then nothing when it is said again', () => {
      const withdrawn: ContactEvent = {
        type: 'ConsentRecorded',
        data: { channel: 'sms', granted: false, source: 'message_reply', evidenceId: 'msg-9' },
      };
      given([created])
        .when(command(RecordConsent, { ...consent, granted: false }))
        .then(withdrawn);
      given([created, withdrawn])
        .when(command(RecordConsent, { ...consent, granted: false }))
        .thenNothingHappened();
      expect(hasConsent(fold(contactDecider, [created]), 'sms')).toBe(true);
      expect(hasConsent(fold(contactDecider, [created, withdrawn]), 'sms')).toBe(false);
    });

    it('records nothing for consent already given at creation', () =>
      given([created])
        .when(command(RecordConsent, { ...consent, granted: true }))
        .thenNothingHappened());

    it('records a refusal on a channel never asked about', () =>
      given([created])
        .when(command(RecordConsent, { ...key, channel: 'calls', granted: false, source: 'call' }))
        .then({ type: 'ConsentRecorded', data: { channel: 'calls', granted: false, source: 'call' } }));

    it('refuses a deleted contact', () =>
      given([created, deleted])
        .when(command(RecordConsent, { ...consent, granted: true, channel: 'email' }))
        .thenThrows(refusedWith('CONTACT_DELETED')));
  });

  describe('SetContactDoNotCall', () => {
    it('carries the contact’s current numbers', () =>
      given([created, { type: 'ContactUpdated', data: { phones: ['+15550100009'] } }])
        .when(command(SetContactDoNotCall, { ...key, doNotCall: true }))
        .then({ type: 'ContactDoNotCallChanged', data: { doNotCall: true, phones: ['+15550100009'] } }));

    it('stores nothing when the flag is already so', () => {
      given([created])
        .when(command(SetContactDoNotCall, { ...key, doNotCall: false }))
        .thenNothingHappened();
      given([created, dncOn])
        .when(command(SetContactDoNotCall, { ...key, doNotCall: true }))
        .thenNothingHappened();
    });

    it('lifts the flag with the numbers', () =>
      given([created, dncOn])
        .when(command(SetContactDoNotCall, { ...key, doNotCall: false }))
        .then({ type: 'ContactDoNotCallChanged', data: { doNotCall: false, phones: profile.phones } }));
  });

  describe('DeleteContact', () => {
    it('deletes once', () => {
      given([created]).when(command(DeleteContact, key)).then(deleted);
      given([created, deleted]).when(command(DeleteContact, key)).thenNothingHappened();
    });

    it('refuses a contact that never existed', () =>
      given([]).when(command(DeleteContact, key)).thenThrows(refusedWith('CONTACT_NOT_FOUND', 'contactId')));
  });
});
