import type { SsoOption } from '../api/types';

const PENDING = 'ccp.sso';

interface Pending {
  readonly state: string;
  readonly nonce: string;
  readonly issuer: string;
}

const random = (): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
};

export const ssoRedirectUri = (): string => `${window.location.origin}/login/sso`;

/**
 * Sends the browser to the issuer's sign-in page (OpenID Connect implicit flow, ID token in the fragment): the
 * platform signs in with an ID token (POST /api/auth/oidc), so the console needs no client secret.
 */
export const startSso = async (option: SsoOption): Promise<void> => {
  const issuer = option.issuer.replace(/\/$/, '');
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the identity provider ${issuer} did not answer`);
  const discovery = (await response.json()) as { authorization_endpoint?: unknown };
  if (typeof discovery.authorization_endpoint !== 'string') {
    throw new Error(`the identity provider ${issuer} names no authorization endpoint`);
  }
  const pending: Pending = { state: random(), nonce: random(), issuer };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(discovery.authorization_endpoint);
  url.searchParams.set('client_id', option.clientId);
  url.searchParams.set('response_type', 'id_token');
  url.searchParams.set('response_mode', 'fragment');
  url.searchParams.set('scope', 'openid email profile');
  url.searchParams.set('redirect_uri', ssoRedirectUri());
  url.searchParams.set('state', pending.state);
  url.searchParams.set('nonce', pending.nonce);
  window.location.assign(url.toString());
};

const payloadOf = (jwt: string): Record<string, unknown> => {
  const part = jwt.split('.')[1] ?? '';
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const json = decodeURIComponent(
    Array.from(atob(base64), (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
  );
  return JSON.parse(json) as Record<string, unknown>;
};

/**
 * The ID token the issuer sent back, once it is known to answer this browser's own request (state and nonce);
 * the platform checks its signature, issuer, audience and expiry.
 */
export const idTokenFromRedirect = (fragment: string): string => {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const stored = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const error = params.get('error');
  if (error !== null) throw new Error(params.get('error_description') ?? error);
  const idToken = params.get('id_token');
  if (stored === null || idToken === null) throw new Error('no sign-in was waiting for this answer');
  const pending = JSON.parse(stored) as Pending;
  if (params.get('state') !== pending.state) throw new Error('the answer does not match the sign-in request');
  if (payloadOf(idToken)['nonce'] !== pending.nonce)
    throw new Error('the token was not issued for this request');
  return idToken;
};
