import { describe, expect, it } from 'vitest';
import {
  ClaimLogin,
  InviteMember,
  MemberRemoved,
  PLATFORM_TENANT,
  ReleaseLogin,
  ReleaseQuota,
  ReserveQuota,
  emailHash,
} from '@ccp/schemas';
import { memberReactions, memberRoutes } from './member.js';
import { request } from './route.js';
import { prerequisitesOf, storedEvent, streamOf, validated } from './testing.js';

const hash = emailHash('ana@acme.example');
const invitation = {
  tenantId: 'acme',
  userId: 'u-ana',
  email: 'Ana@Acme.example',
  name: 'Ana',
  role: 'agent',
} as const;
const removedFrom = (tenantId: string) =>
  validated(
    memberReactions.MemberRemoved?.(
      storedEvent(MemberRemoved, { emailHash: hash }, { category: 'member', tenantId, id: 'u-ana' }),
    ) ?? [],
  );

describe('member routes', () => {
  it('decides on the member stream of the tenant', () => {
    expect(streamOf(memberRoutes, InviteMember, invitation)).toBe('member-acme.u-ana');
  });

  it('takes a seat of the plan and claims the address before inviting', () => {
    expect(prerequisitesOf(memberRoutes, InviteMember, invitation)).toEqual([
      request(ReserveQuota, { tenantId: 'acme', resource: 'teamMembers', key: 'u-ana' }),
      request(ClaimLogin, { tenantId: 'acme', email: 'ana@acme.example', userId: 'u-ana' }),
    ]);
  });

  it('takes no seat in the platform tenant', () => {
    expect(
      prerequisitesOf(memberRoutes, InviteMember, {
        ...invitation,
        tenantId: PLATFORM_TENANT,
        role: 'super_admin',
      }),
    ).toEqual([
      request(ClaimLogin, { tenantId: PLATFORM_TENANT, email: 'ana@acme.example', userId: 'u-ana' }),
    ]);
  });

  it('gives back the seat and the address of a removed member', () => {
    expect(removedFrom('acme')).toEqual([
      request(ReleaseQuota, { tenantId: 'acme', resource: 'teamMembers', key: 'u-ana' }),
      request(ReleaseLogin, { tenantId: 'acme', emailHash: hash, userId: 'u-ana' }),
    ]);
  });

  it('gives back only the address of a removed super admin', () => {
    expect(removedFrom(PLATFORM_TENANT)).toEqual([
      request(ReleaseLogin, { tenantId: PLATFORM_TENANT, emailHash: hash, userId: 'u-ana' }),
    ]);
  });
});
