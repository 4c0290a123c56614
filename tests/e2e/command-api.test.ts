import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteEventStore, commandRoutes } from '@ccp/command-service';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';

type Client = ReturnType<typeof apiClient>;
const PASSWORD = 'correct-horse-battery';

describe('command API', () => {
  let t: TestPlatform;
  let root: Client;
  let acme: Client;
  let globex: Client;
  let viewer: Client;
  const logSize = async () => (await t.platform.store.readAll()).length;

  const member = async (tenantId: string, userId: string, role: string) => {
    expect(
      (
        await root.command('InviteMember', {
          tenantId,
          userId,
          email: `${userId}@test.example`,
          name: userId,
          role,
        })
      ).status,
    ).toBe(200);
    expect(
      (await root.request('PUT', `/api/members/${userId}/password`, { password: PASSWORD })).status,
    ).toBe(204);
    return apiClient(t.url, await login(t.url, `${userId}@test.example`, PASSWORD));
  };

  beforeAll(async () => {
    t = await startTestPlatform();
    root = apiClient(t.url, await login(t.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
    expect((await root.command('CreateTenant', { tenantId: 'acme', name: 'Acme' })).status).toBe(200);
    expect(
      (await root.command('CreateTenant', { tenantId: 'globex', name: 'Globex', planTier: 'starter' }))
        .status,
    ).toBe(200);
    acme = await member('acme', 'acme-admin', 'tenant_admin');
    globex = await member('globex', 'globex-admin', 'tenant_admin');
    viewer = await member('acme', 'acme-viewer', 'viewer');
  });
  afterAll(async () => {
    await t.stop();
  });

  describe('sign-in', () => {
    it('refuses a wrong password and an unknown user alike', async () => {
      const anon = apiClient(t.url);
      const wrong = await anon.request('POST', '/api/auth/login', {
        email: SUPER_ADMIN.email,
        password: 'nope',
      });
      const unknown = await anon.request('POST', '/api/auth/login', {
        email: 'who@test.example',
        password: 'nope',
      });
      expect(wrong.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.body).toEqual({
        error: { code: 'INVALID_CREDENTIALS', message: 'email or password is wrong' },
      });
    });

    it('says who the caller is, and forgets a session after logout', async () => {
      const token = await login(t.url, 'acme-admin@test.example', PASSWORD);
      const me = apiClient(t.url, token);
      expect((await me.request('GET', '/api/auth/me')).body).toEqual({
        actor: { kind: 'user', id: 'acme-admin', role: 'tenant_admin', tenantId: 'acme' },
      });
      expect((await me.request('POST', '/api/auth/logout', {})).status).toBe(204);
      expect((await me.request('GET', '/api/auth/me')).status).toBe(401);
    });

    it('refuses commands without credentials or with forged ones', async () => {
      const before = await logSize();
      expect((await apiClient(t.url).command('CreateDepartment', {})).status).toBe(401);
      const forged = await apiClient(t.url, 'ccs_forged').command('CreateDepartment', {});
      expect(forged.status).toBe(401);
      expect(forged.body).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
      expect(await logSize()).toBe(before);
    });
  });

  describe('a valid command', () => {
    it('is decided, appended and answered with the new revision', async () => {
      const response = await acme.command('CreateDepartment', {
        tenantId: 'acme',
        departmentId: 'sales',
        name: 'Sales',
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        streamId: 'department-acme.sales',
        nextRevision: 0,
        events: [{ type: 'DepartmentCreated' }],
        replayed: false,
      });
      const update = await acme.command('UpdateDepartment', {
        tenantId: 'acme',
        departmentId: 'sales',
        name: 'Sales team',
      });
      expect(update.body).toMatchObject({ nextRevision: 1 });
      const [stored] = await t.platform.store.readStream('department-acme.sales');
      expect(stored?.metadata).toMatchObject({
        tenantId: 'acme',
        actor: { kind: 'user', id: 'acme-admin', role: 'tenant_admin', tenantId: 'acme' },
        version: 1,
      });
    });

    it('a business rule refusal is a 4xx with its code and appends nothing', async () => {
      const before = await logSize();
      const again = await acme.command('CreateDepartment', {
        tenantId: 'acme',
        departmentId: 'sales',
        name: 'Sales',
      });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ error: { code: 'DEPARTMENT_EXISTS' } });
      expect(await logSize()).toBe(before);
    });
  });

  describe('bad input gets a clear 4xx and appends nothing', () => {
    const cases: [
      string,
      () => Promise<{ status: number; body: unknown }>,
      number,
      Record<string, unknown>,
    ][] = [
      [
        'a field of the wrong type',
        () => acme.command('CreateDepartment', { tenantId: 'acme', departmentId: 'x', name: 42 }),
        400,
        { code: 'VALIDATION_FAILED', field: 'name' },
      ],
      [
        'a nested field out of range',
        () =>
          acme.command('CreateAgent', {
            tenantId: 'acme',
            agentId: 'a9',
            name: 'A',
            type: 'sales',
            escalationRules: { belowConfidence: 3 },
          }),
        400,
        { code: 'VALIDATION_FAILED', field: 'escalationRules.belowConfidence' },
      ],
      [
        'an unknown command',
        () => acme.command('LaunchRocket', { tenantId: 'acme' }),
        404,
        { code: 'UNKNOWN_COMMAND' },
      ],
      [
        'a missing tenant',
        () => acme.command('CreateDepartment', { departmentId: 'x', name: 'X' }),
        400,
        { code: 'VALIDATION_FAILED', field: 'tenantId' },
      ],
      [
        'a tenant that does not exist (super admin)',
        () => root.command('CreateDepartment', { tenantId: 'nowhere', departmentId: 'x', name: 'X' }),
        404,
        { code: 'TENANT_NOT_FOUND', field: 'tenantId' },
      ],
      [
        'an oversized body',
        () =>
          acme.command('CreateDepartment', { tenantId: 'acme', departmentId: 'x', name: 'x'.repeat(70_000) }),
        413,
        { code: 'PAYLOAD_TOO_LARGE' },
      ],
      [
        'malformed JSON',
        () => acme.request('POST', '/api/commands/CreateDepartment', '{"tenantId": "acme",'),
        400,
        { code: 'INVALID_REQUEST' },
      ],
      [
        'a body that is not JSON',
        () =>
          acme.request('POST', '/api/commands/CreateDepartment', 'tenantId=acme', {
            'content-type': 'application/x-www-form-urlencoded',
          }),
        415,
        { code: 'UNSUPPORTED_MEDIA_TYPE' },
      ],
      [
        "another tenant's stream",
        () => acme.command('CreateDepartment', { tenantId: 'globex', departmentId: 'x', name: 'X' }),
        403,
        { code: 'FORBIDDEN_TENANT', field: 'tenantId' },
      ],
      [
        'a role that may not send the command',
        () => viewer.command('CreateDepartment', { tenantId: 'acme', departmentId: 'x', name: 'X' }),
        403,
        { code: 'FORBIDDEN_ROLE' },
      ],
      [
        'a tenant admin sending a super admin command',
        () => acme.command('ChangePlanTier', { tenantId: 'acme', planTier: 'enterprise' }),
        403,
        { code: 'FORBIDDEN_ROLE' },
      ],
      [
        'a short Idempotency-Key',
        () =>
          acme.command(
            'CreateDepartment',
            { tenantId: 'acme', departmentId: 'x', name: 'X' },
            { 'idempotency-key': 'k' },
          ),
        400,
        { field: 'Idempotency-Key' },
      ],
    ];
    it.each(cases)('%s', async (_name, send, status, error) => {
      const before = await logSize();
      const response = await send();
      expect(response.status).toBe(status);
      expect((response.body as { error: Record<string, unknown> }).error).toMatchObject(error);
      expect(typeof (response.body as { error: { message: unknown } }).error.message).toBe('string');
      expect(await logSize()).toBe(before);
    });
  });

  it('a tenant admin can never command another tenant, whatever the command', async () => {
    const before = await logSize();
    for (const route of commandRoutes) {
      const response = await acme.command(route.definition.type, { tenantId: 'globex' });
      expect([route.definition.type, response.status, response.body]).toEqual([
        route.definition.type,
        403,
        {
          error: { code: 'FORBIDDEN_TENANT', message: 'you may not act on tenant globex', field: 'tenantId' },
        },
      ]);
    }
    expect(await logSize()).toBe(before);
  });

  describe('Idempotency-Key', () => {
    it('answers a retried request as the first time and stores its events once', async () => {
      const key = { 'idempotency-key': 'create-support-0001' };
      const data = { tenantId: 'acme', departmentId: 'support', name: 'Support' };
      const first = await acme.command('CreateDepartment', data, key);
      const second = await acme.command('CreateDepartment', data, key);
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect({ ...(second.body as object), replayed: false }).toEqual(first.body);
      expect(await t.platform.store.readStream('department-acme.support')).toHaveLength(1);
    });

    it('refuses the same key for a different request', async () => {
      const key = { 'idempotency-key': 'create-billing-0001' };
      await acme.command(
        'CreateDepartment',
        { tenantId: 'acme', departmentId: 'billing', name: 'Billing' },
        key,
      );
      const before = await logSize();
      const other = await acme.command(
        'CreateDepartment',
        { tenantId: 'acme', departmentId: 'other', name: 'Other' },
        key,
      );
      expect(other.status).toBe(422);
      expect(other.body).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
      expect(await logSize()).toBe(before);
    });
  });

  describe('plan limits', () => {
    it('a free tenant gets one AI agent; the second is refused and stores nothing', async () => {
      expect(
        (await acme.command('CreateAgent', { tenantId: 'acme', agentId: 'ava', name: 'Ava', type: 'sales' }))
          .status,
      ).toBe(200);
      const before = await logSize();
      const second = await acme.command('CreateAgent', {
        tenantId: 'acme',
        agentId: 'bob',
        name: 'Bob',
        type: 'sales',
      });
      expect(second.status).toBe(422);
      expect(second.body).toMatchObject({ error: { code: 'PLAN_LIMIT_REACHED' } });
      expect(await logSize()).toBe(before);
      expect(await t.platform.store.readStream('agent-acme.bob')).toEqual([]);
    });

    it('deleting an agent gives its unit back (through the reactor)', async () => {
      const deleted = await acme.command('DeleteAgent', { tenantId: 'acme', agentId: 'ava' });
      expect(deleted.status).toBe(200);
      await t.platform.reactor.caughtUp((deleted.body as { position: number }).position);
      const created = await acme.command('CreateAgent', {
        tenantId: 'acme',
        agentId: 'bob',
        name: 'Bob',
        type: 'sales',
      });
      expect(created.status).toBe(200);
    });
  });

  describe('phone numbers are unique platform-wide', () => {
    it('a number held by one tenant cannot be provisioned by another', async () => {
      const address = '+15550009999';
      const mine = await acme.command('ProvisionNumber', {
        tenantId: 'acme',
        address,
        kind: 'pstn',
        provider: 'twilio',
      });
      expect(mine.status).toBe(200);
      const before = await logSize();
      const theirs = await globex.command('ProvisionNumber', {
        tenantId: 'globex',
        address,
        kind: 'pstn',
        provider: 'twilio',
      });
      expect(theirs.status).toBe(422);
      expect(theirs.body).toMatchObject({ error: { code: 'NUMBER_TAKEN', field: 'address' } });
      const assign = await globex.command('AssignNumber', {
        tenantId: 'globex',
        address,
        target: { kind: 'department', id: 'support' },
      });
      expect(assign.status).toBe(404);
      expect(await logSize()).toBe(before);
    });
  });

  describe('API keys', () => {
    it('act with their role in their tenant until revoked', async () => {
      // Keys are credentials only on a tier with API access; acme starts on the free tier.
      expect((await root.command('ChangePlanTier', { tenantId: 'acme', planTier: 'starter' })).status).toBe(
        200,
      );
      const issued = await acme.request<{ keyId: string; key: string }>('POST', '/api/api-keys', {
        tenantId: 'acme',
        name: 'CRM',
        role: 'tenant_admin',
      });
      expect(issued.status).toBe(201);
      expect(issued.body.key).toMatch(/^ccp_sk_/);
      const bot = apiClient(t.url, issued.body.key);
      expect(
        (await bot.command('CreateDepartment', { tenantId: 'acme', departmentId: 'bots', name: 'Bots' }))
          .status,
      ).toBe(200);
      expect(
        (await bot.command('CreateDepartment', { tenantId: 'globex', departmentId: 'bots', name: 'Bots' }))
          .status,
      ).toBe(403);
      expect(
        (await acme.command('RevokeApiKey', { tenantId: 'acme', keyId: issued.body.keyId })).status,
      ).toBe(200);
      expect(
        (await bot.command('CreateDepartment', { tenantId: 'acme', departmentId: 'bots2', name: 'Bots' }))
          .status,
      ).toBe(401);
    });

    it('of a tier without API access send no command: 403 PLAN_FEATURE, nothing stored', async () => {
      expect((await root.command('CreateTenant', { tenantId: 'freebie', name: 'Freebie' })).status).toBe(200);
      const admin = await member('freebie', 'freebie-admin', 'tenant_admin');
      const issued = await admin.request<{ key: string }>('POST', '/api/api-keys', {
        tenantId: 'freebie',
        name: 'CRM',
        role: 'tenant_admin',
      });
      expect(issued.status).toBe(201);
      const bot = apiClient(t.url, issued.body.key);
      const before = await logSize();
      const refused = await bot.command('CreateDepartment', {
        tenantId: 'freebie',
        departmentId: 'bots',
        name: 'Bots',
      });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: { code: 'PLAN_FEATURE' } });
      expect(await logSize()).toBe(before);
      expect(await t.platform.store.readStream('department-freebie.bots')).toEqual([]);
      // The same command from a person signed in is no API use.
      const bySession = await admin.command('CreateDepartment', {
        tenantId: 'freebie',
        departmentId: 'people',
        name: 'People',
      });
      expect(bySession.status).toBe(200);
    });

    it('cannot be issued for another tenant', async () => {
      const response = await acme.request('POST', '/api/api-keys', {
        tenantId: 'globex',
        name: 'x',
        role: 'viewer',
      });
      expect(response.status).toBe(403);
    });
  });

  it('keeps personal data out of the log in the clear', async () => {
    const raw = createSqliteEventStore({ path: join(t.dataDir, 'events.db') });
    const log = JSON.stringify(await raw.readAll());
    await raw.close();
    expect(log).toContain('"type":"MemberInvited"');
    expect(log).not.toContain('acme-admin@test.example');
    const [invited] = await t.platform.store.readStream('member-acme.acme-admin');
    expect(invited?.data).toMatchObject({ email: 'acme-admin@test.example' });
  });

  it('removing a member ends their sessions at once', async () => {
    const temp = await member('acme', 'acme-temp', 'supervisor');
    expect((await temp.request('GET', '/api/auth/me')).status).toBe(200);
    expect((await acme.command('RemoveMember', { tenantId: 'acme', userId: 'acme-temp' })).status).toBe(200);
    expect((await temp.request('GET', '/api/auth/me')).status).toBe(401);
  });
});

describe('the platform after a restart', () => {
  it('keeps its state in the data directory', async () => {
    const first = await startTestPlatform();
    const root = apiClient(first.url, await login(first.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
    expect((await root.command('CreateTenant', { tenantId: 'keep', name: 'Keep' })).status).toBe(200);
    await first.stop({ keepData: true });

    const second = await startTestPlatform(first.dataDir);
    try {
      const again = apiClient(second.url, await login(second.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
      const response = await again.command('CreateTenant', { tenantId: 'keep', name: 'Keep' });
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ error: { code: 'TENANT_EXISTS' } });
    } finally {
      await second.stop();
    }
  });
});
