import { OpenTicket, ReopenTicket, ResolveTicket, UpdateTicket } from '@ccp/schemas';
import { ticketDecider } from '../domain/ticket.js';
import { route, type CommandRoute, type Reactions } from './route.js';

export const ticketStream = (data: { tenantId: string; ticketId: string }) => ({
  category: 'ticket',
  tenantId: data.tenantId,
  id: data.ticketId,
});

const staff = { stream: ticketStream, roles: ['tenant_admin', 'supervisor', 'agent'] } as const;

export const ticketRoutes: readonly CommandRoute[] = [
  route(OpenTicket, ticketDecider, { ...staff, retryOnConflict: false }),
  // Field-wise changes and comments do not depend on what the sender saw, so a retry is safe.
  route(UpdateTicket, ticketDecider, { ...staff, retryOnConflict: true }),
  route(ResolveTicket, ticketDecider, { ...staff, retryOnConflict: true }),
  route(ReopenTicket, ticketDecider, { ...staff, retryOnConflict: true }),
];
export const ticketReactions: Reactions = {};
