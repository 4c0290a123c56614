import {
  IssueApiKey,
  MemberApiKeysRetired,
  MemberRemoved,
  PLATFORM_TENANT,
  RegisterApiKey,
  ReinstateApiKey,
  RetireApiKeysOf,
  RevokeApiKey,
  RotateApiKey,
  SetApiKeyPolicy,
  SuspendApiKey,
  type ApiKeyIssuer,
} from '@ccp/schemas';
import { apiKeyDecider } from '../domain/apikey.js';
import { keyringDecider } from '../domain/keyring.js';
import { reactionInput } from './reaction-input.js';
import { request, route, type CommandRequest, type CommandRoute, type Reactions } from './route.js';

const stream = (data: { tenantId: string; keyId: string }) => ({
  category: 'apikey',
  tenantId: data.tenantId,
  id: data.keyId,
});
/** One keyring per tenant. */
const keyringStream = (data: { tenantId: string }) => ({
  category: 'keyring',
  tenantId: data.tenantId,
  id: data.tenantId,
});

/** The member who answers for a key goes on the tenant's keyring, so that removing them retires it. */
const answeredFor = (tenantId: string, keyId: string, issuer: ApiKeyIssuer | null): CommandRequest[] =>
  issuer?.accountable === undefined
    ? []
    : [request(RegisterApiKey, { tenantId, keyId, accountable: issuer.accountable })];

/*
 * Issuing, rotating and re-enabling hand a secret to the caller or make them answer for a key, so only the
 * platform sends them (POST /api/api-keys, /rotate and /reinstate, which choose the secret, record who acted and
 * hold the caller to their own role and scopes); a command would let the sender choose the secret's hash and
 * skip that ceiling. Revoking and suspending grant nothing, but are key management: the `admin` scope.
 */
export const apiKeyRoutes: readonly CommandRoute[] = [
  route(IssueApiKey, apiKeyDecider, {
    stream,
    roles: [],
    retryOnConflict: false,
    prerequisites: ({ tenantId, keyId, issuedBy }) => answeredFor(tenantId, keyId, issuedBy),
  }),
  route(RevokeApiKey, apiKeyDecider, {
    stream,
    roles: ['tenant_admin'],
    scope: 'admin',
    retryOnConflict: true,
  }),
  route(RotateApiKey, apiKeyDecider, { stream, roles: [], retryOnConflict: false }),
  route(SuspendApiKey, apiKeyDecider, {
    stream,
    roles: ['tenant_admin'],
    scope: 'admin',
    retryOnConflict: true,
  }),
  route(ReinstateApiKey, apiKeyDecider, {
    stream,
    roles: [],
    retryOnConflict: false,
    prerequisites: ({ tenantId, keyId, by }) => answeredFor(tenantId, keyId, by),
  }),
  route(RegisterApiKey, keyringDecider, { stream: keyringStream, roles: [], retryOnConflict: true }),
  route(RetireApiKeysOf, keyringDecider, { stream: keyringStream, roles: [], retryOnConflict: true }),
  route(SetApiKeyPolicy, keyringDecider, {
    stream: keyringStream,
    roles: ['tenant_admin'],
    scope: 'admin',
    retryOnConflict: false,
  }),
];

export const apiKeyReactions: Reactions = {
  // A removed member's keys stop with them: the keyring says which, and whether to revoke or suspend.
  MemberRemoved: (event) => {
    const { tenantId, id: userId } = reactionInput(MemberRemoved, event);
    return tenantId === PLATFORM_TENANT ? [] : [request(RetireApiKeysOf, { tenantId, userId })];
  },
  MemberApiKeysRetired: (event) => {
    const { tenantId, data } = reactionInput(MemberApiKeysRetired, event);
    const retire = data.action === 'suspend' ? SuspendApiKey : RevokeApiKey;
    return data.keyIds.map((keyId) => request(retire, { tenantId, keyId }));
  },
};
