import { randomUUID } from 'node:crypto';
import type { ApiKeyIssuer } from '@ccp/schemas';
import type { CommandHandler } from '../application/command-handler.js';
import { CommandRejected } from '../application/errors.js';
import { requireWithinOwnAccess, type Credential } from '../http/authorize.js';
import type { Auth } from './auth.js';
import type { ApiKeyRecord } from './identity-records.js';
import type { IdentityStore } from './identity-store.js';
import { API_KEY_PREFIX, hashSecret, newSecret } from './secrets.js';

export const apiKeyManagement = (
  identities: IdentityStore,
  handler: CommandHandler,
): Pick<Auth, 'apiKeys' | 'rotateApiKey' | 'reinstateApiKey' | 'issueApiKey'> => {
  const existingKey = async (tenantId: string, keyId: string): Promise<ApiKeyRecord> => {
    await identities.catchUp();
    const key = identities.apiKeys(tenantId).find((k) => k.keyId === keyId);
    if (!key) throw new CommandRejected(404, 'API_KEY_NOT_FOUND', 'no such API key', 'keyId');
    return key;
  };

  /**
   * Who is issuing (or re-enabling) a key of a tenant, and which member of it answers for the key: the person
   * themselves, or whoever answers for the key they use. Super admins and the platform are on no tenant's team.
   */
  const issuerOf = (credential: Credential, tenantId: string): ApiKeyIssuer => {
    const { actor } = credential;
    if (actor.kind === 'user') {
      return { kind: 'user', id: actor.id, ...(actor.tenantId === tenantId && { accountable: actor.id }) };
    }
    if (actor.kind === 'api_key') {
      const accountable = identities.apiKeys(tenantId).find((k) => k.keyId === actor.id)?.accountable;
      return { kind: 'api_key', id: actor.id, ...(accountable != null && { accountable }) };
    }
    return { kind: 'system', id: actor.id };
  };

  return {
    apiKeys: async (tenantId) => {
      await identities.catchUp();
      // Only the tenant's own people are named to its admins: a person who issued a key of a tenant they are on
      // answers for it (issuerOf), while a super admin with the id of one of its members is someone else.
      const nameOf = (issuer: ApiKeyIssuer): string | undefined =>
        issuer.kind === 'user' && issuer.accountable === issuer.id
          ? identities.member({ tenantId, userId: issuer.id })?.name
          : undefined;
      const keys = identities.apiKeys(tenantId).map(({ keyHash: _hash, issuedBy, ...key }) => {
        if (issuedBy === null) return { ...key, issuedBy };
        const name = nameOf(issuedBy);
        return { ...key, issuedBy: { ...issuedBy, ...(name !== undefined && { name }) } };
      });
      return { keys, whenIssuerRemoved: identities.apiKeyPolicy(tenantId) };
    },

    rotateApiKey: async (credential, tenantId, keyId) => {
      // The new secret is handed to the caller: they must hold everything the key can do.
      requireWithinOwnAccess(credential, await existingKey(tenantId, keyId));
      const key = newSecret(API_KEY_PREFIX);
      await handler.handleTrusted(
        'RotateApiKey',
        { tenantId, keyId, keyHash: hashSecret(key) },
        { actor: credential.actor },
      );
      await identities.catchUp();
      return { keyId, key };
    },

    reinstateApiKey: async (credential, tenantId, keyId) => {
      // Whoever re-enables a key answers for it from now on: they must hold everything it can do.
      requireWithinOwnAccess(credential, await existingKey(tenantId, keyId));
      await handler.handleTrusted(
        'ReinstateApiKey',
        { tenantId, keyId, by: issuerOf(credential, tenantId) },
        { actor: credential.actor },
      );
      await identities.catchUp();
    },

    issueApiKey: async (credential, input) => {
      requireWithinOwnAccess(credential, input);
      const key = newSecret(API_KEY_PREFIX);
      const keyId = `key_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      // Trusted: the route table authorized the caller, and the command is the platform's own (it chose the secret).
      await handler.handleTrusted(
        'IssueApiKey',
        { ...input, keyId, keyHash: hashSecret(key), issuedBy: issuerOf(credential, input.tenantId) },
        { actor: credential.actor },
      );
      await identities.catchUp();
      return { keyId, key };
    },
  };
};
