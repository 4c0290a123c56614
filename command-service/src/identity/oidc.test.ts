import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from './testing/oidc-issuer.js';
import { outboundGuard } from '../net/outbound-guard.js';
import { OidcRejected, oidcVerifier } from './oidc.js';

/** Real local providers on loopback; the guard allows 127.0.0.1 only, so 127.0.0.2 stands for the internal network. */
let internal: LocalIssuer;
let redirecting: LocalIssuer;
let good: LocalIssuer;
let internalHits = 0;
beforeAll(async () => {
  internal = await startLocalIssuer({
    host: '127.0.0.2',
    override: () => {
      internalHits += 1;
      return { status: 200, body: 'internal' };
    },
  });
  redirecting = await startLocalIssuer({
    override: (path) =>
      path === '/.well-known/openid-configuration'
        ? { status: 302, headers: { location: internal.url() }, body: '' }
        : undefined,
  });
  good = await startLocalIssuer();
});
afterAll(async () => {
  for (const issuer of [internal, redirecting, good]) await issuer?.close();
});

const verifierWithLog = () => {
  const lines: string[] = [];
  let fetches = 0;
  const guard = outboundGuard({ allow: ['127.0.0.1/32'] });
  const verify = oidcVerifier({
    fetch: (input, init) => {
      fetches += 1;
      return guard.fetch(input, init);
    },
    log: (line) => lines.push(line),
  });
  return { verify, lines, fetches: () => fetches };
};

describe('OpenID Connect verifier', () => {
  it('verifies a token with the keys of the tenant that trusts the issuer', async () => {
    const { verify } = verifierWithLog();
    const identity = await verify(await good.sign({ email: 'Ana@Example.com' }), {
      tenantId: 't1',
      issuers: [{ issuer: good.url(), audience: 'ccp-console' }],
    });
    expect(identity).toEqual({ issuer: good.url(), subject: 'idp-user-1', email: 'ana@example.com' });
  });

  it('tells the caller a provider could not be reached and the log why; a failed provider is not asked again at once', async () => {
    const { verify, lines, fetches } = verifierWithLog();
    const trusted = { tenantId: 't1', issuers: [{ issuer: redirecting.url(), audience: 'ccp-console' }] };
    const token = await redirecting.sign({ email: 'ana@example.com' });
    const refusal = await verify(token, trusted).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(OidcRejected);
    expect(refusal).toMatchObject({
      code: 'OIDC_PROVIDER_UNREACHABLE',
      message: 'the identity provider could not be reached',
    });
    expect(lines.join('\n')).toMatch(/tenant t1, issuer http:\/\/127\.0\.0\.1:\d+: .*127\.0\.0\.2/);
    expect(internalHits).toBe(0);
    const calls = fetches();
    await expect(verify(token, trusted)).rejects.toMatchObject({ code: 'OIDC_PROVIDER_UNREACHABLE' });
    expect(fetches()).toBe(calls);
  });
});
