import { readFileSync } from 'node:fs';
import { importPKCS8, SignJWT } from 'jose';
import { z } from 'zod';

/** Where the bearer token for Google's API comes from. */
export interface TokenSource {
  accessToken(): Promise<string>;
}

/** A token given by the operator as is (short-lived: for trying the sync, or a token kept fresh elsewhere). */
export const staticToken = (token: string): TokenSource => ({ accessToken: () => Promise.resolve(token) });

const ServiceAccountKey = z.object({
  client_email: z.string().min(3),
  private_key: z.string().includes('PRIVATE KEY'),
  token_uri: z.url().default('https://oauth2.googleapis.com/token'),
});
export type ServiceAccountKey = z.infer<typeof ServiceAccountKey>;

const TokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive() });

export const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';

/**
 * A Google service account's key file, exchanged for access tokens with the OAuth 2.0 JWT bearer grant
 * (RFC 7523), as Google documents for server-to-server calls. Staff share their calendar with the service
 * account's address. A token is reused until a minute before it expires.
 */
export const serviceAccountTokens = (
  key: ServiceAccountKey,
  options: { readonly fetch: typeof fetch; readonly now?: () => Date },
): TokenSource => {
  const doFetch = options.fetch;
  const now = options.now ?? (() => new Date());
  let cached: { token: string; until: number } | undefined;
  let pending: Promise<string> | undefined;

  const exchange = async (): Promise<string> => {
    const issuedAt = Math.floor(now().getTime() / 1000);
    const assertion = await new SignJWT({ scope: CALENDAR_SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(key.client_email)
      .setAudience(key.token_uri)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + 3600)
      .sign(await importPKCS8(key.private_key, 'RS256'));
    const answer = await doFetch(key.token_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!answer.ok) {
      throw new Error(
        `Google token exchange answered ${answer.status} ${(await answer.text()).slice(0, 200)}`,
      );
    }
    const token = TokenAnswer.parse(await answer.json());
    cached = { token: token.access_token, until: now().getTime() + (token.expires_in - 60) * 1000 };
    return token.access_token;
  };

  return {
    accessToken() {
      if (cached && now().getTime() < cached.until) return Promise.resolve(cached.token);
      // Calls waiting at once share one exchange.
      pending ??= exchange().finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
};

/** Reads and checks a service account key file (the JSON Google's console downloads). */
export const readServiceAccountKey = (path: string): ServiceAccountKey => {
  const parsed = ServiceAccountKey.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new Error(`${path} is not a Google service account key: ${parsed.error.message}`);
  return parsed.data;
};
