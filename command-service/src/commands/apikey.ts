import { IssueApiKey, RevokeApiKey, RotateApiKey } from '@ccp/schemas';
import { apiKeyDecider } from '../domain/apikey.js';
import { route } from './route.js';

const stream = (data: { tenantId: string; keyId: string }) => ({
  category: 'apikey',
  tenantId: data.tenantId,
  id: data.keyId,
});

/*
 * Issuing and rotating hand a secret to the caller, so only the platform sends them (POST /api/api-keys and
 * /rotate, which choose the secret and hold the caller to their own role and scopes); a command would let the
 * sender choose the secret's hash and skip that ceiling. Revoking grants nothing, but is key management: `admin`.
 */
export const apiKeyRoutes = [
  route(IssueApiKey, apiKeyDecider, { stream, roles: [], retryOnConflict: false }),
  route(RevokeApiKey, apiKeyDecider, {
    stream,
    roles: ['tenant_admin'],
    scope: 'admin',
    retryOnConflict: true,
  }),
  route(RotateApiKey, apiKeyDecider, { stream, roles: [], retryOnConflict: false }),
];
