import {
  AddToDoNotCall,
  ContactDoNotCallChanged,
  CreateContact,
  DeleteContact,
  RecordConsent,
  RemoveFromDoNotCall,
  SetContactDoNotCall,
  UpdateContact,
} from '@ccp/schemas';
import { contactDecider } from '../domain/contact.js';
import { reactionInput } from './reaction-input.js';
import { request, route, type CommandRoute, type Reactions } from './route.js';

export const contactStream = (data: { tenantId: string; contactId: string }) => ({
  category: 'contact',
  tenantId: data.tenantId,
  id: data.contactId,
});

const staff = { stream: contactStream, roles: ['tenant_admin', 'supervisor', 'agent'] } as const;

export const contactRoutes: readonly CommandRoute[] = [
  route(CreateContact, contactDecider, { ...staff, retryOnConflict: false }),
  // Whoever edits a contact changed fields they saw; a concurrent edit must be looked at, not overwritten.
  route(UpdateContact, contactDecider, { ...staff, retryOnConflict: false }),
  // Consent, the flag and deletion are set to a value, whatever the contact looked like before.
  route(RecordConsent, contactDecider, { ...staff, retryOnConflict: true }),
  route(SetContactDoNotCall, contactDecider, { ...staff, retryOnConflict: true }),
  route(DeleteContact, contactDecider, { ...staff, retryOnConflict: true }),
];

export const contactReactions: Reactions = {
  // The do-not-call list is what campaigns check: a flagged contact's numbers go on it, and come off with the flag.
  ContactDoNotCallChanged: (event) => {
    const { tenantId, data } = reactionInput(ContactDoNotCallChanged, event);
    if (data.phones.length === 0) return [];
    return [
      data.doNotCall
        ? request(AddToDoNotCall, { tenantId, numbers: data.phones, source: 'manual' })
        : request(RemoveFromDoNotCall, { tenantId, numbers: data.phones }),
    ];
  },
};
