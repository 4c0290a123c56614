import { createRemoteJWKSet, customFetch, decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';
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
      | 'OIDC_PROVIDER_UNREACHABLE',
    message: string,
  ) {
    super(message);
    this.name = 'OidcRejected';
  }
}

const Discovery = z.object({ issuer: z.string(), jwks_uri: z.url({ protocol: /^https?$/ }) });
const KeySet = z.object({ keys: z.array(z.record(z.string(), z.unknown())).max(100) });

/**
 * A provider's address or answer was unusable. What went wrong (an address the guard refused, what the
 * server said) goes to the log only: echoed to an unauthenticated caller it would map internal networks.
 */
class ProviderUnreachable extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'ProviderUnreachable';
  }
}
const UNREACHABLE = 'the identity provider could not be reached';
/** A provider that failed is not asked again for this long (each try is a request anyone can trigger). */
const RETRY_FAILED_AFTER_MS = 30_000;

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
export const oidcVerifier = (options: {
  /** Every request to a provider goes through this (the platform's outbound guard). */
  readonly fetch: typeof fetch;
  /** Where the reasons a provider could not be used are told (never to the caller). */
  readonly log?: (message: string) => void;
  readonly clockToleranceSeconds?: number;
}) => {
  const log = options.log ?? (() => undefined);
  /** Reads a JSON document from a provider; any failure is a ProviderUnreachable with the reason. */
  const readJson = async <T>(url: string, schema: z.ZodType<T>, init: RequestInit = {}): Promise<T> => {
    let response: Response;
    try {
      response = await options.fetch(url, { signal: AbortSignal.timeout(10_000), ...init });
    } catch (error) {
      throw new ProviderUnreachable(`${url}: ${String(error)}`);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new ProviderUnreachable(`${url}: HTTP ${response.status}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw new ProviderUnreachable(`${url}: ${String(error)}`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new ProviderUnreachable(`${url}: ${parsed.error.message}`);
    return parsed.data;
  };
  /** jose's key-set fetch, through the same guard and checks; jose gets back only a checked key set. */
  const fetchKeySet = async (
    url: string,
    init: { headers: Headers; method: 'GET'; redirect: 'manual'; signal: AbortSignal },
  ): Promise<Response> =>
    // Without jose's `redirect: 'manual'`: the guard follows a key set's redirects itself, each hop checked.
    new Response(
      JSON.stringify(
        await readJson(url, KeySet, { headers: init.headers, method: init.method, signal: init.signal }),
      ),
      {
        status: 200,
        headers: { 'content-type': 'application/json' },
      },
    );
  /** When discovery last failed, by tenant and issuer. */
  const failedAt = new Map<string, number>();

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
      const failed = failedAt.get(discoveryKey);
      if (failed !== undefined && Date.now() - failed < RETRY_FAILED_AFTER_MS)
        throw new ProviderUnreachable(`${issuer.issuer}: discovery failed moments ago, not retried yet`);
      const url = `${issuer.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      try {
        const discovery = await readJson(url, Discovery);
        if (discovery.issuer !== issuer.issuer)
          throw new ProviderUnreachable(`${url}: the document names issuer ${discovery.issuer}`);
        uri = discovery.jwks_uri;
      } catch (error) {
        remember(failedAt, discoveryKey, Date.now());
        throw error;
      }
      failedAt.delete(discoveryKey);
      remember(discovered, discoveryKey, uri);
    }
    const cacheKey = JSON.stringify([tenantId, issuer.issuer, uri]);
    const cached = keySets.get(cacheKey);
    if (cached) return cached;
    const keys = createRemoteJWKSet(new URL(uri), { [customFetch]: fetchKeySet });
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
      // What is wrong with the token itself is the caller's to know; anything about the provider is not.
      if (
        error instanceof errors.JOSEError &&
        !(error instanceof errors.JWKSTimeout) &&
        !(error instanceof errors.JWKSInvalid)
      ) {
        throw new OidcRejected('OIDC_INVALID_TOKEN', `the ID token was refused: ${error.message}`);
      }
      const detail = error instanceof ProviderUnreachable ? error.detail : String(error);
      log(`sso: tenant ${trusted.tenantId}, issuer ${issuer.issuer}: ${detail}`);
      throw new OidcRejected('OIDC_PROVIDER_UNREACHABLE', UNREACHABLE);
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
