import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStreamChain, type EventStore } from '@ccp/command-service';
import { configFromEnv, enginesOf, DEMO_TENANT, DEMO_USERS, seedDemo, streamProcessing } from '@ccp/infra';
import { complianceModule, mediaGatewayModule, type ComplianceModule } from '@ccp/media-gateway';
import { queryApiModule } from '@ccp/query-api';
import { createProcessors } from '@ccp/stream-processors';
import { login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';
import { seededRandom } from '@ccp/media-gateway/testing';

/*
 * Fuzzing of every HTTP input with a fixed seed and bounded loops: every command type (bodies generated from
 * its JSON Schema, then broken: wrong types, huge strings, lone surrogates, NUL, deep nesting, prototype keys),
 * every query API route's path and query parameters (from the served OpenAPI document, made from the route
 * table), the auth routes and the call-control API. The platform never answers 5xx, every 4xx is
 * {error: {code, message}}, and a batch of refused requests leaves the event store's global position where it
 * was. A failure names the request, so it can be replayed by hand.
 */

const SEED = 0x5eed_c0de;
const BODIES_PER_COMMAND = 6;
const REQUESTS_PER_QUERY_ROUTE = 6;
const BODIES_PER_AUTH_ROUTE = 10;
const PASSWORD = 'demo-password-1';
const METRICS_TOKEN = 'fuzz-scrape-token-0123456789';

const random = seededRandom(SEED);
const int = (max: number) => Math.floor(random() * max);
const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;

const nested = (depth: number, kind: 'array' | 'object'): unknown => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
};

const NASTY_STRINGS: readonly string[] = [
  '\ud800',
  'ends with \udbff',
  '\udc00 starts low',
  '\u0000',
  'nul\u0000inside',
  '\u001b[31mred',
  '\u202egnp.exe',
  'x'.repeat(70_000),
  'y'.repeat(5_000),
  '',
  '   ',
  '../../etc/passwd',
  '%00%ff',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '{toString:1}',
  '=HYPERLINK("http://evil.example")',
  '😀'.repeat(50),
  'NaN',
  '__proto__',
  'constructor',
  '-1',
  '1e999',
];
const NASTY_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  -0.5,
  2 ** 53 + 1,
  [],
  {},
  [[[]]],
  { nested: { deeper: {} } },
  nested(3_000, 'array'),
  nested(1_500, 'object'),
  Array.from({ length: 2_000 }, (_, i) => i),
  ...NASTY_STRINGS,
];

type JsonSchema = Record<string, unknown>;

/** A value that fits the schema as far as a simple generator can (patterns are guessed from their shape). */
const sample = (schema: JsonSchema | undefined, root: JsonSchema, depth = 0): unknown => {
  if (!schema || depth > 6) return null;
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], root);
    return sample(target as JsonSchema | undefined, root, depth + 1);
  }
  if ('const' in schema) return schema['const'];
  const enumeration = schema['enum'];
  if (Array.isArray(enumeration) && enumeration.length > 0) return pick(enumeration);
  const options = (schema['anyOf'] ?? schema['oneOf']) as JsonSchema[] | undefined;
  if (Array.isArray(options) && options.length > 0) return sample(pick(options), root, depth + 1);
  const allOf = schema['allOf'] as JsonSchema[] | undefined;
  if (Array.isArray(allOf) && allOf.length > 0) return sample(allOf[0], root, depth + 1);
  const type = Array.isArray(schema['type']) ? pick(schema['type'] as string[]) : schema['type'];
  switch (type) {
    case 'object': {
      const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema['required'] ?? []) as string[]);
      const value: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(properties)) {
        if (required.has(key) || random() < 0.5) value[key] = sample(property, root, depth + 1);
      }
      return value;
    }
    case 'array':
      return Array.from({ length: int(3) }, () => sample(schema['items'] as JsonSchema, root, depth + 1));
    case 'integer':
    case 'number': {
      const min = typeof schema['minimum'] === 'number' ? schema['minimum'] : 0;
      const max = typeof schema['maximum'] === 'number' ? schema['maximum'] : min + 100;
      const value = min + random() * (max - min);
      return type === 'integer' ? Math.floor(value) : value;
    }
    case 'boolean':
      return random() < 0.5;
    case 'null':
      return null;
    case 'string':
      return sampleString(schema);
    default:
      return pick(NASTY_VALUES.slice(0, 8));
  }
};

const sampleString = (schema: JsonSchema): string => {
  const pattern = String(schema['pattern'] ?? '');
  const format = String(schema['format'] ?? '');
  if (format === 'email') return `fuzz${int(1000)}@example.com`;
  if (format === 'date-time') return new Date(Date.UTC(2026, 0, 1 + int(60))).toISOString();
  if (format === 'uri' || format === 'url') return 'https://example.com/fuzz';
  if (pattern.includes('\\+[1-9]')) return `+1555${String(1_000_000 + int(8_999_999))}`;
  if (pattern.includes('0-9a-f') && pattern.includes('64')) return 'ab'.repeat(32);
  if (pattern.includes('[01]\\d|2[0-3]')) return '09:30';
  if (pattern.startsWith('^[a-z]{2,3}')) return 'en';
  if (pattern.startsWith('^[a-z0-9][a-z0-9-]')) return DEMO_TENANT;
  if (pattern.includes('A-Za-z0-9')) return `fz-${int(100_000)}`;
  const length = Math.max(Number(schema['minLength'] ?? 1), 1);
  return 'fuzz text '.repeat(Math.ceil(length / 10)).slice(0, Math.max(length, 8));
};

interface Sent {
  readonly label: string;
  readonly status: number;
  readonly text: string;
  readonly contentType: string;
}

let test: TestPlatform;
let compliance: ComplianceModule;
let adminToken: string;
let rootToken: string;
const findings: string[] = [];
let requests = 0;

const send = async (
  method: string,
  path: string,
  options: { token?: string; body?: string; contentType?: string; label?: string } = {},
): Promise<Sent> => {
  requests += 1;
  const label = `${method} ${path} ${options.label ?? ''} ${(options.body ?? '').slice(0, 160)}`;
  const response = await fetch(test.url + path, {
    method,
    headers: {
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...(options.body !== undefined && { 'content-type': options.contentType ?? 'application/json' }),
    },
    ...(options.body !== undefined && { body: options.body }),
    signal: AbortSignal.timeout(10_000),
  });
  const contentType = response.headers.get('content-type') ?? '';
  // A live feed never ends: its status and headers are the answer.
  if (contentType.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return { label, status: response.status, text: '', contentType };
  }
  const text = await response.text();
  const sent = { label, status: response.status, text, contentType };
  check(sent);
  return sent;
};

/** No 5xx; a 4xx is {error: {code, message}} as JSON. */
const check = (sent: Sent) => {
  if (sent.status >= 500) {
    findings.push(`${sent.label} → ${sent.status} ${sent.text.slice(0, 300)}`);
    return;
  }
  if (sent.status < 400) return;
  let body: { error?: { code?: unknown; message?: unknown } } | undefined;
  try {
    body = JSON.parse(sent.text) as typeof body;
  } catch {
    body = undefined;
  }
  if (typeof body?.error?.code !== 'string' || typeof body.error.message !== 'string') {
    findings.push(
      `${sent.label} → ${sent.status} without {error: {code, message}}: ${sent.text.slice(0, 200)}`,
    );
  }
};

let known = 0;
/** The global position of the log's last event. */
const lastPosition = async (store: EventStore): Promise<number> => {
  for (;;) {
    const page = await store.readAll({ after: known, maxCount: 1000 });
    const last = page[page.length - 1];
    if (!last) return known;
    known = last.position;
  }
};
/** Waits until reactions and processors stopped appending, so a batch's effect is its own. */
const settledPosition = async (): Promise<number> => {
  let position = await lastPosition(test.platform.store);
  for (let i = 0; i < 60; i++) {
    // An accepted erasure (a valid body among the broken ones) is carried out by the erasure worker, whose
    // queries can outlast a quiet moment: its steps are the log's too, so they are waited for by name.
    await compliance.erasures()?.caughtUp(position);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = await lastPosition(test.platform.store);
    if (next === position) return position;
    position = next;
  }
  return position;
};

/** Sends a batch; when every request of it was refused, the log must not have moved. */
const batch = async (name: string, requests: readonly (() => Promise<Sent>)[]) => {
  const before = await settledPosition();
  const answers: Sent[] = [];
  for (const request of requests) answers.push(await request());
  if (answers.every((a) => a.status >= 400)) {
    const after = await settledPosition();
    if (after !== before) findings.push(`${name}: refused requests moved the log from ${before} to ${after}`);
  }
};

/** JSON text of a body with a prototype key as an own property, as an attacker would send it. */
const withKey = (body: unknown, key: string, value: unknown): string => {
  const text = JSON.stringify(body);
  return text.startsWith('{') && text !== '{}'
    ? `{${JSON.stringify(key)}:${JSON.stringify(value)},${text.slice(1)}`
    : `{${JSON.stringify(key)}:${JSON.stringify(value)}}`;
};

/** Broken variants of a body that fits the schema. */
const mutations = (
  schema: JsonSchema,
  count: number,
): { label: string; body: string; contentType?: string }[] => {
  const shape = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const properties = Object.keys(shape);
  // Fields any text fits: a broken string there passes the schema and goes as far as the log.
  const textFields = properties.filter((key) => {
    const property = shape[key] ?? {};
    return property['type'] === 'string' && !property['pattern'] && !property['format'] && !property['enum'];
  });
  const out: { label: string; body: string; contentType?: string }[] = [];
  for (let i = 0; i < count; i++) {
    const base = sample(schema, schema) as Record<string, unknown>;
    const field = properties.length > 0 ? pick(properties) : 'field';
    switch (i % 8) {
      case 0: {
        const text = textFields.length > 0 ? pick(textFields) : field;
        const value = pick([
          '\ud800',
          'ends with \udbff',
          '\udc00 starts low',
          'nul\u0000inside',
          '\u001b[31m',
        ]);
        out.push({ label: `${text}=broken text`, body: JSON.stringify({ ...base, [text]: value }) });
        break;
      }
      case 1:
        out.push({
          label: `${field}=nasty value`,
          body: JSON.stringify({ ...base, [field]: pick(NASTY_VALUES) }),
        });
        break;
      case 2:
        out.push({
          label: '__proto__',
          body: withKey(base, '__proto__', { polluted: 'yes', isAdmin: true }),
        });
        break;
      case 3:
        out.push({
          label: 'constructor.prototype',
          body: withKey(base, 'constructor', { prototype: { polluted: 'yes' } }),
        });
        break;
      case 4:
        out.push({
          label: 'not an object, or nested past any call stack',
          body: pick([
            '[]',
            '"text"',
            '42',
            'null',
            JSON.stringify([base]),
            // Built as text: JSON.stringify itself cannot go this deep.
            `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
            `${'{"a":'.repeat(9_000)}1${'}'.repeat(9_000)}`,
          ]),
        });
        break;
      case 5:
        out.push({ label: 'broken JSON', body: pick(['{', '{"a":', '', '\u0000', '{"a":1}}', '[1,]']) });
        break;
      case 6:
        out.push({ label: 'text/plain', body: JSON.stringify(base), contentType: 'text/plain' });
        break;
      default:
        out.push({
          label: `${field}=surrogate in key`,
          body: withKey(base, `k\ud800${field}`, pick(NASTY_STRINGS)),
        });
    }
  }
  return out;
};

beforeAll(async () => {
  const processing = streamProcessing(createProcessors());
  compliance = complianceModule(() => processing.readStore());
  test = await startTestPlatform(undefined, {
    processing,
    env: { RATE_LIMIT_PER_KEY: '1000000', RATE_LIMIT_PER_IP: '1000000', METRICS_TOKEN },
    modules: (config) => [
      mediaGatewayModule(config.mediaGateway),
      queryApiModule(() => processing.readStore(), verifyStreamChain, {
        engines: enginesOf(configFromEnv({})),
      }),
      compliance,
    ],
  });
  await seedDemo(test.platform, PASSWORD);
  const admin = DEMO_USERS.find((u) => u.role === 'tenant_admin')?.email ?? '';
  adminToken = await login(test.url, admin, PASSWORD);
  rootToken = await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password);
});
afterAll(async () => {
  await test?.stop();
});

describe('HTTP fuzzing', { timeout: 120_000 }, () => {
  it('every command type: broken bodies are refused with an error body and store nothing', async () => {
    const catalog = await send('GET', '/api/commands', { token: adminToken });
    const { commands } = JSON.parse(catalog.text) as { commands: { type: string; schema: JsonSchema }[] };
    expect(commands.length).toBeGreaterThan(30);
    // Tenant commands last: one that closes the demo tenant would turn every later command into TENANT_CLOSED.
    const ordered = [...commands].sort(
      (a, b) => Number(a.type.includes('Tenant')) - Number(b.type.includes('Tenant')),
    );
    for (const command of ordered) {
      const bodies = mutations(command.schema, BODIES_PER_COMMAND);
      await batch(
        command.type,
        bodies.map(
          (b) => () =>
            send('POST', `/api/commands/${command.type}`, {
              token: adminToken,
              body: b.body,
              label: b.label,
              ...(b.contentType && { contentType: b.contentType }),
            }),
        ),
      );
    }
    await batch('unknown command types', [
      () => send('POST', '/api/commands/__proto__', { token: adminToken, body: '{}' }),
      () => send('POST', '/api/commands/constructor', { token: adminToken, body: '{}' }),
      () => send('POST', `/api/commands/${encodeURIComponent('\u0000')}`, { token: adminToken, body: '{}' }),
      () => send('POST', '/api/commands/%ED%A0%80', { token: adminToken, body: '{}' }),
    ]);
    expect(findings).toEqual([]);
  });

  it('every query API route: broken path and query parameters never give a 5xx', async () => {
    const document = JSON.parse((await send('GET', '/api/openapi.json')).text) as {
      paths: Record<
        string,
        Record<string, { parameters?: { name: string; in: string; schema?: JsonSchema }[] }>
      >;
    };
    const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(routes.length).toBeGreaterThan(30);
    const ugly = [
      ...NASTY_STRINGS.filter((s) => s.length < 1000),
      'a'.repeat(5_000),
      // encodeURIComponent throws on a lone surrogate: those go raw, as percent-encoded bytes, below.
    ].map((s) => encodeURIComponent(s.replace(/\p{Cs}/gu, '?')));
    const rawUgly = ['%ED%A0%80', '%00', '%FF%FE', '%', '%%', '%u0000', '%C0%AF'];
    for (const { path, method, operation } of routes) {
      const parameters = operation.parameters ?? [];
      const token = path.startsWith('/api/admin') ? rootToken : adminToken;
      const requests: (() => Promise<Sent>)[] = [];
      for (let i = 0; i < REQUESTS_PER_QUERY_ROUTE; i++) {
        const value = (schema?: JsonSchema) =>
          random() < 0.6
            ? pick([...ugly, ...rawUgly])
            : encodeURIComponent(String(sample(schema, schema ?? {})));
        const url = path.replace(/\{(\w+)\}/g, () => value());
        const query = parameters
          .filter((p) => p.in === 'query' && random() < 0.7)
          .map((p) => `${encodeURIComponent(p.name)}=${value(p.schema)}`);
        // Repeated names become arrays, bracketed names nested objects in some parsers; unknown names are refused.
        if (i % 3 === 0 && parameters[0]) query.push(`${parameters[0].name}=1`, `${parameters[0].name}=2`);
        if (i % 3 === 1) query.push('__proto__[polluted]=yes', 'constructor[prototype][polluted]=yes');
        if (i % 3 === 2) query.push(`${'n'.repeat(300)}=${'v'.repeat(3000)}`);
        requests.push(() =>
          send(method.toUpperCase(), `${url}${query.length > 0 ? `?${query.join('&')}` : ''}`, { token }),
        );
      }
      await batch(`${method} ${path}`, requests);
    }
    expect(findings).toEqual([]);
  });

  it('the auth routes, the call-control and compliance APIs: broken bodies are refused with an error body', async () => {
    const schemas: Record<string, JsonSchema> = {
      '/api/auth/login': {
        type: 'object',
        properties: { email: { type: 'string', format: 'email' }, password: { type: 'string' } },
        required: ['email', 'password'],
      },
      '/api/auth/login/mfa': {
        type: 'object',
        properties: { challenge: { type: 'string' }, code: { type: 'string' } },
        required: ['challenge', 'code'],
      },
      '/api/auth/oidc': {
        type: 'object',
        properties: { idToken: { type: 'string' } },
        required: ['idToken'],
      },
      '/api/auth/mfa/totp/confirm': { type: 'object', properties: { code: { type: 'string' } } },
      '/api/auth/mfa/totp/disable': { type: 'object', properties: { code: { type: 'string' } } },
      // A made-up member: the fuzz must not revoke the sessions it signs in with.
      '/api/auth/sessions/revoke': {
        type: 'object',
        properties: { userId: { type: 'string', pattern: 'A-Za-z0-9' } },
      },
      '/api/members/fz-nobody/password': { type: 'object', properties: { password: { type: 'string' } } },
      '/api/api-keys': {
        type: 'object',
        properties: {
          tenantId: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]' },
          name: { type: 'string' },
          role: { enum: ['viewer', 'super_admin', 'nobody'] },
          scopes: { type: 'array', items: { enum: ['read', 'root'] } },
        },
      },
      '/api/api-keys/fz-no-key/rotate': { type: 'object', properties: { tenantId: { type: 'string' } } },
      '/api/calls/outbound': {
        type: 'object',
        properties: {
          tenantId: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]' },
          agentId: { type: 'string', pattern: 'A-Za-z0-9' },
          to: { type: 'string', pattern: '^\\+[1-9]' },
        },
        required: ['tenantId', 'agentId', 'to'],
      },
      '/api/presence': {
        type: 'object',
        properties: {
          tenantId: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]' },
          available: { type: 'boolean' },
        },
      },
      // GDPR: a subject nobody matches is a 404, a malformed one a 400; an export of nobody records an empty one.
      ...Object.fromEntries(
        ['/api/compliance/erasures', '/api/compliance/exports'].map((path) => [
          path,
          {
            type: 'object',
            properties: {
              tenantId: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]' },
              subject: {
                type: 'object',
                properties: { kind: { enum: ['phone', 'email', 'contact'] }, value: { type: 'string' } },
                required: ['kind', 'value'],
              },
            },
            required: ['subject'],
          } satisfies JsonSchema,
        ]),
      ),
    };
    for (const [path, schema] of Object.entries(schemas)) {
      const method = path === '/api/members/fz-nobody/password' || path === '/api/presence' ? 'PUT' : 'POST';
      await batch(
        path,
        mutations(schema, BODIES_PER_AUTH_ROUTE).map(
          (b) => () =>
            send(method, path, {
              token: path === '/api/auth/login' ? undefined : adminToken,
              body: b.body,
              label: b.label,
              ...(b.contentType && { contentType: b.contentType }),
            }),
        ),
      );
    }
    await batch('sessions and tokens', [
      () => send('DELETE', '/api/auth/sessions/%ED%A0%80', { token: adminToken }),
      () => send('GET', '/api/auth/me', { token: 'x'.repeat(5_000) }),
      () => send('GET', '/api/auth/me', { token: 'ccp_' + 'A'.repeat(100) }),
      () => send('GET', `/api/voices/sample?voice=${'%ED%A0%80'}&text=${'%00'}`, { token: adminToken }),
    ]);
    // The scrape endpoint: near-miss, doubled and oversized tokens and a session are 401s; other methods and a
    // body change nothing; only the token opens it.
    const wrongTokens = [
      METRICS_TOKEN.slice(0, -1),
      METRICS_TOKEN.toUpperCase(),
      `${METRICS_TOKEN} ${METRICS_TOKEN}`,
      'x'.repeat(8_000),
      adminToken,
    ];
    const refused: number[] = [];
    for (const token of wrongTokens) refused.push((await send('GET', '/metrics', { token })).status);
    expect(refused).toEqual(wrongTokens.map(() => 401));
    await batch('/metrics', [
      () => send('GET', '/metrics%00', { token: METRICS_TOKEN }),
      () => send('POST', '/metrics', { token: METRICS_TOKEN, body: '{"__proto__":{"polluted":1}}' }),
      () => send('DELETE', '/metrics', { token: METRICS_TOKEN }),
    ]);
    expect((await send('GET', '/metrics', { token: METRICS_TOKEN })).status).toBe(200);
    expect(findings).toEqual([]);
  });

  it('no request polluted Object.prototype, and the platform still serves', async () => {
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
    const me = await send('GET', '/api/auth/me', { token: adminToken });
    expect(me.status).toBe(200);
    expect(requests).toBeGreaterThan(500);
  });
});
