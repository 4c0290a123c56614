import type { ApiKeyIssuer, ApiKeyScope, Role } from '@ccp/schemas';

/**
 * Who a member is: their tenant and their id in it. User ids are chosen by each tenant's admin and are unique
 * only within the tenant, so everything kept for a person (password, sessions, second factor, notices) is
 * keyed by both.
 */
export interface MemberKey {
  readonly tenantId: string;
  readonly userId: string;
}

export interface Member extends MemberKey {
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly status: 'active' | 'removed';
}

export interface ApiKeyRecord {
  readonly keyId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly role: Role;
  readonly scopes: readonly ApiKeyScope[];
  readonly revoked: boolean;
  /** `suspended`: its issuer was removed and the tenant suspends such keys until an admin re-enables them. */
  readonly status: 'active' | 'suspended' | 'revoked';
  /** Who issued it; null for keys issued before issuers were recorded. */
  readonly issuedBy: ApiKeyIssuer | null;
  /** The member who answers for it now (its issuer's, or whoever re-enabled it); null: nobody on the team. */
  readonly accountable: string | null;
}

export interface SessionRecord extends MemberKey {
  readonly expiresAt: number;
  readonly revokedAt: number | null;
}

/** A session as its owner sees it: an id that is not the token, and when it began and ends. */
export interface SessionSummary {
  readonly sessionId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** What happened to an account since its owner last signed in: told to them at their next sign-in. */
export interface SignInNotice {
  readonly failedAttempts: number;
  readonly lockouts: number;
  readonly lastFailureAt: number;
}

export interface TotpRecord {
  /** The subject whose key sealed the seed (seeds enrolled before identities were keyed by tenant keep theirs). */
  readonly subject: string;
  /** The sealed seed (see SubjectSecrets). */
  readonly sealedSecret: string;
  readonly enabled: boolean;
  /** The last 30-second step a code was accepted for: a code is good once. */
  readonly lastStep: number;
}

export interface MemberRow {
  user_id: string;
  tenant_id: string;
  email: string;
  name: string;
  role: Role;
  status: 'active' | 'removed';
}
export interface ApiKeyRow {
  key_id: string;
  tenant_id: string;
  name: string;
  role: Role;
  scopes: string;
  revoked: number;
  suspended: number;
  issued_by: string | null;
  accountable: string | null;
}

export const toMember = (row: MemberRow): Member => ({
  userId: row.user_id,
  tenantId: row.tenant_id,
  email: row.email,
  name: row.name,
  role: row.role,
  status: row.status,
});
export const toApiKey = (row: ApiKeyRow): ApiKeyRecord => ({
  keyId: row.key_id,
  tenantId: row.tenant_id,
  name: row.name,
  role: row.role,
  // Written from ApiKeyIssued, whose schema validated the scopes.
  scopes: JSON.parse(row.scopes) as ApiKeyScope[],
  revoked: row.revoked === 1,
  status: row.revoked === 1 ? 'revoked' : row.suspended === 1 ? 'suspended' : 'active',
  // Written from ApiKeyIssued v2 (v1 upcast to null), whose schema validated it.
  issuedBy: row.issued_by === null ? null : (JSON.parse(row.issued_by) as ApiKeyIssuer),
  accountable: row.accountable,
});

/** Where a second factor's wrong codes are counted (sign_in_failures). */
export const mfaFailureKey = (member: MemberKey): string => `mfa:${member.tenantId}:${member.userId}`;
