import { AddToDoNotCall, DO_NOT_CALL_LIST, RemoveFromDoNotCall } from '@ccp/schemas';
import { doNotCallDecider } from '../domain/do-not-call.js';
import { route, type CommandRoute, type Reactions } from './route.js';

/** One list per tenant. */
export const doNotCallStream = (data: { tenantId: string }) => ({
  category: 'donotcall',
  tenantId: data.tenantId,
  id: DO_NOT_CALL_LIST,
});

// The platform (the AI's tool, when a called person asks not to be called again) may always send these.
const supervisors = {
  stream: doNotCallStream,
  roles: ['tenant_admin', 'supervisor'],
  feature: 'outbound_campaigns',
  retryOnConflict: true,
} as const;

export const doNotCallRoutes: readonly CommandRoute[] = [
  route(AddToDoNotCall, doNotCallDecider, supervisors),
  route(RemoveFromDoNotCall, doNotCallDecider, supervisors),
];
export const doNotCallReactions: Reactions = {};
