import { describe, it } from 'vitest';
import { ClaimLogin, ReleaseLogin, emailHash } from '@ccp/schemas';
import { loginDecider, type LoginEvent } from './login.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(loginDecider);

const hash = emailHash('ana@acme.example');
const claim = { tenantId: 'acme', email: 'ana@acme.example', userId: 'u-ana' };
const release = { tenantId: 'acme', emailHash: hash, userId: 'u-ana' };
const claimed: LoginEvent = {
  type: 'LoginClaimed',
  data: { userId: 'u-ana', memberTenantId: 'acme', emailHash: hash },
};
const released: LoginEvent = { type: 'LoginReleased', data: { userId: 'u-ana', memberTenantId: 'acme' } };

describe('login decider', () => {
  describe('ClaimLogin', () => {
    it('claims a free address', () =>
      given([])
        .when(command(ClaimLogin, { ...claim, email: 'ANA@acme.example' }))
        .then([claimed]));

    it('claiming again for the same member changes nothing', () =>
      given([claimed]).when(command(ClaimLogin, claim)).thenNothingHappened());

    it('refuses an address another member of the same tenant holds', () =>
      given([claimed])
        .when(command(ClaimLogin, { ...claim, userId: 'u-other' }))
        .thenThrows(refusedWith('EMAIL_TAKEN')));

    it('claims nothing, and says nothing, for an address another tenant holds', () => {
      given([claimed])
        .when(command(ClaimLogin, { ...claim, tenantId: 'globex' }))
        .thenNothingHappened();
      given([claimed])
        .when(command(ClaimLogin, { ...claim, tenantId: 'globex', userId: 'u-other' }))
        .thenNothingHappened();
    });

    it('lets anyone claim a released address', () =>
      given([claimed, released])
        .when(command(ClaimLogin, { tenantId: 'globex', email: 'ana@acme.example', userId: 'u-9' }))
        .then([
          { type: 'LoginClaimed', data: { userId: 'u-9', memberTenantId: 'globex', emailHash: hash } },
        ]));
  });

  describe('ReleaseLogin', () => {
    it('releases the address of its holder', () =>
      given([claimed]).when(command(ReleaseLogin, release)).then([released]));

    it('ignores a release by someone who does not hold the address', () =>
      given([claimed])
        .when(command(ReleaseLogin, { ...release, userId: 'u-other' }))
        .thenNothingHappened());

    it('ignores a release of a free address', () =>
      given([claimed, released]).when(command(ReleaseLogin, release)).thenNothingHappened());
  });
});
