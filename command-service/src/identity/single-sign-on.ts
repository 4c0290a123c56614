import { CommandRejected } from '../application/errors.js';
import { outboundGuard } from '../net/outbound-guard.js';
import type { Auth, MfaChallenge, Session } from './auth.js';
import { INVALID_LOGIN } from './auth-refusals.js';
import type { Member } from './identity-records.js';
import type { IdentityStore } from './identity-store.js';
import { OidcRejected, oidcVerifier } from './oidc.js';

export interface SingleSignOnOptions {
  readonly identities: IdentityStore;
  readonly verifyIdToken: ReturnType<typeof oidcVerifier> | undefined;
  readonly log: ((message: string) => void) | undefined;
  /** What a verified ID token leads to (see secondFactor). */
  readonly sessionOrChallenge: (member: Member) => Session | MfaChallenge;
}

export const singleSignOn = (options: SingleSignOnOptions): Pick<Auth, 'loginWithIdToken'> => {
  const { identities, sessionOrChallenge } = options;
  // Identity providers are tenants' URLs: by default only public addresses are fetched.
  const verifyIdToken =
    options.verifyIdToken ?? oidcVerifier({ fetch: outboundGuard().fetch, log: options.log });
  return {
    loginWithIdToken: async (idToken) => {
      await identities.catchUp();
      // Which member the token is for decides which tenant's issuers are trusted: read its email first, verify after.
      let claimed: string | undefined;
      try {
        const payload = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString()) as {
          email?: unknown;
        };
        claimed = typeof payload.email === 'string' ? payload.email.toLowerCase() : undefined;
      } catch {
        claimed = undefined;
      }
      const member = claimed !== undefined ? identities.memberByEmail(claimed) : undefined;
      // Only the member's own tenant's issuers, with the keys that tenant configured, can vouch for them.
      const trusted = member
        ? { tenantId: member.tenantId, issuers: identities.ssoIssuers(member.tenantId) }
        : { tenantId: '', issuers: [] };
      try {
        const identity = await verifyIdToken(idToken, trusted);
        if (!member || member.status !== 'active' || identity.email !== member.email.toLowerCase())
          throw INVALID_LOGIN;
        // The identity provider's word replaces the password, not the second factor.
        return sessionOrChallenge(member);
      } catch (error) {
        if (error instanceof OidcRejected) throw new CommandRejected(401, error.code, error.message);
        throw error;
      }
    },
  };
};
