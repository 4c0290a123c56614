import { ApplyRetention, PlaceLegalHold, ReleaseLegalHold, SetRetentionPolicy } from '@ccp/schemas';
import { erasureDecider } from '../domain/erasure.js';
import { legalHoldDecider, retentionPolicyDecider } from '../domain/retention.js';
import { erasureStream } from './erasure.js';
import { route, type CommandRoute, type Reactions } from './route.js';

export const retentionRoutes: readonly CommandRoute[] = [
  // Whoever answers for the tenant's data: its admins and its compliance officers.
  route(SetRetentionPolicy, retentionPolicyDecider, {
    stream: (data) => ({ category: 'retention', tenantId: data.tenantId, id: 'policy' }),
    roles: ['tenant_admin', 'compliance'],
    retryOnConflict: true,
  }),
  ...[PlaceLegalHold, ReleaseLegalHold].map((command) =>
    route(command, legalHoldDecider, {
      stream: (data: { tenantId: string; holdId: string }) => ({
        category: 'legalhold',
        tenantId: data.tenantId,
        id: data.holdId,
      }),
      roles: ['tenant_admin', 'compliance'],
      retryOnConflict: true,
    }),
  ),
  // The platform's daily retention run, through the erasure path.
  route(ApplyRetention, erasureDecider, { stream: erasureStream, roles: [], retryOnConflict: true }),
];
export const retentionReactions: Reactions = {};
