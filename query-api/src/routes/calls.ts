import { z } from 'zod';
import { EntityId } from '@ccp/schemas';
import { TicketQuery, Tickets, supportTickets } from '../admin/support-tickets.js';
import { CallReplay, replayCall } from '../audit/audit.js';
import {
  CallerHistory,
  CallHandling,
  EscalationInbox,
  callerHistory,
  callHandling,
  escalationInbox,
} from '../calls/handling.js';
import { CallDetail, CallListQuery, CallSummary, callDetail, listCalls } from '../calls/calls.js';
import { defineRoute } from '../http/route.js';
import { decodeCursor, nextCursor, Page, pageOf } from '../http/pagination.js';
import type { QueryDependencies } from './dependencies.js';
import { ROLE_MATRIX } from './role-matrix.js';
import { notFound } from './route-helpers.js';

const CallIdParam = z.strictObject({ callId: EntityId });

/**
 * Calls and what came of them: the list, a call with its transcript, how people handled it, the caller's record,
 * the escalation inbox, the step-by-step replay, and the tenant's support tickets. Named one by one: queryRoutes
 * lists them among other areas'.
 */
export const callRoutes = (deps: QueryDependencies) => ({
  tickets: defineRoute({
    method: 'get',
    path: '/api/tickets',
    operationId: 'tickets',
    summary: 'List support tickets',
    tag: 'calls',
    roles: ['tenant_admin', 'supervisor', 'agent'],
    scope: 'read',
    query: TicketQuery,
    response: Tickets,
    handle: async ({ scope, query }) => ({
      body: await supportTickets(deps.readStore(), deps.store, scope.tenantId, query),
    }),
  }),
  listCalls: defineRoute({
    method: 'get',
    path: '/api/calls',
    operationId: 'listCalls',
    summary: 'List calls',
    tag: 'calls',
    roles: ROLE_MATRIX.calls,
    scope: 'read',
    query: CallListQuery.extend(Page.shape),
    response: pageOf(CallSummary),
    handle: async ({ scope, query }) => {
      const offset = decodeCursor(query.cursor);
      const { items, total } = await listCalls(
        deps.readStore(),
        scope.tenantId,
        query,
        { offset, limit: query.limit },
        deps.now(),
      );
      return { body: { items, total, nextCursor: nextCursor(offset, items.length, total) } };
    },
  }),
  getCall: defineRoute({
    method: 'get',
    path: '/api/calls/:callId',
    operationId: 'getCall',
    summary: 'Read a call with its transcript',
    tag: 'calls',
    roles: ROLE_MATRIX.calls,
    scope: 'read',
    params: CallIdParam,
    response: CallDetail,
    handle: async ({ scope, params }) => {
      const detail = await callDetail(deps.readStore(), scope.tenantId, params.callId);
      if (!detail) throw notFound('such call');
      return { body: detail };
    },
  }),
  callHandling: defineRoute({
    method: 'get',
    path: '/api/calls/:callId/handling',
    operationId: 'callHandling',
    summary: 'Read how people handled a call: escalation summary, who joined, coaching, wrap-ups',
    tag: 'calls',
    roles: ROLE_MATRIX.calls,
    scope: 'read',
    params: CallIdParam,
    response: CallHandling,
    handle: async ({ scope, params }) => {
      const handling = await callHandling(deps.store, scope.tenantId, params.callId);
      if (!handling) throw notFound('call');
      return { body: handling };
    },
  }),
  callerHistory: defineRoute({
    method: 'get',
    path: '/api/calls/:callId/caller',
    operationId: 'callerHistory',
    summary: 'Read the caller’s record: their other calls and the tickets opened from them',
    tag: 'calls',
    roles: ROLE_MATRIX.calls,
    scope: 'read',
    params: CallIdParam,
    response: CallerHistory,
    handle: async ({ scope, params }) => {
      const history = await callerHistory(deps.readStore(), deps.store, scope.tenantId, params.callId);
      if (!history) throw notFound('call');
      return { body: history };
    },
  }),
  escalationInbox: defineRoute({
    method: 'get',
    path: '/api/escalations',
    operationId: 'escalationInbox',
    summary: 'List escalated calls that wait for people or have them on, with the AI’s summary',
    tag: 'calls',
    roles: ROLE_MATRIX.workspace,
    scope: 'read',
    response: EscalationInbox,
    handle: async ({ scope }) => ({
      body: await escalationInbox(deps.readStore(), deps.store, scope.tenantId, deps.now()),
    }),
  }),
  replayCall: defineRoute({
    method: 'get',
    path: '/api/calls/:callId/replay',
    operationId: 'replayCall',
    summary: 'Replay a call step by step',
    tag: 'audit',
    roles: ROLE_MATRIX.calls,
    scope: 'read',
    feature: 'audit_trail',
    params: CallIdParam,
    response: CallReplay,
    handle: async ({ scope, params }) => {
      const replay = await replayCall(deps.store, scope.tenantId, params.callId);
      if (!replay) throw notFound('such call');
      return { body: replay };
    },
  }),
});
