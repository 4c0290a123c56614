import { IssueApiKey, RevokeApiKey, RotateApiKey } from '@ccp/schemas';
import { apiKeyDecider } from '../domain/apikey.js';
import { route } from './route.js';

const stream = (data: { tenantId: string; keyId: string }) => ({
  category: 'apikey',
  tenantId: data.tenantId,
  id: data.keyId,
});

export const apiKeyRoutes = [
  route(IssueApiKey, apiKeyDecider, { stream, roles: ['tenant_admin'], retryOnConflict: false }),
  route(RevokeApiKey, apiKeyDecider, { stream, roles: ['tenant_admin'], retryOnConflict: true }),
  route(RotateApiKey, apiKeyDecider, { stream, roles: ['tenant_admin'], retryOnConflict: false }),
];
