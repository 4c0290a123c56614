import { describe, it } from 'vitest';
import { RegisterApiKey, RetireApiKeysOf, SetApiKeyPolicy, type KeyringEvent } from '@ccp/schemas';
import { keyringDecider } from './keyring.js';
import { DeciderSpecification, command } from './testing.js';

const given = DeciderSpecification.for(keyringDecider);
const registered = (keyId: string, accountable: string): KeyringEvent => ({
  type: 'ApiKeyRegistered',
  data: { keyId, accountable },
});
const retire = (userId: string) => command(RetireApiKeysOf, { tenantId: 'acme', userId });

describe('keyring decider', () => {
  it('records who answers for a key, once', () => {
    const register = command(RegisterApiKey, { tenantId: 'acme', keyId: 'k1', accountable: 'dana' });
    given([])
      .when(register)
      .then([registered('k1', 'dana')]);
    given([registered('k1', 'dana')])
      .when(register)
      .thenNothingHappened();
    // Re-enabled by another admin: they answer for it now.
    given([registered('k1', 'sam')])
      .when(register)
      .then([registered('k1', 'dana')]);
  });

  it('retires every key a removed member answers for, by revoking them unless the tenant chose suspension', () => {
    const ring = [registered('k2', 'dana'), registered('k1', 'dana'), registered('k3', 'sam')];
    given(ring)
      .when(retire('dana'))
      .then([
        { type: 'MemberApiKeysRetired', data: { userId: 'dana', keyIds: ['k1', 'k2'], action: 'revoke' } },
      ]);
    given([...ring, { type: 'ApiKeyPolicyChanged', data: { whenIssuerRemoved: 'suspend' } }])
      .when(retire('dana'))
      .then([
        { type: 'MemberApiKeysRetired', data: { userId: 'dana', keyIds: ['k1', 'k2'], action: 'suspend' } },
      ]);
  });

  it('retires nothing twice, and nothing for a member who answers for no key', () => {
    const retired: KeyringEvent = {
      type: 'MemberApiKeysRetired',
      data: { userId: 'dana', keyIds: ['k1'], action: 'revoke' },
    };
    given([registered('k1', 'dana'), retired])
      .when(retire('dana'))
      .thenNothingHappened();
    given([]).when(retire('nobody')).thenNothingHappened();
  });

  it('changes the policy only when it differs', () => {
    const suspend = command(SetApiKeyPolicy, { tenantId: 'acme', whenIssuerRemoved: 'suspend' });
    given([])
      .when(suspend)
      .then([{ type: 'ApiKeyPolicyChanged', data: { whenIssuerRemoved: 'suspend' } }]);
    given([])
      .when(command(SetApiKeyPolicy, { tenantId: 'acme', whenIssuerRemoved: 'revoke' }))
      .thenNothingHappened();
  });
});
