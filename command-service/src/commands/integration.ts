import {
  CancelDelivery,
  CreateConnection,
  DisableConnection,
  EnableConnection,
  RecordConnectionTest,
  RecordDeliveryAttempt,
  RemoveConnection,
  ReplayDelivery,
  RotateConnectionSecrets,
  ScheduleDelivery,
  UpdateConnection,
  type ConnectionSecrets,
  type ConnectionSettings,
} from '@ccp/schemas';
import { connectionDecider } from '../domain/integration/connection.js';
import { deliveryDecider } from '../domain/integration/delivery.js';
import { route, type CommandRoute, type OutboundUrl, type Reactions } from './route.js';

export const connectionStream = (data: { tenantId: string; connectionId: string }) => ({
  category: 'connection',
  tenantId: data.tenantId,
  id: data.connectionId,
});

export const deliveryStream = (data: { tenantId: string; deliveryId: string }) => ({
  category: 'delivery',
  tenantId: data.tenantId,
  id: data.deliveryId,
});

/** Every address a tenant gives that the platform will call: settings URLs, and a Slack webhook's secret URL. */
const urlsIn = (settings: ConnectionSettings | undefined, secrets?: ConnectionSecrets): OutboundUrl[] => {
  const urls: OutboundUrl[] = [];
  switch (settings?.kind) {
    case 'webhook':
      urls.push({ field: 'settings.url', url: settings.url });
      break;
    case 'salesforce':
      urls.push({ field: 'settings.instanceUrl', url: settings.instanceUrl });
      break;
    case 'zoho':
      urls.push({ field: 'settings.apiDomain', url: settings.apiDomain });
      break;
    case 'openai_compatible':
      urls.push({ field: 'settings.baseUrl', url: settings.baseUrl });
      break;
  }
  if (secrets?.webhookUrl !== undefined) urls.push({ field: 'secrets.webhookUrl', url: secrets.webhookUrl });
  return urls;
};

const admins = { stream: connectionStream, roles: ['tenant_admin'], scope: 'admin' } as const;
const platformOnly = { roles: [], retryOnConflict: true } as const;

export const integrationRoutes: readonly CommandRoute[] = [
  route(CreateConnection, connectionDecider, {
    ...admins,
    retryOnConflict: false,
    outboundUrls: (data) => urlsIn(data.settings, data.secrets),
  }),
  route(UpdateConnection, connectionDecider, {
    ...admins,
    retryOnConflict: false,
    outboundUrls: (data) => urlsIn(data.settings),
  }),
  route(RotateConnectionSecrets, connectionDecider, {
    ...admins,
    retryOnConflict: true,
    outboundUrls: (data) => urlsIn(undefined, data.secrets),
  }),
  route(EnableConnection, connectionDecider, { ...admins, retryOnConflict: true }),
  route(DisableConnection, connectionDecider, { ...admins, retryOnConflict: true }),
  route(RemoveConnection, connectionDecider, { ...admins, retryOnConflict: true }),
  // The media gateway's, after it tested the connection with its stored secrets.
  route(RecordConnectionTest, connectionDecider, { ...platformOnly, stream: connectionStream }),
  route(ScheduleDelivery, deliveryDecider, { ...platformOnly, stream: deliveryStream }),
  route(RecordDeliveryAttempt, deliveryDecider, { ...platformOnly, stream: deliveryStream }),
  route(CancelDelivery, deliveryDecider, { ...platformOnly, stream: deliveryStream }),
  route(ReplayDelivery, deliveryDecider, {
    stream: deliveryStream,
    roles: ['tenant_admin'],
    scope: 'admin',
    retryOnConflict: false,
  }),
];

export const integrationReactions: Reactions = {};
