import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { EntityId, Name, Role, TenantId } from './primitives.js';

const category = 'apikey';

/**
 * What an API key may do within its role; every route names the scope it needs. `admin` manages credentials
 * (API keys, other people's sessions) and never reaches beyond the key's own role and scopes.
 */
export const ApiKeyScope = z.enum(['commands', 'read', 'analytics', 'audit', 'telephony', 'admin']);
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;

/** Keys act with a tenant role; super_admin keys do not exist, so a leaked key never spans tenants. */
export const ApiKeyRole = Role.exclude(['super_admin']);

export const IssueApiKey = defineCommand(
  category,
  'IssueApiKey',
  z.object({
    tenantId: TenantId,
    keyId: EntityId,
    name: Name,
    role: ApiKeyRole,
    scopes: z.array(ApiKeyScope).min(1).default(['commands', 'read']),
    /** SHA-256 of the secret; the secret itself is shown once to whoever issued it and never stored. */
    keyHash: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  'Internal: issue an API key for a tenant (POST /api/api-keys generates the secret).',
);
export const RevokeApiKey = defineCommand(
  category,
  'RevokeApiKey',
  z.object({ tenantId: TenantId, keyId: EntityId }),
  'Revoke an API key at once.',
);

export const RotateApiKey = defineCommand(
  category,
  'RotateApiKey',
  z.object({ tenantId: TenantId, keyId: EntityId, keyHash: z.string().regex(/^[0-9a-f]{64}$/) }),
  'Internal: give an API key a new secret (POST /api/api-keys/:keyId/rotate generates it); the old one stops at once.',
);

export const ApiKeyIssued = defineEvent(
  category,
  'ApiKeyIssued',
  1,
  z.object({ name: Name, role: ApiKeyRole, scopes: z.array(ApiKeyScope), keyHash: z.string() }),
);
export const ApiKeyRevoked = defineEvent(category, 'ApiKeyRevoked', 1, z.object({}));
export const ApiKeyRotated = defineEvent(category, 'ApiKeyRotated', 1, z.object({ keyHash: z.string() }));

export const apiKeyCommands = [IssueApiKey, RevokeApiKey, RotateApiKey] as const;
export const apiKeyEvents = [ApiKeyIssued, ApiKeyRevoked, ApiKeyRotated] as const;
