import { z } from 'zod';
import { defineCommand, defineEvent, type EventOf } from './define.js';
import type { Upcaster } from './upcasting.js';
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

/**
 * Who issued (or re-enabled) a key: a person, another key or the platform, and the member of the key's tenant
 * who answers for it: the person, or whoever answers for the issuing key. When that member is removed the key
 * is retired (see the keyring). Super admins and the platform answer for no key: they are not on the team.
 */
export const ApiKeyIssuer = z.object({
  kind: z.enum(['user', 'api_key', 'system']),
  id: EntityId,
  accountable: EntityId.optional(),
});
export type ApiKeyIssuer = z.infer<typeof ApiKeyIssuer>;

/** What happens to the keys a member answers for when the member is removed. */
export const KeysOfRemovedMember = z.enum(['revoke', 'suspend']);

const KeyHash = z.string().regex(/^[0-9a-f]{64}$/);

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
    keyHash: KeyHash,
    issuedBy: ApiKeyIssuer.nullable().default(null),
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
  z.object({ tenantId: TenantId, keyId: EntityId, keyHash: KeyHash }),
  'Internal: give an API key a new secret (POST /api/api-keys/:keyId/rotate generates it); the old one stops at once.',
);

export const SuspendApiKey = defineCommand(
  category,
  'SuspendApiKey',
  z.object({ tenantId: TenantId, keyId: EntityId }),
  'Stop an API key until it is re-enabled (POST /api/api-keys/:keyId/reinstate).',
);
export const ReinstateApiKey = defineCommand(
  category,
  'ReinstateApiKey',
  z.object({ tenantId: TenantId, keyId: EntityId, by: ApiKeyIssuer }),
  'Internal: re-enable a suspended API key (POST /api/api-keys/:keyId/reinstate); whoever does answers for it.',
);

/** Superseded by v2; kept so that keys issued before their issuer was recorded can still be read. */
export const ApiKeyIssuedV1 = defineEvent(
  category,
  'ApiKeyIssued',
  1,
  z.object({ name: Name, role: ApiKeyRole, scopes: z.array(ApiKeyScope), keyHash: z.string() }),
);
export const ApiKeyIssued = defineEvent(
  category,
  'ApiKeyIssued',
  2,
  ApiKeyIssuedV1.data.extend({
    /** Null for keys issued before v2, whose issuer was not recorded, and for keys the platform issued. */
    issuedBy: ApiKeyIssuer.nullable(),
  }),
);
export const ApiKeyRevoked = defineEvent(category, 'ApiKeyRevoked', 1, z.object({}));
export const ApiKeyRotated = defineEvent(category, 'ApiKeyRotated', 1, z.object({ keyHash: z.string() }));
export const ApiKeySuspended = defineEvent(category, 'ApiKeySuspended', 1, z.object({}));
export const ApiKeyReinstated = defineEvent(category, 'ApiKeyReinstated', 1, z.object({ by: ApiKeyIssuer }));

/** v1 keys name no issuer: read as unknown rather than guessed from the envelope's actor. */
export const apiKeyUpcasters: Upcaster[] = [
  {
    type: 'ApiKeyIssued',
    fromVersion: 1,
    up: (data) => ({ ...ApiKeyIssuedV1.data.parse(data), issuedBy: null }),
  },
];

/*
 * The keyring: one stream per tenant saying which member answers for each API key, and what the tenant does
 * with a removed member's keys. Removing a member asks it which keys to retire, so the answer is decided from
 * events, not from a lookup that could miss a key issued a moment before.
 */
const keyring = 'keyring';

export const RegisterApiKey = defineCommand(
  keyring,
  'RegisterApiKey',
  z.object({ tenantId: TenantId, keyId: EntityId, accountable: EntityId }),
  'Internal: record the member who answers for an API key (when it is issued or re-enabled).',
);
export const RetireApiKeysOf = defineCommand(
  keyring,
  'RetireApiKeysOf',
  z.object({ tenantId: TenantId, userId: EntityId }),
  "Internal: retire the API keys a removed member answered for, as the tenant's policy says.",
);
export const SetApiKeyPolicy = defineCommand(
  keyring,
  'SetApiKeyPolicy',
  z.object({ tenantId: TenantId, whenIssuerRemoved: KeysOfRemovedMember }),
  'Choose whether the API keys of a removed member are revoked (the default) or suspended until re-enabled.',
);

export const ApiKeyRegistered = defineEvent(
  keyring,
  'ApiKeyRegistered',
  1,
  z.object({ keyId: EntityId, accountable: EntityId }),
);
export const MemberApiKeysRetired = defineEvent(
  keyring,
  'MemberApiKeysRetired',
  1,
  z.object({ userId: EntityId, keyIds: z.array(EntityId), action: KeysOfRemovedMember }),
);
export const ApiKeyPolicyChanged = defineEvent(
  keyring,
  'ApiKeyPolicyChanged',
  1,
  z.object({ whenIssuerRemoved: KeysOfRemovedMember }),
);

export const keyCommands = [IssueApiKey, RevokeApiKey, RotateApiKey, SuspendApiKey, ReinstateApiKey] as const;
export const keyringCommands = [RegisterApiKey, RetireApiKeysOf, SetApiKeyPolicy] as const;
export const apiKeyCommands = [...keyCommands, ...keyringCommands] as const;
export const apiKeyEventsLatest = [
  ApiKeyIssued,
  ApiKeyRevoked,
  ApiKeyRotated,
  ApiKeySuspended,
  ApiKeyReinstated,
] as const;
export const keyringEvents = [ApiKeyRegistered, MemberApiKeysRetired, ApiKeyPolicyChanged] as const;
export const apiKeyEvents = [...apiKeyEventsLatest, ApiKeyIssuedV1, ...keyringEvents] as const;
/** An API key event at its latest version: older versions are upcast before deciders see them. */
export type ApiKeyEvent = EventOf<(typeof apiKeyEventsLatest)[number]>;
export type KeyringEvent = EventOf<(typeof keyringEvents)[number]>;
