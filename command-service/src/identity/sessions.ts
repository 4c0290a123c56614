import type { Actor } from '@ccp/schemas';
import { CommandRejected } from '../application/errors.js';
import { fullCredential } from '../http/authorize.js';
import type { Auth, Session } from './auth.js';
import { MEMBER_NOT_FOUND } from './auth-refusals.js';
import type { Member, MemberKey } from './identity-records.js';
import type { IdentityStore } from './identity-store.js';
import { API_KEY_PREFIX, hashSecret, newSecret, SESSION_PREFIX } from './secrets.js';

/** The member a signed-in person is; API keys, the platform and callers are none. */
export const memberKeyOf = (actor: Actor): MemberKey | undefined =>
  actor.kind === 'user' && actor.tenantId !== undefined
    ? { tenantId: actor.tenantId, userId: actor.id }
    : undefined;

const actorOf = (member: Member, kind: Actor['kind'] = 'user'): Actor => ({
  kind,
  id: member.userId,
  role: member.role,
  tenantId: member.tenantId,
});

/** Opens a session for a member who passed every factor, with what they have not been told yet. */
export const sessionOpener =
  (identities: IdentityStore, now: () => number, ttl: number) =>
  (member: Member): Session => {
    const token = newSecret(SESSION_PREFIX);
    const expiresAt = now() + ttl;
    identities.createSession(hashSecret(token), member, now(), expiresAt);
    const { userId, tenantId, name, role } = member;
    const notice = identities.takeSignInNotice(member);
    return {
      token,
      expiresAt: new Date(expiresAt).toISOString(),
      user: { userId, tenantId, email: member.email, name, role },
      ...(notice && {
        signInNotice: {
          failedAttempts: notice.failedAttempts,
          lockouts: notice.lockouts,
          lastFailureAt: new Date(notice.lastFailureAt).toISOString(),
        },
      }),
    };
  };

export const sessionControl = (
  identities: IdentityStore,
  now: () => number,
): Pick<Auth, 'sessions' | 'revokeSession' | 'revokeSessionsOf' | 'authenticate' | 'logout'> => ({
  sessions: (actor) => {
    const member = memberKeyOf(actor);
    return member ? identities.sessions(member, now()) : [];
  },

  revokeSession: (actor, sessionId) => {
    const member = memberKeyOf(actor);
    if (!member || !identities.revokeSessionById(member, sessionId, now())) {
      throw new CommandRejected(404, 'SESSION_NOT_FOUND', 'no session of yours with this id', 'sessionId');
    }
  },

  revokeSessionsOf: async (member) => {
    await identities.catchUp();
    if (!identities.member(member)) throw MEMBER_NOT_FOUND;
    identities.revokeSessionsOf(member, now());
  },

  authenticate: async (bearer) => {
    // Revocations and role changes take effect at once: read the directory only after it caught up.
    await identities.catchUp();
    if (bearer.startsWith(API_KEY_PREFIX)) {
      const key = identities.apiKeyByHash(hashSecret(bearer));
      if (!key || key.status !== 'active') return undefined;
      return {
        actor: { kind: 'api_key', id: key.keyId, role: key.role, tenantId: key.tenantId },
        scopes: key.scopes,
      };
    }
    if (!bearer.startsWith(SESSION_PREFIX)) return undefined;
    const session = identities.session(hashSecret(bearer));
    if (!session || session.revokedAt !== null || session.expiresAt <= now()) return undefined;
    // The session names the member; the directory says who they are now.
    const member = identities.member(session);
    if (!member || member.status !== 'active') return undefined;
    return fullCredential(actorOf(member));
  },

  logout: (token) => identities.revokeSession(hashSecret(token), now()),
});
