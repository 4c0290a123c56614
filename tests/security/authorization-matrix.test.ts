import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyScope, commandJsonSchema, type Role } from '@ccp/schemas';
import {
  commandRoutes,
  verifyStreamChain,
  GRANTABLE_ROLES,
  TENANT_ROLES,
  type Access,
  type TenantFrom,
  COMMAND_API_ROUTES,
  LEAD_IMPORT_ROUTES,
} from '@ccp/command-service';
import {
  ALERT_ROUTES,
  alertModule,
  BACKUP_ADMIN_ROUTES,
  backupModule,
  DEMO_TENANT,
  DEMO_USERS,
  seedDemo,
  STREAM_ADMIN_ROUTES,
  streamProcessing,
} from '@ccp/infra';
import {
  mediaGatewayModule,
  complianceModule,
  CALL_CONTROL_ROUTES,
  COMPLIANCE_ROUTES,
  CONNECTIONS_ROUTES,
  CRM_RECORD_ROUTES,
} from '@ccp/media-gateway';
import { queryApiModule } from '@ccp/query-api';
import { createProcessors } from '@ccp/stream-processors';
import { operationsOf, type OpenApiDocument } from '../support/openapi.js';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';

/*
 * Every route of the platform × every role × own and another tenant × every kind of credential (a session, and
 * API keys of each role with each scope alone and with all scopes), generated from the route tables: the command
 * API's own routes, the command catalog, the call-control, integrations and compliance routes, the stream processors' and backups' admin routes, the alerts route and the
 * query API's OpenAPI document (itself generated from its route table). A refusal is exactly 403 (404 where a route hides another tenant's members);
 * an allowed request is neither 401 nor 403. Requests carry no valid body: authorization is decided before
 * validation, so an allowed request ends in a 400 (or a harmless read) and nothing changes.
 */

const PASSWORD = 'matrix-password-1';
const OTHER = 'globex';
/** A tenant on the free tier, which has no API access: its keys are refused wherever they would be allowed. */
const FREE = 'freebie';
const TARGETS = {
  [DEMO_TENANT]: 'demo-target',
  [OTHER]: 'globex-target',
  [FREE]: 'freebie-target',
} as const;
const PROBE = 'matrix-probe';
/** The scrape token of GET /metrics: no credential of the route tables opens it. */
const METRICS_TOKEN = 'matrix-scrape-token-0123456789';

interface MatrixRoute extends Access {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly tenant: TenantFrom;
  readonly endsSession?: boolean;
  /** Commands whose body is valid with a tenantId alone get an invalid Idempotency-Key, or they would run. */
  readonly tenantOnly?: boolean;
}

interface Credential {
  readonly label: string;
  /** The credential's own tenant. */
  readonly tenantId: string;
  readonly role: Role;
  readonly kind: 'session' | 'api_key';
  readonly scopes: readonly string[];
  readonly token: string;
}

const scopeSets: readonly (readonly string[])[] = [
  ...ApiKeyScope.options.map((s) => [s]),
  ApiKeyScope.options,
];

const commandApiRoutes = (): MatrixRoute[] =>
  Object.entries(COMMAND_API_ROUTES)
    .filter(([, route]) => !('public' in route))
    .map(([name, route]) => ({ ...route, name }));

const commandCatalogRoutes = (): MatrixRoute[] =>
  commandRoutes.map((route) => {
    const schema = commandJsonSchema(route.definition) as { required?: string[] };
    return {
      name: route.definition.type,
      method: 'post',
      path: `/api/commands/${route.definition.type}`,
      roles: route.roles,
      scope: route.scope ?? 'commands',
      action: route.definition.type,
      tenant: 'body',
      tenantOnly: (schema.required ?? []).every((field) => field === 'tenantId'),
    };
  });

const leadImportRoutes = (): MatrixRoute[] =>
  Object.entries(LEAD_IMPORT_ROUTES).map(([name, route]) => ({ ...route, name }));

const callControlRoutes = (): MatrixRoute[] =>
  Object.entries({
    ...CALL_CONTROL_ROUTES,
    ...CONNECTIONS_ROUTES,
    ...CRM_RECORD_ROUTES,
    ...COMPLIANCE_ROUTES,
  }).map(([name, route]) => ({
    ...route,
    name,
  }));

const streamAdminRoutes = (): MatrixRoute[] =>
  Object.entries({ ...STREAM_ADMIN_ROUTES, ...BACKUP_ADMIN_ROUTES, ...ALERT_ROUTES }).map(
    ([name, route]) => ({
      ...route,
      name,
    }),
  );

const queryRoutes = (document: OpenApiDocument): MatrixRoute[] =>
  operationsOf(document)
    .filter((operation) => !operation['x-roles'].includes('anyone'))
    .map((operation) => {
      const extras = operation as unknown as { 'x-api-key-scope': ApiKeyScope; 'x-plan-feature'?: string };
      return {
        name: operation.operationId,
        method: operation.method,
        path: operation.path.replace(/\{[^}]+\}/g, PROBE),
        roles: operation['x-roles'].filter((role) => role !== 'super_admin') as Role[],
        scope: extras['x-api-key-scope'],
        action: operation.operationId,
        tenant: 'query',
      };
    });

/** What the tables say the answer must be: a status, or 'allowed' (anything but 401 and 403). */
const expected = (
  route: MatrixRoute,
  credential: Credential | undefined,
  tenantId: string,
): number | 'allowed' => {
  if (!credential) return 401;
  const superAdmin = credential.role === 'super_admin';
  if (!superAdmin && route.tenant !== 'credential' && tenantId !== credential.tenantId) {
    return route.tenant === 'member' ? 404 : 403;
  }
  // The member a request names is never the caller: `self` does not apply.
  if (!superAdmin && !route.roles.includes(credential.role)) return 403;
  if (credential.kind === 'api_key' && route.scope !== 'any') {
    if (route.scope === 'session' || !credential.scopes.includes(route.scope)) return 403;
  }
  return 'allowed';
};

let test: TestPlatform;
let routes: MatrixRoute[] = [];
const credentials: Credential[] = [];

/**
 * One request as the table says to make it, answered with its status and a refusal's code (other answers are
 * cut at the headers: streams too).
 */
const exchange = async (
  route: MatrixRoute,
  token: string | undefined,
  tenantId: string,
): Promise<{ readonly status: number; readonly code?: string }> => {
  let path = route.path
    .replace(':userId', TARGETS[tenantId as keyof typeof TARGETS])
    .replace(/:[A-Za-z]+/g, PROBE);
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  let body: unknown;
  if (route.tenant === 'query') path += `${path.includes('?') ? '&' : '?'}tenantId=${tenantId}`;
  if (route.tenant === 'body') body = { tenantId };
  // A member is named in a tenant (ids are unique only within one): the other tenant's is named there.
  if (route.tenant === 'member') {
    body = {
      tenantId,
      ...(route.method === 'post' && { userId: TARGETS[tenantId as keyof typeof TARGETS] }),
    };
  }
  if (route.method === 'post' || route.method === 'put') body ??= {};
  if (route.tenantOnly) headers['idempotency-key'] = 'short';
  if (body !== undefined) headers['content-type'] = 'application/json';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  try {
    const response = await fetch(test.url + path, {
      method: route.method.toUpperCase(),
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: controller.signal,
    });
    if (response.status === 403) {
      const refusal = (await response.json()) as { error?: { code?: string } };
      return {
        status: response.status,
        ...(refusal.error?.code !== undefined && { code: refusal.error.code }),
      };
    }
    await response.body?.cancel();
    return { status: response.status };
  } finally {
    clearTimeout(timer);
  }
};
const send = async (route: MatrixRoute, token: string | undefined, tenantId: string): Promise<number> =>
  (await exchange(route, token, tenantId)).status;
let freeKey: Credential;

/** Runs jobs a few at a time: enough to keep the server busy, not so many that the machine chokes. */
const pool = async <T>(jobs: readonly (() => Promise<T>)[], width = 6): Promise<T[]> => {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const index = next++;
        results[index] = await (jobs[index] as () => Promise<T>)();
      }
    }),
  );
  return results;
};

beforeAll(async () => {
  const processing = streamProcessing(createProcessors());
  test = await startTestPlatform(undefined, {
    processing,
    env: { RATE_LIMIT_PER_IP: '10000000', RATE_LIMIT_PER_KEY: '10000000', METRICS_TOKEN },
    modules: (config) => [
      queryApiModule(() => processing.readStore(), verifyStreamChain),
      mediaGatewayModule(config.mediaGateway),
      // GDPR erasure and subject access: an allowed request without a subject is a 400 and changes nothing.
      complianceModule(() => processing.readStore()),
      // No BACKUP_DIR: a super admin's POST /api/admin/backups is allowed and answers 409, taking none.
      backupModule({ everyHours: 0, keep: 1 }),
      alertModule({ everySeconds: 3600, notifyAttempts: 1 }),
    ],
  });
  await seedDemo(test.platform, PASSWORD);
  const rootToken = await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password);
  const root = apiClient(test.url, rootToken);
  expect(
    (await root.command('CreateTenant', { tenantId: OTHER, name: 'Globex', planTier: 'professional' }))
      .status,
  ).toBe(200);
  expect(
    (await root.command('CreateTenant', { tenantId: FREE, name: 'Freebie', planTier: 'free' })).status,
  ).toBe(200);
  for (const [tenantId, userId] of Object.entries(TARGETS)) {
    const invited = await root.command('InviteMember', {
      tenantId,
      userId,
      email: `${userId}@matrix.example`,
      name: 'Matrix Target',
      role: 'viewer',
    });
    expect(invited.status).toBe(200);
  }
  credentials.push({
    label: 'super_admin session',
    tenantId: 'platform',
    role: 'super_admin',
    kind: 'session',
    scopes: [],
    token: rootToken,
  });
  for (const user of DEMO_USERS) {
    const token = await login(test.url, user.email, PASSWORD);
    credentials.push({
      label: `${user.role} session`,
      tenantId: DEMO_TENANT,
      role: user.role,
      kind: 'session',
      scopes: [],
      token,
    });
  }
  const admin = apiClient(test.url, credentials.find((c) => c.role === 'tenant_admin')?.token);
  for (const role of TENANT_ROLES) {
    for (const scopes of scopeSets) {
      const issued = await admin.request<{ key: string }>('POST', '/api/api-keys', {
        tenantId: DEMO_TENANT,
        name: `${role} ${scopes.join('+')}`,
        role,
        scopes,
      });
      expect(issued.status).toBe(201);
      credentials.push({
        label: `${role} key [${scopes.join(',')}]`,
        tenantId: DEMO_TENANT,
        role,
        kind: 'api_key',
        scopes,
        token: issued.body.key,
      });
    }
  }
  // Keys can be issued on the free tier (a person may set them up before an upgrade): they just do nothing.
  const free = await root.request<{ key: string }>('POST', '/api/api-keys', {
    tenantId: FREE,
    name: 'everything',
    role: 'tenant_admin',
    scopes: ApiKeyScope.options,
  });
  expect(free.status).toBe(201);
  freeKey = {
    label: 'free tier tenant_admin key [all]',
    tenantId: FREE,
    role: 'tenant_admin',
    kind: 'api_key',
    scopes: ApiKeyScope.options,
    token: free.body.key,
  };
  const document = (await apiClient(test.url).request<OpenApiDocument>('GET', '/api/openapi.json')).body;
  routes = [
    ...commandApiRoutes(),
    ...commandCatalogRoutes(),
    ...leadImportRoutes(),
    ...callControlRoutes(),
    ...streamAdminRoutes(),
    ...queryRoutes(document),
  ];
}, 180_000);
afterAll(async () => {
  await test?.stop();
});

describe('the authorization matrix', () => {
  it('every route refuses a request without credentials with 401', async () => {
    const statuses = await pool(routes.map((route) => () => send(route, undefined, DEMO_TENANT)));
    const wrong = routes.flatMap((route, i) =>
      statuses[i] === 401 ? [] : [`${route.method.toUpperCase()} ${route.path}: ${statuses[i]}`],
    );
    expect(wrong).toEqual([]);
  });

  it('GET /metrics opens to the scrape token alone: every session and API key of every role gets 401', async () => {
    const scrape = async (token?: string) =>
      (await fetch(`${test.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} }))
        .status;
    const holders = [...credentials, freeKey];
    const statuses = await pool(holders.map((credential) => () => scrape(credential.token)));
    const wrong = holders.flatMap((credential, i) =>
      statuses[i] === 401 ? [] : [`${credential.label}: ${statuses[i]}`],
    );
    expect(wrong).toEqual([]);
    expect(await scrape()).toBe(401);
    expect(await scrape(METRICS_TOKEN)).toBe(200);
  });

  it("the platform's alert channels and rules (tenant 'platform') are the super admin's alone", async () => {
    // Before the whole matrix, whose sign-outs end the sessions used here.
    // What the health page's alert channels and rules use: connections made, tested, rotated, listed, changed and
    // removed, and the alert rules and their report, each named for the platform's pseudo-tenant.
    const used = new Set([
      ...Object.keys(CONNECTIONS_ROUTES),
      ...Object.keys(ALERT_ROUTES),
      'listConnections',
      'getConnection',
      'CreateConnection',
      'UpdateConnection',
      'RotateConnectionSecrets',
      'EnableConnection',
      'DisableConnection',
      'RemoveConnection',
      'SetAlertRule',
      'RemoveAlertRule',
    ]);
    const platformRoutes = routes.filter((route) => used.has(route.name));
    expect(platformRoutes.map((r) => r.name).sort()).toEqual([...used].sort());
    const cases = platformRoutes.flatMap((route) => credentials.map((credential) => ({ route, credential })));
    const statuses = await pool(
      cases.map(
        ({ route, credential }) =>
          () =>
            send(route, credential.token, 'platform'),
      ),
    );
    const wrong = cases.flatMap(({ route, credential }, i) => {
      const want = credential.role === 'super_admin' ? 'allowed' : 403;
      const got = statuses[i] ?? 0;
      const ok = want === 'allowed' ? got !== 401 && got !== 403 : got === want;
      return ok ? [] : [`${route.method.toUpperCase()} ${route.path} as ${credential.label}: ${got}`];
    });
    expect(wrong, `${cases.length} requests`).toEqual([]);
  });

  it(
    'every route × role × own/other tenant × session or API key scope answers as its table says',
    { timeout: 600_000 },
    async () => {
      const cases: { route: MatrixRoute; credential: Credential; tenantId: string }[] = [];
      // Signing out ends the credential: those run after everything else.
      const ordered = [...routes.filter((r) => !r.endsSession), ...routes.filter((r) => r.endsSession)];
      for (const route of ordered) {
        const tenants = route.tenant === 'credential' ? [DEMO_TENANT] : [DEMO_TENANT, OTHER];
        for (const credential of credentials) {
          for (const tenantId of tenants) cases.push({ route, credential, tenantId });
        }
      }
      const statuses = await pool(
        cases.map(
          ({ route, credential, tenantId }) =>
            () =>
              send(route, credential.token, tenantId),
        ),
      );
      // Grouped by route, so that a hole reads as one line with its count and an example.
      const wrong = new Map<string, string[]>();
      cases.forEach(({ route, credential, tenantId }, i) => {
        const want = expected(route, credential, tenantId);
        const got = statuses[i] ?? 0;
        if (want === 'allowed' ? got !== 401 && got !== 403 : got === want) return;
        const where = tenantId === DEMO_TENANT ? 'own tenant' : 'other tenant';
        const key = `${route.method.toUpperCase()} ${route.path}`;
        wrong.set(key, [...(wrong.get(key) ?? []), `${credential.label} on ${where}: ${got}, want ${want}`]);
      });
      const summary = [...wrong].map(
        ([route, answers]) => `${route}: ${answers.length} wrong, e.g. ${answers.slice(0, 2).join('; ')}`,
      );
      expect(summary, `${cases.length} requests`).toEqual([]);
    },
  );

  it('a key of a tier without API access is refused with PLAN_FEATURE wherever the tables would let it in', async () => {
    const answers = await pool(routes.map((route) => () => exchange(route, freeKey.token, FREE)));
    const wrong = routes.flatMap((route, i) => {
      const want = expected(route, freeKey, FREE);
      const got = answers[i] ?? { status: 0 };
      const ok = want === 'allowed' ? got.status === 403 && got.code === 'PLAN_FEATURE' : got.status === want;
      return ok ? [] : [`${route.method.toUpperCase()} ${route.path}: ${got.status} ${got.code ?? ''}`];
    });
    expect(wrong).toEqual([]);
  });

  it('a role hands out only roles that can do nothing it cannot (checked against every table)', () => {
    const mismatches: string[] = [];
    for (const [holder, grantable] of Object.entries(GRANTABLE_ROLES)) {
      if (holder === 'super_admin') continue;
      for (const granted of grantable) {
        for (const route of routes) {
          if (route.roles.includes(granted) && !route.roles.includes(holder as Role)) {
            mismatches.push(`${holder} may grant ${granted}, but only ${granted} may ${route.name}`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
