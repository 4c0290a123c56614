import {
  FireAlert,
  RecordAlertNotification,
  RemoveAlertRule,
  ResolveAlert,
  SetAlertRule,
} from '@ccp/schemas';
import { alertDecider } from '../domain/alert.js';
import { route, type CommandRoute, type Reactions } from './route.js';

export const alertStream = (data: { tenantId: string; ruleId: string }) => ({
  category: 'alert',
  tenantId: data.tenantId,
  id: data.ruleId,
});

// Tenant admins set their own tenant's rules; only super admins reach tenant 'platform' (the platform's own
// rules), since the handler keeps every other role inside its own tenant. A rule is set whole: the last one wins.
const admins = {
  stream: alertStream,
  roles: ['tenant_admin'],
  scope: 'admin',
  retryOnConflict: true,
} as const;
// The evaluator only; each transition and notification is decided once, so a retry cannot record it twice.
const evaluator = { stream: alertStream, roles: [], retryOnConflict: true } as const;

export const alertRoutes: readonly CommandRoute[] = [
  route(SetAlertRule, alertDecider, admins),
  route(RemoveAlertRule, alertDecider, admins),
  route(FireAlert, alertDecider, evaluator),
  route(ResolveAlert, alertDecider, evaluator),
  route(RecordAlertNotification, alertDecider, evaluator),
];

export const alertReactions: Reactions = {};
