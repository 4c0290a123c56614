import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface LocalIssuer {
  /** The issuer URL (also where its discovery document is). */
  url(): string;
  /** Where its key set is served. */
  jwksUri(): string;
  /** An ID token signed with this issuer's key; `iss` and `aud` may be overridden in the claims. */
  sign(
    claims: Record<string, unknown>,
    options?: { key?: CryptoKey; expiresIn?: string; issuer?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

/**
 * A LOCAL STAND-IN for an OpenID Connect identity provider (what Google, Microsoft, Supabase or Firebase
 * publish): a discovery document and a JWKS on loopback, and ID tokens signed with its key by jose. Every
 * stand-in names its key `key-1`, so two of them can pose as one issuer's key set.
 */
/** What a stand-in answers on a path instead of its discovery document or key set (a misbehaving provider). */
export type IssuerOverride = (
  path: string,
  issuerUrl: string,
) => { status: number; headers?: Record<string, string>; body: string } | undefined;

export const startLocalIssuer = async (
  options: { readonly host?: string; readonly override?: IssuerOverride } = {},
): Promise<LocalIssuer> => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  let url = '';
  const server: Server = createServer((request, response) => {
    const override = options.override?.(request.url ?? '/', url);
    if (override) {
      response.writeHead(override.status, { 'content-type': 'text/plain', ...override.headers });
      response.end(override.body);
      return;
    }
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration') {
      response.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks` }));
    } else if (request.url === '/jwks') {
      response.end(JSON.stringify({ keys: [jwk] }));
    } else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', resolve);
  });
  url = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  return {
    url: () => url,
    jwksUri: () => `${url}/jwks`,
    sign: (claims, options = {}) =>
      new SignJWT({ email_verified: true, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
        .setIssuer(String(claims['iss'] ?? options.issuer ?? url))
        .setAudience(String(claims['aud'] ?? 'ccp-console'))
        .setSubject('idp-user-1')
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(options.key ?? privateKey),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
