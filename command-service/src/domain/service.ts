import type { CommandOf, EventOf, ServiceSettings, serviceCommands, serviceEvents } from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';
import { checkOffsets, checkTemplates, sameSettings } from './schedule.js';

export type ServiceCommand = CommandOf<(typeof serviceCommands)[number]>;
export type ServiceEvent = EventOf<(typeof serviceEvents)[number]>;

export type ServiceState =
  { readonly status: 'none' } | { readonly status: 'active' | 'retired'; readonly settings: ServiceSettings };

type ExistingService = Exclude<ServiceState, { status: 'none' }>;

const existing = (state: ServiceState): ExistingService => {
  if (state.status === 'none') {
    throw new DomainError('SERVICE_NOT_FOUND', 'the service does not exist', 'serviceId');
  }
  return state;
};

/** A service's own reminders follow the same rules as the tenant's; its resources are named once each. */
const checkSettings = (settings: ServiceSettings): void => {
  const { offsetsMinutes, templates } = settings.reminders ?? {};
  if (offsetsMinutes) checkOffsets(offsetsMinutes, 'reminders.offsetsMinutes', 'SERVICE_INVALID');
  if (templates) checkTemplates(templates, 'reminders.templates', 'SERVICE_INVALID');
  if (new Set(settings.resourceIds).size !== settings.resourceIds.length) {
    throw new DomainError('SERVICE_INVALID', 'a resource is listed twice', 'resourceIds');
  }
};

export const decide = (command: ServiceCommand, state: ServiceState): ServiceEvent[] => {
  switch (command.type) {
    case 'DefineService': {
      if (state.status !== 'none') {
        throw new DomainError(
          'SERVICE_EXISTS',
          `service ${command.data.serviceId} already exists`,
          'serviceId',
        );
      }
      const { tenantId: _tenantId, serviceId: _serviceId, ...settings } = command.data;
      checkSettings(settings);
      return [{ type: 'ServiceDefined', data: settings }];
    }
    case 'ReviseService': {
      const service = existing(state);
      if (service.status === 'retired') {
        throw new DomainError('SERVICE_RETIRED', 'the service is retired', 'serviceId');
      }
      const { tenantId: _tenantId, serviceId: _serviceId, ...settings } = command.data;
      checkSettings(settings);
      return sameSettings(service.settings, settings) ? [] : [{ type: 'ServiceRevised', data: settings }];
    }
    case 'VerifyServiceBookable': {
      const service = existing(state);
      if (service.status === 'retired') {
        throw new DomainError('SERVICE_RETIRED', 'the service is no longer offered', 'placement.serviceIds');
      }
      if (!service.settings.resourceIds.includes(command.data.resourceId)) {
        throw new DomainError(
          'SERVICE_NOT_SERVED',
          `${command.data.resourceId} does not serve ${service.settings.name}`,
          'placement.resourceId',
        );
      }
      const { durationMinutes } = command.data;
      if (durationMinutes !== undefined && durationMinutes !== service.settings.durationMinutes) {
        throw new DomainError(
          'APPOINTMENT_DURATION',
          `${service.settings.name} takes ${service.settings.durationMinutes} minutes, not ${durationMinutes}`,
          'durationMinutes',
        );
      }
      return [];
    }
    case 'RetireService': {
      const service = existing(state);
      return service.status === 'retired' ? [] : [{ type: 'ServiceRetired', data: {} }];
    }
  }
};

export const evolve = (state: ServiceState, event: ServiceEvent): ServiceState => {
  if (event.type === 'ServiceDefined') return { status: 'active', settings: event.data };
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ServiceRevised':
      return { ...state, settings: event.data };
    case 'ServiceRetired':
      return { ...state, status: 'retired' };
  }
};

export const serviceDecider: Decider<ServiceCommand, ServiceEvent, ServiceState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
