import { describe, it } from 'vitest';
import { IssueApiKey, ReinstateApiKey, RevokeApiKey, RotateApiKey, SuspendApiKey } from '@ccp/schemas';
import { apiKeyDecider, type ApiKeyEvent } from './apikey.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(apiKeyDecider);
const hash = 'a'.repeat(64);
const issued: ApiKeyEvent = {
  type: 'ApiKeyIssued',
  data: { name: 'CRM sync', role: 'agent', scopes: ['commands', 'read'], keyHash: hash, issuedBy: null },
};
const issue = (keyHash = hash) =>
  command(IssueApiKey, { tenantId: 'acme', keyId: 'k1', name: 'CRM sync', role: 'agent', keyHash });

describe('API key decider', () => {
  it('issues a key', () => given([]).when(issue()).then([issued]));
  it('issuing the same key again changes nothing', () => given([issued]).when(issue()).thenNothingHappened());
  it('refuses another secret under a taken id', () =>
    given([issued])
      .when(issue('b'.repeat(64)))
      .thenThrows(refusedWith('API_KEY_EXISTS')));
  it('revokes a key once', () => {
    given([issued])
      .when(command(RevokeApiKey, { tenantId: 'acme', keyId: 'k1' }))
      .then([{ type: 'ApiKeyRevoked', data: {} }]);
    given([issued, { type: 'ApiKeyRevoked', data: {} }])
      .when(command(RevokeApiKey, { tenantId: 'acme', keyId: 'k1' }))
      .thenNothingHappened();
  });
  it('refuses to revoke an unknown key', () =>
    given([])
      .when(command(RevokeApiKey, { tenantId: 'acme', keyId: 'k1' }))
      .thenThrows(refusedWith('API_KEY_NOT_FOUND')));
  it('refuses to reissue a revoked id', () =>
    given([issued, { type: 'ApiKeyRevoked', data: {} }])
      .when(issue('c'.repeat(64)))
      .thenThrows(refusedWith('API_KEY_EXISTS')));
  it('rotates a key to a new secret; the same secret again changes nothing', () => {
    const rotate = command(RotateApiKey, { tenantId: 'acme', keyId: 'k1', keyHash: 'd'.repeat(64) });
    given([issued])
      .when(rotate)
      .then([{ type: 'ApiKeyRotated', data: { keyHash: 'd'.repeat(64) } }]);
    given([issued, { type: 'ApiKeyRotated', data: { keyHash: 'd'.repeat(64) } }])
      .when(rotate)
      .thenNothingHappened();
  });
  it('refuses to rotate an unknown or revoked key', () => {
    const rotate = command(RotateApiKey, { tenantId: 'acme', keyId: 'k1', keyHash: 'd'.repeat(64) });
    given([]).when(rotate).thenThrows(refusedWith('API_KEY_NOT_FOUND'));
    given([issued, { type: 'ApiKeyRevoked', data: {} }])
      .when(rotate)
      .thenThrows(refusedWith('API_KEY_REVOKED'));
  });

  it('records who issued a key and who answers for it', () => {
    const issuedBy = { kind: 'api_key' as const, id: 'k0', accountable: 'u-dana' };
    given([])
      .when(
        command(IssueApiKey, {
          tenantId: 'acme',
          keyId: 'k1',
          name: 'CRM sync',
          role: 'agent',
          keyHash: hash,
          issuedBy,
        }),
      )
      .then([{ type: 'ApiKeyIssued', data: { ...issued.data, issuedBy } }]);
  });

  describe('suspension', () => {
    const suspend = command(SuspendApiKey, { tenantId: 'acme', keyId: 'k1' });
    const by = { kind: 'user' as const, id: 'u-admin', accountable: 'u-admin' };
    const reinstate = command(ReinstateApiKey, { tenantId: 'acme', keyId: 'k1', by });
    const suspended: ApiKeyEvent = { type: 'ApiKeySuspended', data: {} };

    it('suspends an active key once; a revoked key stays revoked', () => {
      given([issued]).when(suspend).then([suspended]);
      given([issued, suspended]).when(suspend).thenNothingHappened();
      given([issued, { type: 'ApiKeyRevoked', data: {} }])
        .when(suspend)
        .thenNothingHappened();
      given([]).when(suspend).thenThrows(refusedWith('API_KEY_NOT_FOUND'));
    });
    it('re-enables a suspended key, naming who did', () => {
      given([issued, suspended])
        .when(reinstate)
        .then([{ type: 'ApiKeyReinstated', data: { by } }]);
      given([issued]).when(reinstate).thenNothingHappened();
      given([issued, { type: 'ApiKeyRevoked', data: {} }])
        .when(reinstate)
        .thenThrows(refusedWith('API_KEY_REVOKED'));
    });
    it('a suspended key is revoked, not rotated', () => {
      given([issued, suspended])
        .when(command(RotateApiKey, { tenantId: 'acme', keyId: 'k1', keyHash: 'd'.repeat(64) }))
        .thenThrows(refusedWith('API_KEY_SUSPENDED'));
      given([issued, suspended])
        .when(command(RevokeApiKey, { tenantId: 'acme', keyId: 'k1' }))
        .then([{ type: 'ApiKeyRevoked', data: {} }]);
    });
  });
});
