import { randomUUID } from 'node:crypto';
import type { Actor, Role } from '@ccp/schemas';
import type { CommandHandler } from '../application/command-handler.js';
import { CommandRejected } from '../application/errors.js';
import type { IdentityStore, Member } from './identity-store.js';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
import { API_KEY_PREFIX, hashSecret, newSecret, SESSION_PREFIX } from './secrets.js';

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: Pick<Member, 'userId' | 'tenantId' | 'email' | 'name' | 'role'>;
}

export interface IssuedApiKey {
  readonly keyId: string;
  /** Shown once; only its hash is kept. */
  readonly key: string;
}

export interface Auth {
  login(email: string, password: string): Promise<Session>;
  /** The actor behind a bearer credential (session token or API key), or undefined when it is not valid. */
  authenticate(bearer: string): Promise<Actor | undefined>;
  logout(token: string): void;
  setPassword(actor: Actor, userId: string, password: string): Promise<void>;
  issueApiKey(
    actor: Actor,
    input: { tenantId: string; name: string; role: Role; scopes?: string[] },
  ): Promise<IssuedApiKey>;
  scopesOf(bearer: string): readonly string[] | undefined;
}

export interface AuthOptions {
  readonly identities: IdentityStore;
  readonly handler: CommandHandler;
  readonly sessionTtlMs?: number;
  readonly clock?: () => number;
}

const INVALID_LOGIN = new CommandRejected(401, 'INVALID_CREDENTIALS', 'email or password is wrong');

export const createAuth = (options: AuthOptions): Auth => {
  const { identities, handler } = options;
  const ttl = options.sessionTtlMs ?? 12 * 60 * 60 * 1000;
  const now = options.clock ?? Date.now;

  const actorOf = (member: Member, kind: Actor['kind'] = 'user'): Actor => ({
    kind,
    id: member.userId,
    role: member.role,
    tenantId: member.tenantId,
  });

  return {
    login: async (email, password) => {
      await identities.catchUp();
      const member = identities.memberByEmail(email);
      const stored =
        member && member.status === 'active' ? identities.passwordHash(member.userId) : undefined;
      // Verify even for unknown users so that timing does not tell which emails exist.
      const ok = await verifyPassword(password, stored ?? 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA');
      if (!member || !stored || !ok) throw INVALID_LOGIN;
      const token = newSecret(SESSION_PREFIX);
      const expiresAt = now() + ttl;
      identities.createSession(hashSecret(token), member.userId, now(), expiresAt);
      const { userId, tenantId, name, role } = member;
      return {
        token,
        expiresAt: new Date(expiresAt).toISOString(),
        user: { userId, tenantId, email: member.email, name, role },
      };
    },

    authenticate: async (bearer) => {
      // Revocations and role changes take effect at once: read the directory only after it caught up.
      await identities.catchUp();
      if (bearer.startsWith(API_KEY_PREFIX)) {
        const key = identities.apiKeyByHash(hashSecret(bearer));
        if (!key || key.revoked) return undefined;
        return { kind: 'api_key', id: key.keyId, role: key.role, tenantId: key.tenantId };
      }
      if (!bearer.startsWith(SESSION_PREFIX)) return undefined;
      const session = identities.session(hashSecret(bearer));
      if (!session || session.revokedAt !== null || session.expiresAt <= now()) return undefined;
      // The session names the user; the directory says who they are now.
      const member = identities.member(session.userId);
      if (!member || member.status !== 'active') return undefined;
      return actorOf(member);
    },

    logout: (token) => identities.revokeSession(hashSecret(token), now()),

    setPassword: async (actor, userId, password) => {
      if (password.length < MIN_PASSWORD_LENGTH || password.length > 200) {
        throw new CommandRejected(
          400,
          'VALIDATION_FAILED',
          `password: must be ${MIN_PASSWORD_LENGTH} to 200 characters`,
          'password',
        );
      }
      await identities.catchUp();
      const member = identities.member(userId);
      const allowed =
        actor.kind === 'system' ||
        actor.role === 'super_admin' ||
        (actor.kind === 'user' && actor.id === userId) ||
        (actor.role === 'tenant_admin' && member?.tenantId === actor.tenantId);
      if (!member || member.status !== 'active' || !allowed) {
        throw new CommandRejected(404, 'MEMBER_NOT_FOUND', 'no such member', 'userId');
      }
      identities.setPasswordHash(userId, await hashPassword(password), now());
      // A new password signs every other device out.
      identities.revokeSessionsOf(userId, now());
    },

    issueApiKey: async (actor, input) => {
      const key = newSecret(API_KEY_PREFIX);
      const keyId = `key_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      await handler.handle('IssueApiKey', { ...input, keyId, keyHash: hashSecret(key) }, { actor });
      await identities.catchUp();
      return { keyId, key };
    },

    scopesOf: (bearer) =>
      bearer.startsWith(API_KEY_PREFIX) ? identities.apiKeyByHash(hashSecret(bearer))?.scopes : undefined,
  };
};
