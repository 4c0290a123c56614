import {
  ConnectionList,
  ConnectionParam,
  ConnectionRow,
  connectionDetail,
  listConnections,
} from '../integrations/connections.js';
import {
  DeliveryDetail,
  DeliveryList,
  DeliveryParam,
  DeliveryQuery,
  deliveryDetail,
  listDeliveries,
} from '../integrations/deliveries.js';
import { defineRoute, type QueryRoute } from '../http/route.js';
import type { QueryDependencies } from './dependencies.js';
import { ROLE_MATRIX } from './role-matrix.js';
import { notFound } from './route-helpers.js';

/**
 * The tenant's connections to outside systems and the deliveries made to them. Creating, rotating and testing
 * a connection are the media gateway's (it holds the secrets); changing one and replaying a delivery are
 * commands. Nothing here answers a secret: connections show their hints only. API keys need the admin scope,
 * as the connection commands do, since a delivery's detail carries the provider's own text of its failures.
 */
export const integrationRoutes = (deps: QueryDependencies): QueryRoute[] => {
  const integrations = { tag: 'integrations', roles: ROLE_MATRIX.integrations, scope: 'admin' } as const;
  return [
    defineRoute({
      ...integrations,
      method: 'get',
      path: '/api/integrations/connections',
      operationId: 'listConnections',
      summary: 'List the tenant’s connections with their secret hints and deliveries by state',
      response: ConnectionList,
      handle: async ({ scope }) => ({ body: await listConnections(deps.readStore(), scope.tenantId) }),
    }),
    defineRoute({
      ...integrations,
      method: 'get',
      path: '/api/integrations/connections/:connectionId',
      operationId: 'getConnection',
      summary: 'Read a connection with its secret hints, last test and deliveries by state',
      params: ConnectionParam,
      response: ConnectionRow,
      handle: async ({ scope, params }) => {
        const connection = await connectionDetail(deps.readStore(), scope.tenantId, params.connectionId);
        if (connection === undefined) throw notFound('connection');
        return { body: connection };
      },
    }),
    defineRoute({
      ...integrations,
      method: 'get',
      path: '/api/integrations/deliveries',
      operationId: 'listDeliveries',
      summary: 'List deliveries to the tenant’s connections, newest first, by connection and state',
      query: DeliveryQuery,
      response: DeliveryList,
      handle: async ({ scope, query }) => ({
        body: await listDeliveries(deps.readStore(), scope.tenantId, query),
      }),
    }),
    defineRoute({
      ...integrations,
      method: 'get',
      path: '/api/integrations/deliveries/:deliveryId',
      operationId: 'getDelivery',
      summary: 'Read a delivery with its attempts (the provider’s text of each failure) and events',
      params: DeliveryParam,
      response: DeliveryDetail,
      handle: async ({ scope, params }) => {
        const delivery = await deliveryDetail(
          { readStore: deps.readStore(), store: deps.store },
          scope.tenantId,
          params.deliveryId,
        );
        if (delivery === undefined) throw notFound('delivery');
        return { body: delivery };
      },
    }),
  ];
};
