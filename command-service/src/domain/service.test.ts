import { describe, it } from 'vitest';
import { DefineService, RetireService, ReviseService, VerifyServiceBookable } from '@ccp/schemas';
import { serviceDecider, type ServiceEvent } from './service.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(serviceDecider);

const key = { tenantId: 'acme', serviceId: 'cleaning' };
const settings = {
  name: 'Teeth cleaning',
  durationMinutes: 45,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 10,
  price: { amountMinor: 9000, currency: 'USD' },
  resourceIds: ['dr-lee', 'room-2'],
  languages: ['en', 'es'],
};
const defined: ServiceEvent = { type: 'ServiceDefined', data: settings };
const retired: ServiceEvent = { type: 'ServiceRetired', data: {} };

describe('service decider', () => {
  describe('DefineService', () => {
    it('defines a service with its buffers and languages filled in', () =>
      given([])
        .when(
          command(DefineService, { ...key, name: 'Check-up', durationMinutes: 30, resourceIds: ['dr-lee'] }),
        )
        .then({
          type: 'ServiceDefined',
          data: {
            name: 'Check-up',
            durationMinutes: 30,
            bufferBeforeMinutes: 0,
            bufferAfterMinutes: 0,
            resourceIds: ['dr-lee'],
            languages: [],
          },
        }));

    it('refuses an id already defined, even a retired one', () => {
      given([defined])
        .when(command(DefineService, { ...key, ...settings }))
        .thenThrows(refusedWith('SERVICE_EXISTS', 'serviceId'));
      given([defined, retired])
        .when(command(DefineService, { ...key, ...settings }))
        .thenThrows(refusedWith('SERVICE_EXISTS', 'serviceId'));
    });

    it('refuses a resource named twice', () =>
      given([])
        .when(command(DefineService, { ...key, ...settings, resourceIds: ['dr-lee', 'dr-lee'] }))
        .thenThrows(refusedWith('SERVICE_INVALID', 'resourceIds')));

    it('refuses its own reminders at the same offset twice, or two templates for one use', () => {
      given([])
        .when(command(DefineService, { ...key, ...settings, reminders: { offsetsMinutes: [60, 60] } }))
        .thenThrows(refusedWith('SERVICE_INVALID', 'reminders.offsetsMinutes'));
      const template = {
        purpose: 'reminder',
        channel: 'sms',
        language: 'en',
        body: 'See you {{date}}',
      } as const;
      given([])
        .when(command(DefineService, { ...key, ...settings, reminders: { templates: [template, template] } }))
        .thenThrows(refusedWith('SERVICE_INVALID', 'reminders.templates.1'));
    });
  });

  describe('ReviseService', () => {
    it('replaces the settings', () =>
      given([defined])
        .when(command(ReviseService, { ...key, ...settings, durationMinutes: 60 }))
        .then({ type: 'ServiceRevised', data: { ...settings, durationMinutes: 60 } }));

    it('stores nothing when the settings are the ones already there', () =>
      given([defined, { type: 'ServiceRevised', data: settings }])
        .when(command(ReviseService, { ...key, ...settings }))
        .thenNothingHappened());

    it('treats dropping an optional field as a change', () => {
      const { price: _price, ...withoutPrice } = settings;
      given([defined])
        .when(command(ReviseService, { ...key, ...withoutPrice }))
        .then({ type: 'ServiceRevised', data: withoutPrice });
    });

    it('refuses a service that does not exist or is retired', () => {
      given([])
        .when(command(ReviseService, { ...key, ...settings }))
        .thenThrows(refusedWith('SERVICE_NOT_FOUND', 'serviceId'));
      given([defined, retired])
        .when(command(ReviseService, { ...key, ...settings, durationMinutes: 60 }))
        .thenThrows(refusedWith('SERVICE_RETIRED', 'serviceId'));
    });
  });

  describe('RetireService', () => {
    it('retires a service once', () => {
      given([defined]).when(command(RetireService, key)).then(retired);
      given([defined, retired]).when(command(RetireService, key)).thenNothingHappened();
    });

    it('refuses a service that does not exist', () =>
      given([]).when(command(RetireService, key)).thenThrows(refusedWith('SERVICE_NOT_FOUND')));
  });

  describe("VerifyServiceBookable (a booking's check, storing nothing)", () => {
    const check = (resourceId: string, durationMinutes?: number) =>
      command(VerifyServiceBookable, {
        ...key,
        resourceId,
        ...(durationMinutes !== undefined && { durationMinutes }),
      });

    it('passes for a resource that serves the service, for its own duration', () =>
      given([defined]).when(check('room-2', 45)).then([]));

    it('refuses a resource that does not serve it, a wrong duration, a retired or unknown service', () => {
      given([defined])
        .when(check('dr-who'))
        .thenThrows(refusedWith('SERVICE_NOT_SERVED', 'placement.resourceId'));
      given([defined])
        .when(check('dr-lee', 30))
        .thenThrows(refusedWith('APPOINTMENT_DURATION', 'durationMinutes'));
      given([defined, retired])
        .when(check('dr-lee'))
        .thenThrows(refusedWith('SERVICE_RETIRED', 'placement.serviceIds'));
      given([]).when(check('dr-lee')).thenThrows(refusedWith('SERVICE_NOT_FOUND'));
    });
  });
});
