import { ArchiveCallScript, CreateCallScript, UpdateCallScript } from '@ccp/schemas';
import { scriptDecider } from '../domain/script.js';
import { route, type CommandRoute, type Reactions } from './route.js';

export const scriptStream = (data: { tenantId: string; scriptId: string }) => ({
  category: 'script',
  tenantId: data.tenantId,
  id: data.scriptId,
});

const editors = { stream: scriptStream, roles: ['tenant_admin', 'supervisor'] } as const;

export const scriptRoutes: readonly CommandRoute[] = [
  route(CreateCallScript, scriptDecider, { ...editors, retryOnConflict: false }),
  // An editor rewrote steps they saw; a concurrent edit must be looked at, not overwritten.
  route(UpdateCallScript, scriptDecider, { ...editors, retryOnConflict: false }),
  route(ArchiveCallScript, scriptDecider, { ...editors, retryOnConflict: true }),
];
export const scriptReactions: Reactions = {};
