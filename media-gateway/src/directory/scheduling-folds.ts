import { calendarDecider, type CalendarState } from '@ccp/command-service';
import type { ContactEntry, DirectoryEvent, ServiceEntry, TenantData } from './directory-entries.js';

/**
 * How the directory (directory.ts) folds what booking on a call needs: the tenant's services, each resource's
 * calendar and the contacts (by number, so that a caller is known when the call rings).
 */

export const applyService = (
  services: Map<string, ServiceEntry>,
  serviceId: string,
  event: DirectoryEvent,
): void => {
  switch (event.type) {
    case 'ServiceDefined':
    case 'ServiceRevised': {
      const d = event.data;
      services.set(serviceId, {
        serviceId,
        name: d.name,
        durationMinutes: d.durationMinutes,
        bufferBeforeMinutes: d.bufferBeforeMinutes,
        bufferAfterMinutes: d.bufferAfterMinutes,
        resourceIds: d.resourceIds,
        languages: d.languages,
        retired: false,
      });
      return;
    }
    case 'ServiceRetired': {
      const service = services.get(serviceId);
      if (service) service.retired = true;
      return;
    }
  }
};

type CalendarEvent = Parameters<typeof calendarDecider.evolve>[1];

const CALENDAR_TYPES: ReadonlySet<string> = new Set([
  'ResourceAdded',
  'ResourceRevised',
  'ResourceRemoved',
  'TimeOffAdded',
  'TimeOffRemoved',
  'SlotReserved',
  'SlotReleased',
  'ExternalBusySynced',
  'ExternalCalendarLinked',
  'ExternalCalendarUnlinked',
  'ExternalEventRecorded',
]);

/**
 * A calendar is folded with the calendar decider's own evolve, so that the slots a call offers are judged on
 * exactly the state ReserveSlot will be decided on.
 */
export const applyCalendar = (
  calendars: Map<string, CalendarState>,
  resourceId: string,
  event: DirectoryEvent,
): void => {
  if (!CALENDAR_TYPES.has(event.type)) return;
  const state = calendars.get(resourceId) ?? calendarDecider.initialState();
  calendars.set(resourceId, calendarDecider.evolve(state, event as unknown as CalendarEvent));
};

const indexPhones = (data: TenantData, contact: ContactEntry, add: boolean): void => {
  for (const phone of contact.phones) {
    const ids = data.contactsByPhone.get(phone) ?? new Set<string>();
    if (add) ids.add(contact.contactId);
    else ids.delete(contact.contactId);
    if (ids.size > 0) data.contactsByPhone.set(phone, ids);
    else data.contactsByPhone.delete(phone);
  }
};

export const applyContact = (data: TenantData, contactId: string, event: DirectoryEvent): void => {
  const contact = data.contacts.get(contactId);
  switch (event.type) {
    case 'ContactCreated': {
      const created: ContactEntry = {
        contactId,
        name: event.data.name,
        phones: event.data.phones,
        language: event.data.language,
      };
      data.contacts.set(contactId, created);
      indexPhones(data, created, true);
      return;
    }
    case 'ContactUpdated': {
      if (!contact) return;
      indexPhones(data, contact, false);
      if (event.data.name !== undefined) contact.name = event.data.name;
      if (event.data.phones !== undefined) contact.phones = event.data.phones;
      if (event.data.language !== undefined) contact.language = event.data.language;
      indexPhones(data, contact, true);
      return;
    }
    case 'ContactDeleted':
      if (!contact) return;
      indexPhones(data, contact, false);
      data.contacts.delete(contactId);
      return;
  }
};
