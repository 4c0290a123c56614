import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import type { SsoIssuer } from '@ccp/schemas';

/** Why an ID token was not accepted; each is a 401 with this code. */
export class OidcRejected extends Error {
  constructor(
    readonly code:
      | 'OIDC_MALFORMED'
      | 'OIDC_UNKNOWN_ISSUER'
      | 'OIDC_INVALID_TOKEN'
      | 'OIDC_EMAIL_UNVERIFIED'
      | 'OIDC_DISCOVERY_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'OidcRejected';
  }
}

const Discovery = z.object({ issuer: z.string(), jwks_uri: z.url() });

export interface VerifiedIdentity {
  readonly issuer: string;
  readonly subject: string;
  readonly email: string;
}

/** The issuers one tenant trusts: a key set found for them serves that tenant's sign-ins only. */
export interface TrustedIssuers {
  readonly tenantId: string;
  readonly issuers: readonly SsoIssuer[];
}

/** Key sets kept at most; past it the oldest is dropped (and fetched again when next needed). */
const MAX_KEY_SETS = 1000;

/**
 * Verifies OpenID Connect ID tokens of any issuer by its published keys (JWKS), found from the issuer's
 * discovery document unless configured. Keys are fetched once per tenant, issuer and key-set URL, and refreshed
 * by jose when a token names a key it does not know (key rotation).
 */
export const oidcVerifier = (
  options: { readonly fetch?: typeof fetch; readonly clockToleranceSeconds?: number } = {},
) => {
  /**
   * By tenant, issuer and key-set URL: two tenants may name the same issuer with different key sets, and the
   * keys one of them configured must never verify a token for the other's members.
   */
  const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  /** Key-set URLs read from discovery documents, by tenant and issuer. */
  const discovered = new Map<string, string>();
  const remember = <V>(map: Map<string, V>, key: string, value: V): void => {
    map.set(key, value);
    if (map.size > MAX_KEY_SETS) map.delete(map.keys().next().value ?? '');
  };

  const jwksFor = async (
    tenantId: string,
    issuer: SsoIssuer,
  ): Promise<ReturnType<typeof createRemoteJWKSet>> => {
    const discoveryKey = JSON.stringify([tenantId, issuer.issuer]);
    let uri = issuer.jwksUri ?? discovered.get(discoveryKey);
    if (uri === undefined) {
      const url = `${issuer.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      try {
        const response = await (options.fetch ?? fetch)(url, { signal: AbortSignal.timeout(10_000) });
        const discovery = Discovery.parse(await response.json());
        if (discovery.issuer !== issuer.issuer)
          throw new Error(`the document names issuer ${discovery.issuer}`);
        uri = discovery.jwks_uri;
      } catch (error) {
        throw new OidcRejected('OIDC_DISCOVERY_FAILED', `could not read ${url}: ${String(error)}`);
      }
      remember(discovered, discoveryKey, uri);
    }
    const cacheKey = JSON.stringify([tenantId, issuer.issuer, uri]);
    const cached = keySets.get(cacheKey);
    if (cached) return cached;
    const keys = createRemoteJWKSet(new URL(uri));
    remember(keySets, cacheKey, keys);
    return keys;
  };

  /**
   * The identity in `token`, if one of the tenant's `trusted` issuers issued it for its audience, with that
   * tenant's keys, and the email is verified.
   */
  return async (token: string, trusted: TrustedIssuers): Promise<VerifiedIdentity> => {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(token);
    } catch {
      throw new OidcRejected('OIDC_MALFORMED', 'this is not a JWT');
    }
    const issuer = trusted.issuers.find((i) => i.issuer === claims.iss);
    if (!issuer)
      throw new OidcRejected('OIDC_UNKNOWN_ISSUER', `no tenant here trusts issuer ${String(claims.iss)}`);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await jwksFor(trusted.tenantId, issuer), {
        issuer: issuer.issuer,
        audience: issuer.audience,
        clockTolerance: options.clockToleranceSeconds ?? 60,
      }));
    } catch (error) {
      if (error instanceof OidcRejected) throw error;
      throw new OidcRejected('OIDC_INVALID_TOKEN', `the ID token was refused: ${(error as Error).message}`);
    }
    const email = typeof payload['email'] === 'string' ? payload['email'].toLowerCase() : undefined;
    if (email === undefined || payload['email_verified'] !== true) {
      throw new OidcRejected(
        'OIDC_EMAIL_UNVERIFIED',
        'the identity provider did not vouch for an email address',
      );
    }
    return { issuer: issuer.issuer, subject: String(payload.sub), email };
  };
};
