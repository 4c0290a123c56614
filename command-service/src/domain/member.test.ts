import { describe, expect, it } from 'vitest';
import { ChangeMemberRole, InviteMember, PLATFORM_TENANT, RemoveMember, emailHash } from '@ccp/schemas';
import { memberDecider, type MemberEvent } from './member.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(memberDecider);

// sha256 of "ana@acme.example", computed outside the code under test.
const ANA_HASH = 'bb03ba1becc024164cf08e371385b735f89fb22eb310fef60c67c3997c22dcf6';

const key = { tenantId: 'acme', userId: 'u-ana' };
const invitation = { ...key, email: 'Ana@Acme.example', name: 'Ana', role: 'agent' } as const;
const invited: MemberEvent = {
  type: 'MemberInvited',
  data: { email: 'ana@acme.example', name: 'Ana', role: 'agent', emailHash: ANA_HASH },
};
const removed: MemberEvent = { type: 'MemberRemoved', data: { emailHash: ANA_HASH } };

describe('emailHash', () => {
  it('is the sha256 hex of the lower-cased address', () => {
    expect(emailHash('Ana@ACME.example')).toBe(ANA_HASH);
  });
});

describe('member decider', () => {
  describe('InviteMember', () => {
    it('invites a member under the lower-cased address and its hash', () =>
      given([]).when(command(InviteMember, invitation)).then([invited]));

    it('refuses a user id already in the team', () =>
      given([invited])
        .when(command(InviteMember, { ...invitation, email: 'other@acme.example' }))
        .thenThrows(refusedWith('MEMBER_EXISTS')));

    it('refuses to bring a removed member back under the same user id', () =>
      given([invited, removed])
        .when(command(InviteMember, invitation))
        .thenThrows(refusedWith('MEMBER_REMOVED')));

    it('refuses a super admin in a tenant', () =>
      given([])
        .when(command(InviteMember, { ...invitation, role: 'super_admin' }))
        .thenThrows(refusedWith('ROLE_NOT_ALLOWED')));

    it('invites super admins to the platform tenant', () =>
      given([])
        .when(command(InviteMember, { ...invitation, tenantId: PLATFORM_TENANT, role: 'super_admin' }))
        .then([{ type: 'MemberInvited', data: { ...invited.data, role: 'super_admin' } }]));

    it('refuses any other role in the platform tenant', () =>
      given([])
        .when(command(InviteMember, { ...invitation, tenantId: PLATFORM_TENANT, role: 'tenant_admin' }))
        .thenThrows(refusedWith('ROLE_NOT_ALLOWED')));
  });

  describe('ChangeMemberRole', () => {
    it('changes the role', () =>
      given([invited])
        .when(command(ChangeMemberRole, { ...key, role: 'supervisor' }))
        .then([{ type: 'MemberRoleChanged', data: { from: 'agent', to: 'supervisor' } }]));

    it('changes nothing when the member has the role', () =>
      given([invited])
        .when(command(ChangeMemberRole, { ...key, role: 'agent' }))
        .thenNothingHappened());

    it('refuses to make a tenant member a super admin', () =>
      given([invited])
        .when(command(ChangeMemberRole, { ...key, role: 'super_admin' }))
        .thenThrows(refusedWith('ROLE_NOT_ALLOWED')));

    it('refuses a member that does not exist', () =>
      given([])
        .when(command(ChangeMemberRole, { ...key, role: 'supervisor' }))
        .thenThrows(refusedWith('MEMBER_NOT_FOUND')));

    it('refuses a removed member', () =>
      given([invited, removed])
        .when(command(ChangeMemberRole, { ...key, role: 'supervisor' }))
        .thenThrows(refusedWith('MEMBER_REMOVED')));
  });

  describe('RemoveMember', () => {
    it('removes the member, naming the address to free', () =>
      given([invited, { type: 'MemberRoleChanged', data: { from: 'agent', to: 'viewer' } }])
        .when(command(RemoveMember, key))
        .then([removed]));

    it('removing twice is one removal', () =>
      given([invited, removed]).when(command(RemoveMember, key)).thenNothingHappened());

    it('refuses a member that does not exist', () =>
      given([]).when(command(RemoveMember, key)).thenThrows(refusedWith('MEMBER_NOT_FOUND')));
  });
});
