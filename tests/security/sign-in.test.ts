import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectSecrets, commandApi, errorBodies, createAuth, totpCode } from '@ccp/command-service';
import { DEMO_TENANT, seedDemo } from '@ccp/infra';
import { startLocalIssuer, type IssuerOverride, type LocalIssuer } from '@ccp/command-service/testing';
import { codeAfter } from '../support/totp.js';
import {
  apiClient,
  login,
  startTestPlatform,
  SUPER_ADMIN,
  type ApiResponse,
  type TestPlatform,
} from '../support/platform.js';

/**
 * Sign-in under attack (issue 11): single sign-on across tenants, second factors, password guessing.
 * Everything runs against the real platform over HTTP; identity providers are local stand-ins on loopback.
 */

const PASSWORD = 'demo-password-1';
const OTHER = 'globex';
const OTHER_PASSWORD = 'globex-password-1';

let test: TestPlatform;
beforeAll(async () => {
  // The stand-in providers are on 127.0.0.1, which the outbound guard refuses unless the operator allows it.
  test = await startTestPlatform(undefined, { env: { OUTBOUND_ALLOW: '127.0.0.1/32' } });
  await seedDemo(test.platform, PASSWORD);
  const root = apiClient(test.url, await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  expect(
    (await root.command('CreateTenant', { tenantId: OTHER, name: 'Globex', planTier: 'starter' })).status,
  ).toBe(200);
  expect(
    (
      await root.command('InviteMember', {
        tenantId: OTHER,
        userId: 'globex-admin',
        email: 'admin@globex.example',
        name: 'Gia',
        role: 'tenant_admin',
      })
    ).status,
  ).toBe(200);
  expect(
    (await root.request('PUT', '/api/members/globex-admin/password', { password: OTHER_PASSWORD })).status,
  ).toBe(204);
});
afterAll(() => test?.stop());

type SignInAnswer = {
  token?: string;
  mfaRequired?: boolean;
  challenge?: string;
  user?: { userId: string; tenantId: string };
  error?: { code: string; message: string };
};
const oidc = (idToken: string): Promise<ApiResponse<SignInAnswer>> =>
  apiClient(test.url).request<SignInAnswer>('POST', '/api/auth/oidc', { idToken });

const setSso = async (token: string, tenantId: string, sso: unknown[]) => {
  const updated = await apiClient(test.url, token).command('UpdateTenantSettings', {
    tenantId,
    settings: { sso },
  });
  expect(updated.status, JSON.stringify(updated.body)).toBe(200);
};

/**
 * Enrols a TOTP second factor for a signed-in member; answers the seed, as their authenticator app has it, and
 * the instant whose code the enrolment spent.
 */
const enrolTotp = async (token: string): Promise<{ secret: string; spentAt: number }> => {
  const me = apiClient(test.url, token);
  const started = await me.request<{ secret: string }>('POST', '/api/auth/mfa/totp', {});
  expect(started.status).toBe(201);
  const spentAt = Date.now();
  const confirmed = await me.request('POST', '/api/auth/mfa/totp/confirm', {
    code: totpCode(started.body.secret, spentAt),
  });
  expect(confirmed.status).toBe(204);
  return { secret: started.body.secret, spentAt };
};

describe('single sign-on is bound to the tenant that configured it (item 1)', () => {
  let realIdp: LocalIssuer;
  let rogueKeys: LocalIssuer;
  beforeAll(async () => {
    realIdp = await startLocalIssuer();
    rogueKeys = await startLocalIssuer();
  });
  afterAll(async () => {
    await realIdp?.close();
    await rogueKeys?.close();
  });

  it('a tenant that names the same issuer with its own key set cannot sign in members of another tenant', async () => {
    const demoAdmin = await login(test.url, 'admin@demo.example', PASSWORD);
    await setSso(demoAdmin, DEMO_TENANT, [{ issuer: realIdp.url(), audience: 'ccp-console' }]);
    // The other tenant's admin claims the same issuer and audience but serves the keys itself.
    const otherAdmin = await login(test.url, 'admin@globex.example', OTHER_PASSWORD);
    await setSso(otherAdmin, OTHER, [
      { issuer: realIdp.url(), audience: 'ccp-console', jwksUri: rogueKeys.jwksUri() },
    ]);
    // Its own member signs in with its keys first, so its key set is the one loaded for that issuer.
    const own = await oidc(
      await rogueKeys.sign({ email: 'admin@globex.example' }, { issuer: realIdp.url() }),
    );
    expect(own.status).toBe(200);
    expect(own.body.user?.tenantId).toBe(OTHER);

    // Then it forges a token for the demo tenant's admin, signed with its own key.
    const forged = await oidc(
      await rogueKeys.sign({ email: 'admin@demo.example' }, { issuer: realIdp.url() }),
    );
    expect(forged.status, JSON.stringify(forged.body)).toBe(401);
    expect(forged.body.error?.code).toBe('OIDC_INVALID_TOKEN');
    expect(forged.body.token).toBeUndefined();

    // The real provider still signs the demo tenant's people in, and the rogue one still its own.
    const real = await oidc(await realIdp.sign({ email: 'analyst@demo.example' }));
    expect(real.status).toBe(200);
    expect(real.body.user?.userId).toBe('demo-analyst');
    const realForOther = await oidc(await realIdp.sign({ email: 'admin@globex.example' }));
    expect(realForOther.status).toBe(401);
  });

  it('in whichever order the key sets were loaded', async () => {
    // Here the real provider's keys are loaded first for the demo tenant (previous test), then the rogue ones.
    const forged = await oidc(
      await rogueKeys.sign({ email: 'supervisor@demo.example' }, { issuer: realIdp.url() }),
    );
    expect(forged.status).toBe(401);
    const own = await oidc(
      await rogueKeys.sign({ email: 'admin@globex.example' }, { issuer: realIdp.url() }),
    );
    expect(own.status).toBe(200);
    const forgedAgain = await oidc(
      await rogueKeys.sign({ email: 'supervisor@demo.example' }, { issuer: realIdp.url() }),
    );
    expect(forgedAgain.status).toBe(401);
  });
});

describe('single sign-on asks for the second factor (item 1)', () => {
  let idp: LocalIssuer;
  beforeAll(async () => {
    idp = await startLocalIssuer();
  });
  afterAll(() => idp?.close());

  it('a member with a second factor who signs in with SSO is asked for the code, like a password sign-in', async () => {
    const admin = await login(test.url, 'admin@demo.example', PASSWORD);
    await setSso(admin, DEMO_TENANT, [{ issuer: idp.url(), audience: 'ccp-console' }]);
    const supervisor = await login(test.url, 'supervisor@demo.example', PASSWORD);
    const { secret, spentAt } = await enrolTotp(supervisor);
    const answer = await oidc(await idp.sign({ email: 'supervisor@demo.example' }));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ mfaRequired: true, challenge: expect.any(String) });
    expect(answer.body.token).toBeUndefined();
    const done = await apiClient(test.url).request<SignInAnswer>('POST', '/api/auth/login/mfa', {
      challenge: answer.body.challenge,
      code: codeAfter(secret, spentAt),
    });
    expect(done.status).toBe(200);
    expect(done.body.user?.userId).toBe('demo-supervisor');
  });
});

/**
 * The platform's own command API, identity store and command handler, served on a second port with an auth
 * whose clock the test holds: lock-outs of minutes are crossed without sleeping. What it counts is kept in the
 * platform's identity.db, so a second one made over the same store sees the same counters (as after a restart).
 */
const clockedSignIn = async (start = Date.now()) => {
  let now = start;
  const lines: string[] = [];
  const auth = createAuth({
    identities: test.platform.identities,
    handler: test.platform.handler,
    secrets: subjectSecrets(test.platform.keys),
    clock: () => now,
    log: (line) => lines.push(line),
  });
  const app = new Koa();
  app.use(errorBodies());
  app.use(commandApi({ handler: test.platform.handler, auth }));
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    api: (token?: string) => apiClient(url, token),
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    logLines: lines,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** A new member of the demo tenant with a password; answers their email. */
const newMember = async (userId: string): Promise<string> => {
  const root = apiClient(test.url, await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  const email = `${userId}@demo.example`;
  const invited = await root.command('InviteMember', {
    tenantId: DEMO_TENANT,
    userId,
    email,
    name: 'Mo Factor',
    role: 'agent',
  });
  expect(invited.status).toBe(200);
  expect((await root.request('PUT', `/api/members/${userId}/password`, { password: PASSWORD })).status).toBe(
    204,
  );
  return email;
};
type Throttled = SignInAnswer & { signInNotice?: { failedAttempts: number; lockouts: number } };
const retryAfterOf = (response: ApiResponse) => Number(response.headers.get('retry-after'));

describe('password guessing is throttled per account (item 5)', () => {
  let clocked: Awaited<ReturnType<typeof clockedSignIn>>;
  beforeAll(async () => {
    clocked = await clockedSignIn();
  });
  afterAll(() => clocked?.close());
  const signIn = (email: string, password: string) =>
    clocked.api().request<Throttled>('POST', '/api/auth/login', { email, password });

  it('locks an account after 5 wrong passwords, refuses even the right one meanwhile, and lets it in after', async () => {
    for (let i = 0; i < 5; i += 1) {
      const wrong = await signIn('agent@demo.example', `wrong-password-${i}`);
      expect(wrong.status, `attempt ${i + 1}`).toBe(401);
      expect(wrong.body.error?.code).toBe('INVALID_CREDENTIALS');
    }
    const locked = await signIn('agent@demo.example', PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.error?.code).toBe('ACCOUNT_LOCKED');
    expect(locked.body.token).toBeUndefined();
    expect(retryAfterOf(locked)).toBe(30);
    // The attempts came on separate connections: what counts is the account, not where they came from.
    expect(clocked.logLines.join('\n')).toMatch(/demo-agent.*locked/);

    clocked.advance(29_000);
    expect((await signIn('agent@demo.example', PASSWORD)).status).toBe(429);
    clocked.advance(2_000);
    const after = await signIn('agent@demo.example', PASSWORD);
    expect(after.status).toBe(200);
    // The member is told what happened while they were away, once.
    expect(after.body.signInNotice).toMatchObject({ failedAttempts: 5, lockouts: 1 });
    const next = await signIn('agent@demo.example', PASSWORD);
    expect(next.status).toBe(200);
    expect(next.body.signInNotice).toBeUndefined();
    // A success starts the count over.
    for (let i = 0; i < 4; i += 1)
      expect((await signIn('agent@demo.example', 'wrong-password')).status).toBe(401);
    expect((await signIn('agent@demo.example', PASSWORD)).status).toBe(200);
  });

  it('an unknown email gets the very same answers, so lock-outs do not tell which emails exist', async () => {
    const answers = async (email: string) => {
      const seen: unknown[] = [];
      for (let i = 0; i < 6; i += 1) {
        const response = await signIn(email, `wrong-password-${i}`);
        seen.push([response.status, response.body, response.headers.get('retry-after')]);
      }
      return seen;
    };
    const known = await answers('viewer@demo.example');
    const unknown = await answers('nobody-here@demo.example');
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toEqual([
      429,
      expect.objectContaining({ error: expect.objectContaining({ code: 'ACCOUNT_LOCKED' }) }),
      '30',
    ]);
  });

  it('the back-off doubles with every further failure, stops growing at 15 minutes and always ends', async () => {
    const email = 'compliance@demo.example';
    for (let i = 0; i < 5; i += 1) await signIn(email, 'wrong-password');
    const waits: number[] = [];
    for (let round = 0; round < 8; round += 1) {
      const refused = await signIn(email, PASSWORD);
      expect(refused.status).toBe(429);
      const wait = retryAfterOf(refused);
      waits.push(wait);
      clocked.advance(wait * 1000);
      // One more wrong guess as soon as the lock ends starts the next, longer one.
      expect((await signIn(email, 'wrong-password')).status).toBe(401);
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
    const last = await signIn(email, PASSWORD);
    clocked.advance(retryAfterOf(last) * 1000);
    expect((await signIn(email, PASSWORD)).status).toBe(200);
  });

  it('the count is kept in the identity store: another instance (a restart) and many guesses at once do not reset it', async () => {
    const email = 'analyst@demo.example';
    // Twenty guesses in parallel: no more than the allowance are even checked before the lock is on.
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(email, `wrong-password-${i}`)),
    );
    expect(burst.filter((r) => r.status === 401)).toHaveLength(5);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(15);
    const restarted = await clockedSignIn(clocked.now());
    try {
      const refused = await restarted
        .api()
        .request<Throttled>('POST', '/api/auth/login', { email, password: PASSWORD });
      expect(refused.status).toBe(429);
      expect(refused.body.error?.code).toBe('ACCOUNT_LOCKED');
    } finally {
      await restarted.close();
    }
  });
});

describe('second-factor codes cannot be guessed (item 4)', () => {
  let clocked: Awaited<ReturnType<typeof clockedSignIn>>;
  beforeAll(async () => {
    clocked = await clockedSignIn();
  });
  afterAll(() => clocked?.close());

  const passwordStep = async (email: string): Promise<string> => {
    const first = await clocked
      .api()
      .request<SignInAnswer>('POST', '/api/auth/login', { email, password: PASSWORD });
    expect(first.body.mfaRequired).toBe(true);
    return first.body.challenge ?? '';
  };
  const codeStep = (challenge: string, code: string) =>
    clocked.api().request<Throttled>('POST', '/api/auth/login/mfa', { challenge, code });
  /** Enrols through the clocked API and moves to the next 30-second step, so the enrolment's code is not reused. */
  const enrolled = async (email: string): Promise<string> => {
    const session = await clocked
      .api()
      .request<SignInAnswer>('POST', '/api/auth/login', { email, password: PASSWORD });
    const me = clocked.api(session.body.token);
    const started = await me.request<{ secret: string }>('POST', '/api/auth/mfa/totp', {});
    const code = totpCode(started.body.secret, clocked.now());
    expect((await me.request('POST', '/api/auth/mfa/totp/confirm', { code })).status).toBe(204);
    clocked.advance(30_000);
    return started.body.secret;
  };
  /** Six digits that are not a code the seed accepts now. */
  const wrongCode = (secret: string, i: number) => {
    const valid = new Set([-1, 0, 1].map((d) => totpCode(secret, clocked.now() + d * 30_000)));
    for (let n = i; ; n += 1) {
      const candidate = String((n * 7919 + 123457) % 1_000_000).padStart(6, '0');
      if (!valid.has(candidate)) return candidate;
    }
  };

  it('a sign-in challenge dies after 5 wrong codes: the right code after them gets nothing', async () => {
    const email = await newMember('mfa-one');
    const secret = await enrolled(email);
    const challenge = await passwordStep(email);
    for (let i = 0; i < 5; i += 1) {
      const wrong = await codeStep(challenge, wrongCode(secret, i));
      expect(wrong.status).toBe(400);
      expect(wrong.body.error?.code).toBe('INVALID_CODE');
    }
    const right = await codeStep(challenge, totpCode(secret, clocked.now()));
    expect(right.status).toBe(401);
    expect(right.body.error?.code).toBe('INVALID_CHALLENGE');
    expect(right.body.token).toBeUndefined();
  });

  it('wrong codes across challenges lock the second factor for a back-off that grows; the lock ends', async () => {
    const email = await newMember('mfa-two');
    const secret = await enrolled(email);
    // Ten wrong codes, three to a challenge: fresh challenges do not give fresh tries.
    let challenge = '';
    for (let i = 0; i < 10; i += 1) {
      if (i % 3 === 0) challenge = await passwordStep(email);
      expect((await codeStep(challenge, wrongCode(secret, i))).status).toBe(400);
    }
    const locked = await codeStep(challenge, totpCode(secret, clocked.now()));
    expect(locked.status).toBe(429);
    expect(locked.body.error?.code).toBe('MFA_LOCKED');
    expect(retryAfterOf(locked)).toBe(30);
    // A new challenge is refused the same way.
    const fresh = await passwordStep(email);
    expect((await codeStep(fresh, totpCode(secret, clocked.now()))).status).toBe(429);
    clocked.advance(30_000);
    // Another wrong code as soon as it ends locks it for twice as long.
    expect((await codeStep(fresh, wrongCode(secret, 99))).status).toBe(400);
    const longer = await codeStep(fresh, totpCode(secret, clocked.now()));
    expect(longer.status).toBe(429);
    expect(retryAfterOf(longer)).toBe(60);
    clocked.advance(60_000);
    const done = await codeStep(await passwordStep(email), totpCode(secret, clocked.now()));
    expect(done.status).toBe(200);
    expect(done.body.signInNotice).toMatchObject({ failedAttempts: 11, lockouts: 2 });
    expect(clocked.logLines.join('\n')).toMatch(/mfa-two.*locked/);
  });

  it('confirming and turning off the second factor are limited the same way', async () => {
    const email = await newMember('mfa-three');
    const session = await clocked
      .api()
      .request<SignInAnswer>('POST', '/api/auth/login', { email, password: PASSWORD });
    const me = clocked.api(session.body.token);
    const started = await me.request<{ secret: string }>('POST', '/api/auth/mfa/totp', {});
    const secret = started.body.secret;
    for (let i = 0; i < 10; i += 1) {
      expect(
        (await me.request('POST', '/api/auth/mfa/totp/confirm', { code: wrongCode(secret, i) })).status,
      ).toBe(400);
    }
    const locked = await me.request<Throttled>('POST', '/api/auth/mfa/totp/confirm', {
      code: totpCode(secret, clocked.now()),
    });
    expect(locked.status).toBe(429);
    expect(locked.body.error?.code).toBe('MFA_LOCKED');
    expect(retryAfterOf(locked)).toBe(30);
    clocked.advance(30_000);
    expect(
      (await me.request('POST', '/api/auth/mfa/totp/confirm', { code: totpCode(secret, clocked.now()) }))
        .status,
    ).toBe(204);

    clocked.advance(30_000);
    for (let i = 0; i < 10; i += 1) {
      expect(
        (await me.request('POST', '/api/auth/mfa/totp/disable', { code: wrongCode(secret, i) })).status,
      ).toBe(400);
    }
    const refused = await me.request<Throttled>('POST', '/api/auth/mfa/totp/disable', {
      code: totpCode(secret, clocked.now()),
    });
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe('MFA_LOCKED');
  });
});

describe("turning on the second factor ends the member's other sessions (item 14a)", () => {
  it('keeps the session that confirmed the code and signs every other device out', async () => {
    const email = await newMember('mfa-sessions');
    const phone = await login(test.url, email, PASSWORD);
    const laptop = await login(test.url, email, PASSWORD);
    const me = apiClient(test.url, laptop);
    const started = await me.request<{ secret: string }>('POST', '/api/auth/mfa/totp', {});
    expect(
      (
        await me.request('POST', '/api/auth/mfa/totp/confirm', {
          code: totpCode(started.body.secret, Date.now()),
        })
      ).status,
    ).toBe(204);
    expect((await apiClient(test.url, phone).request('GET', '/api/auth/me')).status).toBe(401);
    expect((await me.request('GET', '/api/auth/me')).status).toBe(200);
    const sessions = await me.request<{ sessions: unknown[] }>('GET', '/api/auth/sessions');
    expect(sessions.body.sessions).toHaveLength(1);
  });
});

describe('identity provider fetches reach no internal address and tell the caller nothing (item 7)', () => {
  const SECRET = 'internal-service-secret-4711';
  /** A service on the internal network (127.0.0.2: loopback, not in OUTBOUND_ALLOW): no fetch may reach it. */
  let internal: LocalIssuer;
  let internalHits = 0;
  const issuers: LocalIssuer[] = [];
  beforeAll(async () => {
    internal = await startLocalIssuer({
      host: '127.0.0.2',
      override: () => {
        internalHits += 1;
        return { status: 200, body: `<html>${SECRET}</html>` };
      },
    });
  });
  afterAll(async () => {
    await internal?.close();
    for (const issuer of issuers) await issuer.close();
  });

  /** An identity provider on an allowed address, misbehaving as `override` says, trusted by the demo tenant. */
  const trustedProvider = async (override: IssuerOverride): Promise<LocalIssuer> => {
    const provider = await startLocalIssuer({ override });
    issuers.push(provider);
    const admin = await login(test.url, 'admin@demo.example', PASSWORD);
    await setSso(admin, DEMO_TENANT, [{ issuer: provider.url(), audience: 'ccp-console' }]);
    return provider;
  };
  const expectGeneric = (answer: ApiResponse<SignInAnswer>) => {
    expect(answer.status).toBe(401);
    const text = JSON.stringify(answer.body);
    for (const leak of [SECRET, '127.0.0.2', 'OutboundRefused', 'SyntaxError', 'http://'])
      expect(text, `the answer names ${leak}`).not.toContain(leak);
    expect(answer.body.error).toEqual({
      code: 'OIDC_PROVIDER_UNREACHABLE',
      message: 'the identity provider could not be reached',
    });
  };

  it('a discovery document that redirects to an internal address: refused, a generic 401', async () => {
    const provider = await trustedProvider((path) =>
      path === '/.well-known/openid-configuration'
        ? {
            status: 302,
            headers: { location: `${internal.url()}/.well-known/openid-configuration` },
            body: '',
          }
        : undefined,
    );
    expectGeneric(await oidc(await provider.sign({ email: 'analyst@demo.example' })));
    expect(internalHits).toBe(0);
  });

  it('a discovery document naming an internal key set: the key-set fetch is guarded too', async () => {
    const provider = await trustedProvider((path, issuerUrl) =>
      path === '/.well-known/openid-configuration'
        ? { status: 200, body: JSON.stringify({ issuer: issuerUrl, jwks_uri: internal.jwksUri() }) }
        : undefined,
    );
    expectGeneric(await oidc(await provider.sign({ email: 'analyst@demo.example' })));
    expect(internalHits).toBe(0);
  });

  it('what a provider answers is never echoed to the caller', async () => {
    const provider = await trustedProvider((path) =>
      path === '/.well-known/openid-configuration'
        ? { status: 200, body: `<html>${SECRET}</html>` }
        : undefined,
    );
    expectGeneric(await oidc(await provider.sign({ email: 'analyst@demo.example' })));
  });
});
