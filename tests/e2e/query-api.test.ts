import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { verifyWebhookSignature, queryApiModule } from '@ccp/query-api';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_IVR_NUMBER,
  DEMO_TENANT,
  DEMO_USERS,
  seedDemo,
  configFromEnv,
  enginesOf,
  streamProcessing,
} from '@ccp/infra';
import { verifyStreamChain } from '@ccp/command-service';
import { createProcessors } from '@ccp/stream-processors';
import { recordCall } from '../support/calls.js';
import {
  documentErrors,
  operationsOf,
  responseValidator,
  type DocumentedOperation,
  type OpenApiDocument,
} from '../support/openapi.js';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';
import { tomorrowAt } from '../support/read-side.js';

const PASSWORD = 'demo-password-1';
const OTHER = 'globex';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let test: TestPlatform;
let document: OpenApiDocument;
let validate: ReturnType<typeof responseValidator>;
const tokens = new Map<string, string>();
const demoCalls = ['CA-q-1', 'CA-q-2', 'CA-q-3', 'CA-q-4'];

const as = (role: string) => apiClient(test.url, tokens.get(role));

/** The query API's clock: scheduled reports fall due when the test moves it. */
let clock: Date | undefined;
/** Mail the report scheduler sends, as a local SMTP server receives it. */
const mails: ParsedMail[] = [];
let smtp: SMTPServer;
/** Webhook deliveries, as a local receiver gets them. */
const hooks: { headers: IncomingMessage['headers']; body: string }[] = [];
let receiver: Server;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData: (stream, _session, callback) => {
      void simpleParser(stream).then((mail) => {
        mails.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      hooks.push({ headers: request.headers, body });
      response.statusCode = 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const processing = streamProcessing(createProcessors());
  test = await startTestPlatform(undefined, {
    processing,
    // The report receiver stands on loopback, which the operator allows here as they would a company network.
    env: { OUTBOUND_ALLOW: '127.0.0.1/32' },
    modules: () => [
      queryApiModule(() => processing.readStore(), verifyStreamChain, {
        liveIntervalMs: 200,
        engines: enginesOf(configFromEnv({})),
        now: () => clock ?? new Date(),
        reportTickMs: 200,
        email: {
          url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
          from: 'reports@customercare.local',
        },
      }),
    ],
  });
  await seedDemo(test.platform, PASSWORD);
  const root = apiClient(test.url, await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  tokens.set('super_admin', await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  for (const user of DEMO_USERS) tokens.set(user.role, await login(test.url, user.email, PASSWORD));
  // Another tenant with its own admin: the isolation test reads with these credentials.
  expect(
    // On a tier with every feature of the demo's, so that the isolation test reaches every route's data.
    (await root.command('CreateTenant', { tenantId: OTHER, name: 'Globex', planTier: 'professional' }))
      .status,
  ).toBe(200);
  expect(
    (
      await root.command('InviteMember', {
        tenantId: OTHER,
        userId: 'globex-admin',
        email: 'admin@globex.example',
        name: 'Gia Globex',
        role: 'tenant_admin',
      })
    ).status,
  ).toBe(200);
  expect(
    (await root.request('PUT', '/api/members/globex-admin/password', { password: 'globex-password-1' }))
      .status,
  ).toBe(204);
  tokens.set('other', await login(test.url, 'admin@globex.example', 'globex-password-1'));

  await recordCall(root, DEMO_TENANT, 'CA-q-1');
  await recordCall(root, DEMO_TENANT, 'CA-q-2', ['Where is my refund, this is terrible'], 'escalated');
  await recordCall(root, DEMO_TENANT, 'CA-q-3', ['I want to cancel my appointment'], 'abandoned');
  await recordCall(root, DEMO_TENANT, 'CA-q-4');
  // Caught up: every call projected.
  for (let i = 0; i < 200; i++) {
    const calls = await as('tenant_admin').request<{ total: number }>('GET', '/api/calls');
    if (calls.body.total === demoCalls.length) break;
    await sleep(100);
  }
  document = (await apiClient(test.url).request<OpenApiDocument>('GET', '/api/openapi.json')).body;
  validate = responseValidator(document);
}, 120_000);
afterAll(async () => {
  await test?.stop();
  await new Promise((resolve) => smtp?.close(() => resolve(undefined)));
  await new Promise((resolve) => receiver?.close(() => resolve(undefined)));
});

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 and lists every route with its roles', async () => {
    expect(await documentErrors(document)).toEqual([]);
    const ids = operationsOf(document).map((o) => o.operationId);
    expect(ids).toEqual(
      expect.arrayContaining([
        'listCalls',
        'getCall',
        'replayCall',
        'callVolume',
        'liveMetricsStream',
        'auditEvents',
      ]),
    );
    for (const operation of operationsOf(document)) {
      expect(operation['x-roles'], operation.operationId).toEqual(
        expect.arrayContaining([operation.operationId === 'branding' ? 'anyone' : 'super_admin']),
      );
    }
  });
});

describe('calls and transcripts', () => {
  it('lists the tenant’s calls a page at a time, filtered and sorted, as documented', async () => {
    const first = await as('analyst').request<{
      items: { callId: string }[];
      nextCursor: string;
      total: number;
    }>('GET', '/api/calls?limit=3&sort=started_at&order=asc');
    expect(first.status).toBe(200);
    expect(validate('listCalls', 200, first.body)).toEqual([]);
    expect(first.body.total).toBe(4);
    expect(first.body.items.map((c) => c.callId)).toEqual(['CA-q-1', 'CA-q-2', 'CA-q-3']);
    const second = await as('analyst').request<{ items: { callId: string }[]; nextCursor: string | null }>(
      'GET',
      `/api/calls?limit=3&sort=started_at&order=asc&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items.map((c) => c.callId)).toEqual(['CA-q-4']);
    expect(second.body.nextCursor).toBeNull();
    const escalated = await as('analyst').request<{ items: { callId: string }[] }>(
      'GET',
      '/api/calls?outcome=escalated',
    );
    expect(escalated.body.items.map((c) => c.callId)).toEqual(['CA-q-2']);
    // Drill-down from the intents chart: the calls in which callers wanted to cancel.
    await eventually(async () => {
      const cancelling = await as('analyst').request<{ items: { callId: string }[] }>(
        'GET',
        '/api/calls?intent=cancel_appointment',
      );
      expect(cancelling.body.items.map((c) => c.callId)).toEqual(['CA-q-3']);
    });
  });

  it('drills down from a call to its transcript, and replays it step by step', async () => {
    const detail = await as('supervisor').request<{ transcript: { text: string; speaker: string }[] }>(
      'GET',
      '/api/calls/CA-q-2',
    );
    expect(detail.status).toBe(200);
    expect(validate('getCall', 200, detail.body)).toEqual([]);
    expect(detail.body.transcript[0]).toMatchObject({
      speaker: 'caller',
      text: 'Where is my refund, this is terrible',
    });
    const replay = await as('compliance').request<{
      steps: { step: number; type: string; offsetMs: number }[];
    }>('GET', '/api/calls/CA-q-2/replay');
    expect(validate('replayCall', 200, replay.body)).toEqual([]);
    expect(replay.body.steps.map((s) => s.type)).toEqual([
      'CallStarted',
      'UtteranceRecorded',
      'AiReplied',
      'CallEnded',
    ]);
    expect(replay.body.steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(replay.body.steps[0]?.offsetMs).toBe(0);
  });

  it('refuses bad parameters with a clear error', async () => {
    for (const [path, field] of [
      ['/api/calls?limit=0', 'limit'],
      ['/api/calls?sort=password', 'sort'],
      ['/api/calls?from=yesterday', 'from'],
      ['/api/calls?cursor=bm9wZQ', 'cursor'],
      ['/api/calls?colour=blue', ''],
    ] as const) {
      const response = await as('analyst').request<{ error: { code: string; field?: string } }>('GET', path);
      expect(response.status, path).toBe(400);
      expect(validate('listCalls', 400, response.body), path).toEqual([]);
      if (field !== '') expect(response.body.error.field, path).toBe(field);
    }
  });
});

describe('analytics', () => {
  it('answers every report for the tenant, in the documented shapes', async () => {
    const volume = await as('viewer').request<{ buckets: { calls: number }[] }>(
      'GET',
      '/api/analytics/volume?interval=hour',
    );
    expect(validate('callVolume', 200, volume.body)).toEqual([]);
    expect(volume.body.buckets.reduce((sum, b) => sum + b.calls, 0)).toBe(4);
    const outcomes = await as('analyst').request<{ calls: number; resolved: number; successRate: number }>(
      'GET',
      '/api/analytics/outcomes',
    );
    expect(validate('callOutcomes', 200, outcomes.body)).toEqual([]);
    expect(outcomes.body).toMatchObject({ calls: 4, resolved: 2, successRate: 0.5 });
    const agents = await as('analyst').request<{ agents: { agentId: string; calls: number }[] }>(
      'GET',
      '/api/analytics/agents',
    );
    expect(validate('agentComparison', 200, agents.body)).toEqual([]);
    expect(agents.body.agents).toContainEqual(expect.objectContaining({ agentId: 'sofia', calls: 4 }));
    for (const [path, operationId] of [
      ['/api/analytics/sentiment?interval=day', 'sentimentOverTime'],
      ['/api/analytics/intents', 'topIntents'],
      ['/api/analytics/departments', 'departmentStats'],
      ['/api/analytics/sla', 'slaCompliance'],
      ['/api/analytics/usage', 'usage'],
      ['/api/live', 'liveMetrics'],
    ] as const) {
      const response = await as('tenant_admin').request('GET', path);
      expect(response.status, path).toBe(200);
      expect(validate(operationId, 200, response.body), path).toEqual([]);
    }
    const sentiment = await as('analyst').request<{ buckets: { negative: number }[] }>(
      'GET',
      '/api/analytics/sentiment',
    );
    expect(sentiment.body.buckets.reduce((sum, b) => sum + b.negative, 0)).toBeGreaterThan(0);
  });
});

describe('live metrics', () => {
  // How soon is a figure of the benchmarks (the read-side pipeline's lag p50/p99), not an assertion here.
  it('pushes a change to a dashboard after the event', { timeout: 30_000 }, async () => {
    const controller = new AbortController();
    const response = await fetch(`${test.url}/api/live/stream`, {
      headers: { authorization: `Bearer ${tokens.get('supervisor')}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const nextMetrics = async (): Promise<{ activeCalls: number }> => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (/^event: metrics$/m.test(frame) && data !== undefined)
            return JSON.parse(data) as { activeCalls: number };
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    const before = await nextMetrics();
    expect(validate('liveMetrics', 200, before)).toEqual([]);
    const root = apiClient(test.url, tokens.get('super_admin'));
    expect(
      (
        await root.command('StartCall', {
          tenantId: DEMO_TENANT,
          callId: 'CA-q-live',
          direction: 'inbound',
          from: '+15550001111',
          to: '+15550100001',
          provider: 'simulator',
          agentId: 'sofia',
        })
      ).status,
    ).toBe(200);
    // The frames that follow the change: the first that differs counts the call exactly once more.
    let after = await nextMetrics();
    while (after.activeCalls === before.activeCalls) after = await nextMetrics();
    expect(after.activeCalls).toBe(before.activeCalls + 1);
    controller.abort();
    await root.command('EndCall', { tenantId: DEMO_TENANT, callId: 'CA-q-live', outcome: 'abandoned' });
  });
});

describe('audit', () => {
  it('reads the tenant’s events filtered by type, actor and call', async () => {
    const page = await as('compliance').request<{
      items: { type: string; correlationId: string }[];
      total: number;
    }>('GET', '/api/audit/events?correlationId=CA-q-3');
    expect(page.status).toBe(200);
    expect(validate('auditEvents', 200, page.body)).toEqual([]);
    expect(page.body.items.map((e) => e.type)).toEqual([
      'CallStarted',
      'UtteranceRecorded',
      'AiReplied',
      'CallEnded',
    ]);
    const ended = await as('compliance').request<{ items: { type: string }[] }>(
      'GET',
      '/api/audit/events?type=CallEnded',
    );
    expect(ended.body.items.every((e) => e.type === 'CallEnded')).toBe(true);
    const newest = await as('compliance').request<{ items: { position: number }[] }>(
      'GET',
      '/api/audit/events?correlationId=CA-q-3&order=desc',
    );
    const positions = newest.body.items.map((e) => e.position);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
    expect(positions).toHaveLength(4);
  });

  it('verifies a stream’s hash chain, and finds the event someone changed in the store', async () => {
    const path = `/api/audit/streams/call-${DEMO_TENANT}.CA-q-1/verify`;
    const verified = await as('compliance').request<{ valid: boolean; events: number }>('GET', path);
    expect(verified.status).toBe(200);
    expect(validate('verifyStream', 200, verified.body)).toEqual([]);
    expect(verified.body).toMatchObject({ valid: true, events: 6, unchained: 0 });
    // Someone with the database file rewrites what the caller said (the stored, encrypted value) ...
    const db = new Database(join(test.dataDir, 'events.db'));
    try {
      db.prepare(
        `UPDATE events SET data = json_set(data, '$.confidence', 0.1) WHERE stream_id = ? AND revision = 1`,
      ).run(`call-${DEMO_TENANT}.CA-q-1`);
    } finally {
      db.close();
    }
    // ... and the chain breaks exactly there.
    const broken = await as('compliance').request<{
      valid: boolean;
      brokenAt: { revision: number; reason: string };
    }>('GET', path);
    expect(broken.body).toMatchObject({ valid: false, brokenAt: { revision: 1, reason: 'hash_mismatch' } });
    expect(
      (await as('compliance').request('GET', `/api/audit/streams/call-${OTHER}.CA-q-1/verify`)).status,
    ).toBe(404); // another tenant’s stream is as absent as none
  });
});

describe('exports', () => {
  it('streams calls and the audit trail as CSV', async () => {
    const response = await fetch(`${test.url}/api/exports/calls.csv`, {
      headers: { authorization: `Bearer ${tokens.get('analyst')}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await response.text()).trim().split('\n');
    expect(lines[0]).toMatch(/^callId,direction,status,/);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(expect.arrayContaining(demoCalls));
    const audit = await fetch(`${test.url}/api/exports/audit.csv?correlationId=CA-q-1`, {
      headers: { authorization: `Bearer ${tokens.get('compliance')}` },
    });
    expect((await audit.text()).trim().split('\n')).toHaveLength(1 + 6);
  });
});

describe('configuration, as the console edits it', () => {
  type Items = { items: ({ id: string; status: string } & Record<string, unknown>)[] };

  it('lists the tenant’s agents, departments, numbers, knowledge, scripts and team as the write side holds them', async () => {
    const admin = as('tenant_admin');
    const agents = await admin.request<Items>('GET', '/api/config/agents');
    expect(validate('configAgents', 200, agents.body)).toEqual([]);
    expect(agents.body.items.map((a) => a.id)).toEqual(
      expect.arrayContaining(['lucas', 'mateo', 'nora', 'sofia']),
    );
    expect(agents.body.items.find((a) => a.id === 'sofia')).toMatchObject({
      status: 'enabled',
      departmentId: 'reception',
      voice: expect.any(String),
      personality: expect.objectContaining({ tone: expect.any(String) }),
      escalationRules: expect.objectContaining({ onCallerRequest: expect.any(Boolean) }),
    });
    const departments = await admin.request<Items>('GET', '/api/config/departments');
    expect(validate('configDepartments', 200, departments.body)).toEqual([]);
    expect(departments.body.items.map((d) => d.id)).toEqual(
      expect.arrayContaining(['billing', 'reception', 'sales']),
    );
    const numbers = await admin.request<Items>('GET', '/api/config/numbers');
    expect(validate('configNumbers', 200, numbers.body)).toEqual([]);
    expect(numbers.body.items.find((n) => n.id === DEMO_IVR_NUMBER)).toMatchObject({
      status: 'owned',
      ownerTenantId: DEMO_TENANT,
      target: { kind: 'ivr', id: 'main' },
    });
    const articles = await admin.request<Items>('GET', '/api/config/articles');
    expect(validate('configArticles', 200, articles.body)).toEqual([]);
    expect(articles.body.items.find((a) => a.id === 'insurance')).toMatchObject({ status: 'published' });
    const scripts = await admin.request<Items>('GET', '/api/config/scripts');
    expect(validate('configScripts', 200, scripts.body)).toEqual([]);
    const members = await admin.request<Items>('GET', '/api/config/members');
    expect(validate('configMembers', 200, members.body)).toEqual([]);
    expect(members.body.items.find((m) => m.id === 'demo-analyst')).toEqual({
      id: 'demo-analyst',
      status: 'invited',
      email: 'analyst@demo.example',
      name: 'Ana Analyst',
      role: 'analyst',
    });
    const tenant = await admin.request<{ id: string; planTier: string; settings: { timeZone: string } }>(
      'GET',
      '/api/config/tenant',
    );
    expect(validate('configTenant', 200, tenant.body)).toEqual([]);
    expect(tenant.body).toMatchObject({ id: DEMO_TENANT, planTier: 'professional' });
    expect(tenant.body.settings.timeZone).toMatch(/\//);
  });

  it('shows a change as soon as its command is stored', async () => {
    const admin = as('tenant_admin');
    expect(
      (
        await admin.command('UpdateDepartment', {
          tenantId: DEMO_TENANT,
          departmentId: 'billing',
          description: 'Invoices, payments and insurance claims',
        })
      ).status,
    ).toBe(200);
    const departments = await admin.request<Items>('GET', '/api/config/departments');
    expect(departments.body.items.find((d) => d.id === 'billing')?.['description']).toBe(
      'Invoices, payments and insurance claims',
    );
  });

  it('shows a tenant admin the engines and providers the platform runs on', async () => {
    const integrations = await as('tenant_admin').request<{
      engines: Record<string, string>;
      apiAccess: boolean;
      ssoIssuers: number;
    }>('GET', '/api/integrations');
    expect(validate('integrations', 200, integrations.body)).toEqual([]);
    expect(integrations.body.engines).toMatchObject({
      eventStore: 'sqlite',
      telephony: 'local carrier (simulator)',
      conversation: 'offline',
    });
    expect(integrations.body.apiAccess).toBe(true);
    expect(JSON.stringify(integrations.body)).not.toMatch(/key|token|secret/i);
  });

  it('gives every role the names for its filters, and only admins the team’s emails', async () => {
    const directory = await as('viewer').request<{
      agents: { id: string; name: string }[];
      members: unknown[];
    }>('GET', '/api/config/directory');
    expect(validate('configDirectory', 200, directory.body)).toEqual([]);
    expect(directory.body.agents.find((a) => a.id === 'sofia')?.name).toMatch(/Sofia/);
    expect(JSON.stringify(directory.body)).not.toContain('@demo.example');
    expect((await as('supervisor').request('GET', '/api/config/members')).status).toBe(403);
  });
});

describe('tiers, limits, campaigns and regions', () => {
  const INITECH = 'initech';
  let initech: ReturnType<typeof apiClient>;
  let key: ReturnType<typeof apiClient>;
  const root = () => apiClient(test.url, tokens.get('super_admin'));

  /** An outbound call for a lead, answered, with one AI reply of `tokens` tokens; `booked`: a conversion. */
  const outbound = async (callId: string, campaignId: string | undefined, booked: boolean) => {
    const send = async (type: string, data: Record<string, unknown>) => {
      const response = await root().command(type, { tenantId: INITECH, callId, ...data });
      expect(response.status, `${type} ${JSON.stringify(response.body)}`).toBe(200);
    };
    await send('StartCall', {
      direction: 'outbound',
      from: '+15550300001',
      to: `+1555030${callId.slice(-4).padStart(4, '0')}`,
      provider: 'simulator',
      leadId: `lead-${callId}`,
      ...(campaignId !== undefined && { campaignId }),
    });
    await send('AnswerCall', { answeredBy: 'human' });
    await send('RecordAiReply', {
      utteranceId: 'a0',
      text: 'Hello, this is Initech calling about your annual check-up.',
      language: 'en',
      model: 'offline',
      promptTokens: 200_000,
      completionTokens: 50_000,
      latencyMs: 40,
    });
    if (booked) {
      await send('InvokeTool', {
        toolCallId: 't0',
        name: 'book_appointment',
        arguments: { when: 'next Monday 10:00' },
        result: { appointmentId: `ap-${callId}` },
        status: 'succeeded',
        durationMs: 30,
      });
    }
    await send('EndCall', { outcome: 'resolved' });
  };

  beforeAll(async () => {
    expect(
      (
        await root().command('CreateTenant', {
          tenantId: INITECH,
          name: 'Initech',
          planTier: 'free',
          settings: { region: 'europe', timeZone: 'Europe/Berlin' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await root().command('InviteMember', {
          tenantId: INITECH,
          userId: 'initech-admin',
          email: 'admin@initech.example',
          name: 'Ian Initech',
          role: 'tenant_admin',
        })
      ).status,
    ).toBe(200);
    await root().request('PUT', '/api/members/initech-admin/password', { password: 'initech-password-1' });
    initech = apiClient(test.url, await login(test.url, 'admin@initech.example', 'initech-password-1'));
    const issued = await initech.request<{ key: string }>('POST', '/api/api-keys', {
      tenantId: INITECH,
      name: 'BI',
      role: 'analyst',
      scopes: ['read', 'analytics'],
    });
    expect(issued.status).toBe(201);
    key = apiClient(test.url, issued.body.key);
  });

  it('a tier grants its permission scopes: the free tier has no exports, audit trail, reports or API access', async () => {
    for (const path of ['/api/exports/calls.csv', '/api/audit/events', '/api/reports']) {
      const refused = await initech.request<{ error: { code: string; message: string } }>('GET', path);
      expect(refused.status, path).toBe(403);
      expect(refused.body.error.code, path).toBe('PLAN_FEATURE');
      expect(refused.body.error.message).toMatch(/the free plan does not include/);
    }
    expect((await initech.request('GET', '/api/analytics/volume')).status).toBe(200);
    const byKey = await key.request<{ error: { code: string } }>('GET', '/api/analytics/volume');
    expect([byKey.status, byKey.body.error.code]).toEqual([403, 'PLAN_FEATURE']);
    // Super admins support tenants on every plan.
    expect((await root().request('GET', `/api/audit/events?tenantId=${INITECH}`)).status).toBe(200);

    expect(
      (await root().command('ChangePlanTier', { tenantId: INITECH, planTier: 'professional' })).status,
    ).toBe(200);
    await eventually(async () => {
      expect((await initech.request('GET', '/api/audit/events')).status).toBe(200);
    });
    expect((await key.request('GET', '/api/analytics/volume')).status).toBe(200);
    const tiers = await root().request<{ tiers: { tier: string; features: string[] }[] }>(
      'GET',
      '/api/admin/tiers',
    );
    expect(validate('adminTiers', 200, tiers.body)).toEqual([]);
    expect(tiers.body.tiers.map((t) => t.tier)).toEqual(['free', 'starter', 'professional', 'enterprise']);
    expect(tiers.body.tiers.find((t) => t.tier === 'free')?.features).toEqual([]);
    expect(tiers.body.tiers.find((t) => t.tier === 'professional')?.features).toContain('scheduled_reports');
    expect((await initech.request('GET', '/api/admin/tiers')).status).toBe(403);
  });

  it('super admins set a tenant its own caps and billing alert; tenants cannot; bad limits change nothing', async () => {
    const own = { tenantId: INITECH, overrides: { llmTokensPerMonth: 100_000 }, billingThresholdUsd: 1 };
    expect((await initech.command('SetUsageLimits', own)).status).toBe(403);
    const bad = await root().command('SetUsageLimits', { ...own, overrides: { llmTokensPerMonth: -5 } });
    expect(bad.status).toBe(400);
    const unknown = await root().command('SetUsageLimits', { ...own, overrides: { seats: 5 } });
    expect(unknown.status).toBe(400);
    expect((await root().command('SetUsageLimits', own)).status).toBe(200);
    await eventually(async () => {
      const events = await root().request<{ items: { type: string; data: unknown }[] }>(
        'GET',
        `/api/audit/events?tenantId=${INITECH}&type=UsageLimitsSet`,
      );
      expect(events.body.items.map((e) => e.data)).toEqual([
        { overrides: { llmTokensPerMonth: 100_000 }, billingThresholdUsd: 1 },
      ]);
    });
  });

  it(
    'campaign conversion, cost and ROI; usage in money; the cap and the billing alert reached',
    { timeout: 60_000 },
    async () => {
      await outbound('OB-0001', 'fall-promo', true);
      await outbound('OB-0002', 'fall-promo', true);
      await outbound('OB-0003', 'fall-promo', false);
      await outbound('OB-0004', undefined, false);
      type Campaign = {
        campaignId: string;
        calls: number;
        conversions: number;
        costUsd: number;
        roi: number | null;
      };
      await eventually(async () => {
        const report = await initech.request<{ campaigns: Campaign[] }>(
          'GET',
          '/api/analytics/campaigns?valuePerConversion=40',
        );
        expect(validate('campaignPerformance', 200, report.body)).toEqual([]);
        // 250,000 tokens a call at professional's $2 per million: $0.50 a call.
        expect(report.body.campaigns).toEqual([
          {
            campaignId: 'fall-promo',
            calls: 3,
            leads: 3,
            connected: 3,
            conversions: 2,
            connectRate: 1,
            conversionRate: 2 / 3,
            costUsd: 1.5,
            costPerConversionUsd: 0.75,
            revenueUsd: 80,
            roi: (80 - 1.5) / 1.5,
          },
          {
            campaignId: '',
            calls: 1,
            leads: 1,
            connected: 1,
            conversions: 0,
            connectRate: 1,
            conversionRate: 0,
            costUsd: 0.5,
            costPerConversionUsd: null,
            revenueUsd: 0,
            roi: -1,
          },
        ]);
      });
      const noValue = await initech.request<{ campaigns: Campaign[] }>('GET', '/api/analytics/campaigns');
      expect(noValue.body.campaigns[0]?.roi).toBeNull();
      expect((await initech.request('GET', '/api/analytics/campaigns?valuePerConversion=-1')).status).toBe(
        400,
      );

      const usage = await initech.request<{ cost: { llmTokensUsd: number; totalUsd: number } }>(
        'GET',
        '/api/analytics/usage',
      );
      expect(validate('usage', 200, usage.body)).toEqual([]);
      expect(usage.body.cost).toMatchObject({ llmTokensUsd: 2, totalUsd: 2 });

      await eventually(async () => {
        const caps = await root().request<{ tenants: Record<string, unknown>[] }>(
          'GET',
          '/api/admin/usage-caps',
        );
        expect(validate('adminUsageCaps', 200, caps.body)).toEqual([]);
        expect(caps.body.tenants.find((t) => t['tenantId'] === INITECH)).toMatchObject({
          planTier: 'professional',
          tokens: 1_000_000,
          tokenCap: 100_000,
          includedMinutes: 10_000,
          atUsageCap: 'overage_billed',
          capUsed: 10,
          limitsOverridden: true,
          costUsd: 2,
          billingThresholdUsd: 1,
          billingThresholdReached: true,
        });
        // The usage processor enforced the tenant's own cap, not professional's 30 million.
        const reached = await root().request<{ items: { data: { cap: number } }[] }>(
          'GET',
          `/api/audit/events?tenantId=${INITECH}&type=UsageCapReached`,
        );
        expect(reached.body.items.map((e) => e.data.cap)).toEqual([100_000]);
      });
    },
  );

  it('shows a tenant admin its own plan: tier, caps, prices and this month’s usage and cost', async () => {
    const plan = await initech.request<{
      tier: { tier: string; features: string[]; perMillionTokensUsd: number };
      usage: { tokens: number; tokenCap: number; costUsd: number; billingThresholdReached: boolean } | null;
    }>('GET', '/api/plan');
    expect(validate('tenantPlan', 200, plan.body)).toEqual([]);
    expect(plan.body.tier).toMatchObject({ tier: 'professional', perMillionTokensUsd: 2 });
    expect(plan.body.usage).toMatchObject({ tokens: 1_000_000, tokenCap: 100_000, costUsd: 2 });
    expect(JSON.stringify(plan.body)).not.toContain(DEMO_TENANT);
  });

  it('super admins see the platform by region', async () => {
    const regions = await root().request<{
      regions: { region: string; tenants: number; calls: number; costUsd: number }[];
    }>('GET', '/api/admin/analytics/regions');
    expect(validate('adminRegions', 200, regions.body)).toEqual([]);
    expect(regions.body.regions.find((r) => r.region === 'europe')).toMatchObject({
      tenants: 1,
      calls: 4,
      costUsd: 2,
    });
    expect(regions.body.regions.find((r) => r.region === 'north_america')?.calls).toBeGreaterThanOrEqual(4);
    expect((await initech.request('GET', '/api/admin/analytics/regions')).status).toBe(403);
    const tenants = await root().request<{
      tenants: { tenantId: string; region: string; costUsd: number }[];
    }>('GET', '/api/admin/tenants');
    expect(tenants.body.tenants.find((t) => t.tenantId === INITECH)).toMatchObject({
      region: 'europe',
      costUsd: 2,
    });
  });
});

/** Polls until `check` passes: the read side follows the log a moment later. */
const eventually = async (check: () => Promise<void>, timeoutMs = 20_000): Promise<void> => {
  for (const deadline = Date.now() + timeoutMs; ;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
};

describe('platform: announcements, API usage, super admin', () => {
  it(
    'shows the platform’s and the tenant’s announcements in force, not another tenant’s, until withdrawn',
    { timeout: 30_000 },
    async () => {
      const root = apiClient(test.url, tokens.get('super_admin'));
      expect(
        (
          await root.command('PublishAnnouncement', {
            tenantId: 'platform',
            announcementId: 'maintenance',
            title: 'Maintenance window',
            body: 'Sunday 02:00-03:00 UTC',
            severity: 'warning',
          })
        ).status,
      ).toBe(200);
      const admin = as('tenant_admin');
      expect(
        (
          await admin.command('PublishAnnouncement', {
            tenantId: DEMO_TENANT,
            announcementId: 'welcome',
            title: 'New IVR menu',
            body: 'Press 3 now reaches billing.',
            severity: 'info',
          })
        ).status,
      ).toBe(200);
      // Tenant admins cannot speak for the platform.
      expect(
        (
          await admin.command('PublishAnnouncement', {
            tenantId: 'platform',
            announcementId: 'spoof',
            title: 'Free money',
            body: 'Click here',
            severity: 'critical',
          })
        ).status,
      ).toBe(403);
      await eventually(async () => {
        const seen = await as('viewer').request<{
          announcements: { announcementId: string; scope: string }[];
        }>('GET', '/api/announcements');
        expect(validate('announcements', 200, seen.body)).toEqual([]);
        expect(seen.body.announcements.map((a) => `${a.scope}:${a.announcementId}`).sort()).toEqual([
          'platform:maintenance',
          'tenant:welcome',
        ]);
      });
      const elsewhere = await as('other').request<{ announcements: { announcementId: string }[] }>(
        'GET',
        '/api/announcements',
      );
      expect(elsewhere.body.announcements.map((a) => a.announcementId)).toEqual(['maintenance']);
      await admin.command('WithdrawAnnouncement', { tenantId: DEMO_TENANT, announcementId: 'welcome' });
      await eventually(async () => {
        const seen = await as('viewer').request<{ announcements: { announcementId: string }[] }>(
          'GET',
          '/api/announcements',
        );
        expect(seen.body.announcements.map((a) => a.announcementId)).toEqual(['maintenance']);
      });
    },
  );

  it(
    'logs API usage per credential and route, for the tenant admin and the super admin',
    { timeout: 30_000 },
    async () => {
      await as('analyst').request('GET', '/api/analytics/outcomes');
      await eventually(async () => {
        const usage = await as('tenant_admin').request<{
          credentials: { credential: string; requests: number }[];
          routes: { route: string }[];
        }>('GET', '/api/api-usage');
        expect(usage.status).toBe(200);
        expect(validate('apiUsage', 200, usage.body)).toEqual([]);
        expect(usage.body.credentials.map((c) => c.credential)).toContain('demo-analyst');
        expect(usage.body.routes.map((r) => r.route)).toContain('/api/analytics/outcomes');
      });
      const all = await apiClient(test.url, tokens.get('super_admin')).request<{
        credentials: { tenantId: string }[];
      }>('GET', '/api/admin/api-usage');
      expect(validate('adminApiUsage', 200, all.body)).toEqual([]);
      expect(all.body.credentials.some((c) => c.tenantId === DEMO_TENANT)).toBe(true);
      expect(all.body.credentials.some((c) => c.tenantId !== DEMO_TENANT)).toBe(true); // the super admins' own (platform)
    },
  );

  it(
    'lists support tickets for the tenant’s staff and every tenant’s for super admins',
    { timeout: 30_000 },
    async () => {
      const agent = as('agent');
      for (const [ticketId, subject, priority] of [
        ['T-1', 'Refund for a double charge', 'high'],
        ['T-2', 'Update insurance details', 'normal'],
      ] as const) {
        expect(
          (
            await agent.command('OpenTicket', {
              tenantId: DEMO_TENANT,
              ticketId,
              subject,
              description: 'Caller Ana Lopez, card ending 4242',
              priority,
              callId: 'CA-q-2',
            })
          ).status,
        ).toBe(200);
      }
      await agent.command('UpdateTicket', { tenantId: DEMO_TENANT, ticketId: 'T-2', priority: 'urgent' });
      await agent.command('ResolveTicket', {
        tenantId: DEMO_TENANT,
        ticketId: 'T-1',
        resolution: 'Refunded',
      });
      await eventually(async () => {
        const open = await as('supervisor').request<{ tickets: { ticketId: string; priority: string }[] }>(
          'GET',
          '/api/tickets?status=open',
        );
        expect(validate('tickets', 200, open.body)).toEqual([]);
        expect(open.body.tickets).toEqual([expect.objectContaining({ ticketId: 'T-2', priority: 'urgent' })]);
      });
      const all = await apiClient(test.url, tokens.get('super_admin')).request<{
        tickets: { tenantId: string; ticketId: string; status: string }[];
      }>('GET', '/api/admin/tickets');
      expect(validate('adminTickets', 200, all.body)).toEqual([]);
      expect(all.body.tickets).toContainEqual(
        expect.objectContaining({ tenantId: DEMO_TENANT, ticketId: 'T-1', status: 'resolved' }),
      );
      // What the caller told the agent stays out of the list.
      expect(JSON.stringify(all.body)).not.toContain('4242');
    },
  );

  it(
    'themes a custom domain before sign-in with the tenant’s branding, and nothing else',
    { timeout: 30_000 },
    async () => {
      expect(
        (
          await as('tenant_admin').command('UpdateTenantSettings', {
            tenantId: DEMO_TENANT,
            settings: {
              branding: {
                displayName: 'Bright Smile',
                primaryColor: '#0a7cff',
                customDomain: 'support.brightsmile.example',
              },
              sso: [{ issuer: 'https://login.brightsmile.example', audience: 'ccp-console' }],
            },
          })
        ).status,
      ).toBe(200);
      await eventually(async () => {
        const branding = await apiClient(test.url).request(
          'GET',
          '/api/branding?domain=Support.BrightSmile.example',
        );
        expect(branding.status).toBe(200);
        expect(validate('branding', 200, branding.body)).toEqual([]);
        expect(branding.body).toEqual({
          tenantId: DEMO_TENANT,
          displayName: 'Bright Smile',
          primaryColor: '#0a7cff',
          logoUrl: null,
          sso: [{ issuer: 'https://login.brightsmile.example', clientId: 'ccp-console' }],
        });
      });
      // Signed in, every role gets its tenant's look, whatever address the console is reached at.
      const own = await as('viewer').request('GET', '/api/tenant/branding');
      expect(validate('tenantBranding', 200, own.body)).toEqual([]);
      expect(own.body).toEqual({
        tenantId: DEMO_TENANT,
        displayName: 'Bright Smile',
        primaryColor: '#0a7cff',
        logoUrl: null,
      });
      expect((await apiClient(test.url).request('GET', '/api/branding?domain=nobody.example')).status).toBe(
        404,
      );
      expect((await apiClient(test.url).request('GET', '/api/branding?domain=../etc')).status).toBe(400);
    },
  );

  it('shows super admins each tenant’s usage against its tier’s caps', async () => {
    const caps = await apiClient(test.url, tokens.get('super_admin')).request<{
      tenants: { tenantId: string; planTier: string; includedMinutes: number | null }[];
    }>('GET', '/api/admin/usage-caps');
    expect(caps.status).toBe(200);
    expect(validate('adminUsageCaps', 200, caps.body)).toEqual([]);
    expect(caps.body.tenants).toContainEqual(
      expect.objectContaining({ tenantId: OTHER, planTier: 'professional', includedMinutes: 10_000 }),
    );
    expect(caps.body.tenants.map((t) => t.tenantId)).toContain(DEMO_TENANT);
  });

  it('gives super admins every tenant with its traffic, the busiest agents and the engines’ health', async () => {
    const root = apiClient(test.url, tokens.get('super_admin'));
    const tenants = await root.request<{
      tenants: { tenantId: string; calls: number; status: string; planTier: string }[];
    }>('GET', '/api/admin/tenants');
    expect(validate('adminTenants', 200, tenants.body)).toEqual([]);
    expect(tenants.body.tenants).toContainEqual(
      expect.objectContaining({ tenantId: OTHER, calls: 0, status: 'active', planTier: 'professional' }),
    );
    expect(tenants.body.tenants.find((t) => t.tenantId === DEMO_TENANT)?.calls).toBeGreaterThanOrEqual(4);
    const agents = await root.request('GET', '/api/admin/analytics/agents');
    expect(validate('adminTopAgents', 200, agents.body)).toEqual([]);
    const health = await root.request<{ status: string; processors: unknown }>('GET', '/api/admin/health');
    expect(validate('adminHealth', 200, health.body)).toEqual([]);
    expect(health.body.status).toBe('ok');
  });

  it('an API key reads only within its scopes', async () => {
    const issued = await as('tenant_admin').request<{ key: string }>('POST', '/api/api-keys', {
      tenantId: DEMO_TENANT,
      name: 'BI export',
      role: 'analyst',
      scopes: ['read'],
    });
    expect(issued.status).toBe(201);
    const key = apiClient(test.url, issued.body.key);
    expect((await key.request('GET', '/api/calls')).status).toBe(200);
    const refused = await key.request<{ error: { code: string } }>('GET', '/api/analytics/outcomes');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN_SCOPE');
  });
});

describe('reports', () => {
  it('saves report definitions and refuses incomplete schedules', async () => {
    const analyst = as('analyst');
    const daily = {
      tenantId: DEMO_TENANT,
      reportId: 'daily-volume',
      name: 'Daily volume',
      kind: 'volume',
      format: 'pdf',
      schedule: { every: 'day', at: '08:00' },
      delivery: { kind: 'email', to: ['ops@bright.example'] },
    };
    expect((await analyst.command('SaveReport', daily)).status).toBe(200);
    expect(
      (
        await analyst.command('SaveReport', {
          ...daily,
          reportId: 'daily-sla',
          name: 'Daily SLA',
          kind: 'sla',
          format: 'csv',
          delivery: {
            kind: 'webhook',
            url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/reports`,
          },
        })
      ).status,
    ).toBe(200);
    const noDelivery = await analyst.command('SaveReport', {
      ...daily,
      reportId: 'broken',
      delivery: undefined,
    });
    expect(noDelivery.status).toBe(400);
    const noWeekday = await analyst.command('SaveReport', {
      ...daily,
      reportId: 'broken',
      schedule: { every: 'week', at: '08:00' },
    });
    expect(noWeekday.status).toBe(400);
    expect((await as('viewer').command('SaveReport', { ...daily, reportId: 'viewer' })).status).toBe(403);
    const listed = await analyst.request<{ reports: { reportId: string }[] }>('GET', '/api/reports');
    expect(validate('listReports', 200, listed.body)).toEqual([]);
    expect(listed.body.reports.map((r) => r.reportId).sort()).toEqual(['daily-sla', 'daily-volume']);
  });

  it('runs a saved report, and any analytics report, as a file', { timeout: 30_000 }, async () => {
    const csv = await fetch(`${test.url}/api/reports/daily-volume/run?format=csv`, {
      headers: { authorization: `Bearer ${tokens.get('analyst')}` },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toMatch(/daily-volume-\d{4}-\d{2}-\d{2}\.csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('bucket,calls,answered,escalated,resolved,abandoned');
    expect(lines.slice(1).reduce((sum, line) => sum + Number(line.split(',')[1]), 0)).toBeGreaterThanOrEqual(
      4,
    );
    const pdf = await fetch(`${test.url}/api/analytics/agents/file?format=pdf`, {
      headers: { authorization: `Bearer ${tokens.get('supervisor')}` },
    });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const bad = await as('analyst').request('GET', '/api/analytics/moods/file');
    expect(bad.status).toBe(400);
  });

  it(
    'delivers each scheduled slot once: by email through SMTP, and to a webhook, signed',
    { timeout: 30_000 },
    async () => {
      // Tomorrow 08:05 in the tenant's time zone: both daily reports fall due.
      clock = tomorrowAt('America/New_York', 8, 5);
      try {
        await eventually(async () => {
          expect(mails).toHaveLength(1);
          expect(hooks).toHaveLength(1);
        });
        expect(mails[0]?.subject).toMatch(/^Daily volume \(\d{4}-\d{2}-\d{2}T08:00\)$/);
        expect(mails[0]?.attachments[0]?.contentType).toBe('application/pdf');
        const secret = await as('tenant_admin').request<{ secret: string }>(
          'GET',
          '/api/reports/daily-sla/webhook-secret',
        );
        const [hook] = hooks;
        expect(
          verifyWebhookSignature(
            secret.body.secret,
            hook?.body ?? '',
            String(hook?.headers['x-ccp-signature']),
            String(hook?.headers['x-ccp-timestamp']),
          ),
        ).toBe(true);
        expect(JSON.parse(hook?.body ?? '{}')).toMatchObject({
          reportId: 'daily-sla',
          filename: expect.stringMatching(/\.csv$/),
        });
        const events = await test.platform.store.readStream(`report-${DEMO_TENANT}.daily-volume`);
        expect(events.map((e) => e.type)).toEqual(['ReportSaved', 'ReportDelivered']);
        // More ticks of the scheduler, same slot: nothing sent twice. Not a fixed wait: a report saved now is
        // delivered in a later tick than the two above, and a tick goes through the reports in the order they
        // were saved, one delivery at a time, so once the marker's webhook arrives that tick has looked at both
        // reports again (and sent whatever it was going to send to them).
        const marker = await as('analyst').command('SaveReport', {
          tenantId: DEMO_TENANT,
          reportId: 'tick-marker',
          name: 'Tick marker',
          kind: 'volume',
          format: 'csv',
          schedule: { every: 'day', at: '08:00' },
          delivery: {
            kind: 'webhook',
            url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/m`,
          },
        });
        expect(marker.status).toBe(200);
        const reportIdOf = (hook: (typeof hooks)[number]) =>
          (JSON.parse(hook.body) as { reportId?: string }).reportId;
        await eventually(async () => expect(hooks.map(reportIdOf)).toContain('tick-marker'));
        expect(mails).toHaveLength(1);
        expect(hooks.map(reportIdOf)).toEqual(['daily-sla', 'tick-marker']);
        const report = await as('analyst').request<{ lastDelivery: { outcome: string } }>(
          'GET',
          '/api/reports/daily-volume',
        );
        expect(report.body.lastDelivery).toMatchObject({ outcome: 'delivered' });
      } finally {
        clock = undefined;
      }
    },
  );
});

/** A concrete path for an operation, with a real id of the demo tenant where the path needs one. */
const concretePath = (operation: DocumentedOperation): string =>
  operation.path
    .replace('{callId}', 'CA-q-1')
    .replace('{reportId}', 'daily-volume')
    .replace('{kind}', 'volume')
    .replace('{streamId}', `call-${DEMO_TENANT}.CA-q-1`) +
  (operation.operationId === 'branding' ? '?domain=support.brightsmile.example' : '');
/** Routes anyone may call (a sign-in page's branding): outside the tenant and role checks. */
const isPublic = (operation: DocumentedOperation): boolean => operation['x-roles'].includes('anyone');

const TENANT_ROLES = ['tenant_admin', 'supervisor', 'agent', 'analyst', 'compliance', 'viewer'] as const;
type TenantRole = (typeof TENANT_ROLES)[number];

/**
 * The README's role matrix ("Query API", the table of roles × dashboards, analytics, calls, exports, audit and
 * API usage), written out here as the test's own data rather than read from the server's `x-roles`, which are
 * generated from the very table that enforces them. Super admins may call every route.
 */
const README_COLUMNS = {
  dashboards: ['tenant_admin', 'supervisor', 'agent', 'analyst', 'compliance', 'viewer'],
  analytics: ['tenant_admin', 'supervisor', 'analyst', 'compliance', 'viewer'],
  calls: ['tenant_admin', 'supervisor', 'agent', 'analyst', 'compliance'],
  exports: ['tenant_admin', 'supervisor', 'analyst', 'compliance'],
  audit: ['tenant_admin', 'compliance'],
  apiUsage: ['tenant_admin'],
} as const satisfies Record<string, readonly TenantRole[]>;
const { dashboards, analytics, calls, exports, audit, apiUsage } = README_COLUMNS;
/** Routes the README's table has no column for: the product's decision, changed only by editing this table. */
const ONLY = {
  superAdmin: [],
  tenantAdmin: ['tenant_admin'],
  reports: ['tenant_admin', 'supervisor', 'analyst'],
  staff: ['tenant_admin', 'supervisor', 'agent'],
  configuration: ['tenant_admin', 'supervisor'],
} as const satisfies Record<string, readonly TenantRole[]>;

/** Every route of the served document → the tenant roles that may call it ('public': no credentials needed). */
const ROLE_MATRIX_OF_ROUTES: Record<string, readonly TenantRole[] | 'public'> = {
  'GET /api/branding': 'public',
  'GET /api/tenant/branding': dashboards,
  'GET /api/announcements': dashboards,
  'GET /api/live': dashboards,
  'GET /api/live/stream': dashboards,
  'GET /api/config/directory': dashboards,
  'GET /api/analytics/volume': analytics,
  'GET /api/analytics/outcomes': analytics,
  'GET /api/analytics/sentiment': analytics,
  'GET /api/analytics/intents': analytics,
  'GET /api/analytics/agents': analytics,
  'GET /api/analytics/departments': analytics,
  'GET /api/analytics/sla': analytics,
  'GET /api/analytics/usage': analytics,
  'GET /api/analytics/campaigns': analytics,
  'GET /api/calls': calls,
  'GET /api/calls/{callId}': calls,
  'GET /api/calls/{callId}/handling': calls,
  'GET /api/calls/{callId}/caller': calls,
  'GET /api/calls/{callId}/replay': calls,
  // A file of any analytics report is an export: both columns.
  'GET /api/analytics/{kind}/file': exports,
  'GET /api/exports/calls.csv': exports,
  // The audit trail as a file: audit and exports both, which only admins and compliance have.
  'GET /api/exports/audit.csv': audit,
  'GET /api/audit/events': audit,
  'GET /api/audit/streams/{streamId}/verify': audit,
  'GET /api/api-usage': apiUsage,
  'GET /api/reports': ONLY.reports,
  'GET /api/reports/{reportId}': ONLY.reports,
  'GET /api/reports/{reportId}/run': ONLY.reports,
  // The secret that signs a report's webhooks: whoever configures integrations.
  'GET /api/reports/{reportId}/webhook-secret': ONLY.tenantAdmin,
  'GET /api/tickets': ONLY.staff,
  'GET /api/escalations': ONLY.staff,
  'GET /api/config/departments': ONLY.configuration,
  'GET /api/config/agents': ONLY.configuration,
  'GET /api/config/numbers': ONLY.configuration,
  'GET /api/config/articles': ONLY.configuration,
  'GET /api/config/scripts': ONLY.configuration,
  'GET /api/config/members': ONLY.tenantAdmin,
  'GET /api/config/tenant': ONLY.tenantAdmin,
  'GET /api/integrations': ONLY.tenantAdmin,
  'GET /api/plan': ONLY.tenantAdmin,
  'GET /api/admin/tenants': ONLY.superAdmin,
  'GET /api/admin/tickets': ONLY.superAdmin,
  'GET /api/admin/analytics/agents': ONLY.superAdmin,
  'GET /api/admin/analytics/regions': ONLY.superAdmin,
  'GET /api/admin/tiers': ONLY.superAdmin,
  'GET /api/admin/usage-caps': ONLY.superAdmin,
  'GET /api/admin/api-usage': ONLY.superAdmin,
  'GET /api/admin/health': ONLY.superAdmin,
};

/** Reads a streamed or JSON body as text, giving up on endless streams after a moment. */
const bodyOf = async (path: string, token: string | undefined): Promise<{ status: number; text: string }> => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 1_500);
  const response = await fetch(`${test.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: controller.signal,
  });
  let text = '';
  try {
    text = await response.text();
  } catch {
    // An event stream is cut by the timer: what came before is the body.
  } finally {
    clearTimeout(timer);
  }
  return { status: response.status, text };
};

describe('access', () => {
  it(
    'isolation: every route, called with another tenant’s credentials, gives none of this tenant’s data',
    { timeout: 60_000 },
    async () => {
      const other = tokens.get('other');
      for (const operation of operationsOf(document).filter((o) => !isPublic(o))) {
        const path = concretePath(operation);
        const { status, text } = await bodyOf(path, other);
        expect([200, 403, 404], `${operation.operationId} ${path}`).toContain(status);
        for (const id of demoCalls) expect(text, `${operation.operationId} leaks ${id}`).not.toContain(id);
        expect(text, `${operation.operationId} leaks a stream`).not.toContain(`-${DEMO_TENANT}.`);
        for (const user of DEMO_USERS)
          expect(text, `${operation.operationId} leaks a user`).not.toContain(user.userId);
        // Aggregates carry no ids: the other tenant has no calls, so every count it sees is zero.
        if (!operation.path.startsWith('/api/audit') && !operation.path.startsWith('/api/exports/audit')) {
          expect(text, operation.operationId).not.toMatch(
            /"(calls|total|activeCalls|utterances|resolved)":[1-9]/,
          );
        }
        // Naming the other tenant in the query is refused, not obeyed.
        const named = await bodyOf(`${path}${path.includes('?') ? '&' : '?'}tenantId=${DEMO_TENANT}`, other);
        expect(named.status, `${operation.operationId} with tenantId`).toBe(403);
      }
    },
  );

  it(
    'the role matrix is enforced on every route, and no credentials get a 401',
    { timeout: 60_000 },
    async () => {
      const documented = operationsOf(document);
      const routeOf = (o: DocumentedOperation) => `${o.method.toUpperCase()} ${o.path}`;
      // A route the table does not name fails here: a new route is added to the matrix on purpose, with its roles.
      expect(documented.map(routeOf).filter((route) => !(route in ROLE_MATRIX_OF_ROUTES))).toEqual([]);
      expect(
        Object.keys(ROLE_MATRIX_OF_ROUTES).filter((route) => !documented.some((o) => routeOf(o) === route)),
      ).toEqual([]);
      for (const operation of documented) {
        const expected = ROLE_MATRIX_OF_ROUTES[routeOf(operation)];
        if (expected === undefined) throw new Error(`${routeOf(operation)} is not in the role matrix`);
        const path = concretePath(operation);
        if (expected === 'public') {
          expect(operation['x-roles'], routeOf(operation)).toEqual(['anyone']);
          expect((await bodyOf(path, undefined)).status, `${routeOf(operation)} unauthenticated`).not.toBe(
            401,
          );
          continue;
        }
        // The served document tells the same matrix (super admins may call everything).
        expect([...operation['x-roles']].sort(), routeOf(operation)).toEqual(
          ['super_admin', ...expected].sort(),
        );
        expect((await bodyOf(path, undefined)).status, `${routeOf(operation)} unauthenticated`).toBe(401);
        for (const role of TENANT_ROLES) {
          const { status } = await bodyOf(path, tokens.get(role));
          if (expected.includes(role)) expect(status, `${routeOf(operation)} as ${role}`).not.toBe(403);
          else expect(status, `${routeOf(operation)} as ${role}`).toBe(403);
        }
      }
    },
  );

  it('a super admin names the tenant to read', async () => {
    const root = apiClient(test.url, tokens.get('super_admin'));
    expect((await root.request('GET', '/api/calls')).status).toBe(400);
    const calls = await root.request<{ total: number }>('GET', `/api/calls?tenantId=${DEMO_TENANT}`);
    expect(calls.body.total).toBeGreaterThanOrEqual(4);
  });
});

describe('the agent workspace', () => {
  const CALLER = '+15550009999';
  const call = async (callId: string, type: string, data: Record<string, unknown> = {}, role = 'agent') => {
    const response = await as(role).command(type, { tenantId: DEMO_TENANT, callId, ...data });
    expect(response.status, `${type} ${JSON.stringify(response.body)}`).toBe(200);
  };
  const start = async (callId: string) => {
    const root = apiClient(test.url, tokens.get('super_admin'));
    const started = await root.command('StartCall', {
      tenantId: DEMO_TENANT,
      callId,
      direction: 'inbound',
      from: CALLER,
      to: '+15550100001',
      provider: 'simulator',
      agentId: 'sofia',
    });
    expect(started.status).toBe(200);
  };
  type Inbox = {
    items: {
      call: { callId: string; from: string };
      waitingSince: string | null;
      handling: { escalation: { summary: string } | null; people: { userId: string; mode: string }[] };
    }[];
  };

  it(
    'an escalated call waits in the inbox with the AI’s summary; joined, coached and taken over, then gone once ended',
    { timeout: 30_000 },
    async () => {
      await start('CA-w-1');
      await call('CA-w-1', 'RequestEscalation', {
        reason: 'caller_request',
        summary: 'Caller wants a refund for a double charge on the March invoice.',
      });
      // The media gateway queues calls (as the platform); people take them from there.
      await call('CA-w-1', 'QueueCall', { departmentId: 'billing', queue: 'billing' }, 'super_admin');
      await eventually(async () => {
        const inbox = await as('agent').request<Inbox>('GET', '/api/escalations');
        expect(validate('escalationInbox', 200, inbox.body)).toEqual([]);
        const item = inbox.body.items.find((i) => i.call.callId === 'CA-w-1');
        expect(item?.handling.escalation?.summary).toMatch(/double charge/);
        expect(item?.waitingSince).not.toBeNull();
        expect(item?.call.from).toBe(CALLER);
      });
      expect((await as('viewer').request('GET', '/api/escalations')).status).toBe(403);
      expect((await as('analyst').request('GET', '/api/escalations')).status).toBe(403);

      await call('CA-w-1', 'JoinHuman', { userId: 'demo-agent', mode: 'listen' });
      await call('CA-w-1', 'CoachAi', {
        userId: 'demo-agent',
        note: 'Offer the refund to the card on file.',
      });
      await call('CA-w-1', 'TakeOverCall', { userId: 'demo-agent' });
      const handling = await as('agent').request<{ inControl: string; coaching: { note: string }[] }>(
        'GET',
        '/api/calls/CA-w-1/handling',
      );
      expect(validate('callHandling', 200, handling.body)).toEqual([]);
      expect(handling.body.inControl).toBe('demo-agent');
      expect(handling.body.coaching.map((c) => c.note)).toEqual(['Offer the refund to the card on file.']);

      // Wrapping up waits for the end.
      const early = await as('agent').command('WrapUpCall', {
        tenantId: DEMO_TENANT,
        callId: 'CA-w-1',
        userId: 'demo-agent',
        tags: ['refund'],
        resolved: true,
      });
      expect([early.status, (early.body as { error: { code: string } }).error.code]).toEqual([
        422,
        'CALL_NOT_ENDED',
      ]);
      await call('CA-w-1', 'EndCall', { outcome: 'resolved' });
      const inbox = await as('agent').request<Inbox>('GET', '/api/escalations');
      expect(inbox.body.items.map((i) => i.call.callId)).not.toContain('CA-w-1');
    },
  );

  it('wraps a call up with tags, resolution, a follow-up and a note; the call list finds it by tag', async () => {
    const bad = await as('agent').command('WrapUpCall', {
      tenantId: DEMO_TENANT,
      callId: 'CA-w-1',
      userId: 'demo-agent',
      tags: ['<b>refund</b>'],
      resolved: true,
    });
    expect(bad.status).toBe(400);
    await call('CA-w-1', 'WrapUpCall', {
      userId: 'demo-agent',
      tags: ['Refund', 'billing error'],
      resolved: false,
      followUp: { dueAt: '2030-01-02T10:00:00.000Z', reason: 'Confirm the refund reached the card' },
      note: 'Refund issued by phone; card ends 4242.',
    });
    await eventually(async () => {
      const tagged = await as('supervisor').request<{
        items: { callId: string; tags: string[]; wrapUpResolved: boolean; followUpDue: string }[];
      }>('GET', '/api/calls?tag=refund');
      expect(validate('listCalls', 200, tagged.body)).toEqual([]);
      expect(tagged.body.items).toEqual([
        expect.objectContaining({
          callId: 'CA-w-1',
          tags: ['refund', 'billing error'],
          wrapUpResolved: false,
          followUpDue: '2030-01-02T10:00:00.000Z',
        }),
      ]);
    });
    const handled = await as('supervisor').request<{ items: { callId: string }[] }>(
      'GET',
      '/api/calls?humanUserId=demo-agent',
    );
    expect(handled.body.items.map((c) => c.callId)).toEqual(['CA-w-1']);
    const handling = await as('supervisor').request<{ wrapUps: { note: string; userId: string }[] }>(
      'GET',
      '/api/calls/CA-w-1/handling',
    );
    expect(handling.body.wrapUps).toEqual([
      expect.objectContaining({ userId: 'demo-agent', note: 'Refund issued by phone; card ends 4242.' }),
    ]);
    // The note is personal data: in the audit log it is encrypted, not in clear.
    const audit = await as('compliance').request(
      'GET',
      '/api/audit/events?correlationId=CA-w-1&type=CallWrappedUp',
    );
    expect(JSON.stringify(audit.body)).not.toContain('card ends 4242');
  });

  it('shows the caller’s record: their other calls and the tickets opened from them', async () => {
    await start('CA-w-2');
    await call('CA-w-2', 'EndCall', { outcome: 'resolved' });
    const ticket = await as('agent').command('OpenTicket', {
      tenantId: DEMO_TENANT,
      ticketId: 'T-w-1',
      subject: 'Refund for double charge',
      description: 'Caller was charged twice in March.',
      callId: 'CA-w-1',
    });
    expect(ticket.status).toBe(200);
    await eventually(async () => {
      const history = await as('agent').request<{
        caller: string;
        calls: { callId: string }[];
        tickets: { ticketId: string; subject: string; status: string }[];
      }>('GET', '/api/calls/CA-w-2/caller');
      expect(validate('callerHistory', 200, history.body)).toEqual([]);
      expect(history.body.caller).toBe(CALLER);
      expect(history.body.calls.map((c) => c.callId)).toEqual(['CA-w-1']);
      expect(history.body.tickets).toEqual([
        { ticketId: 'T-w-1', subject: 'Refund for double charge', status: 'open', callId: 'CA-w-1' },
      ]);
    });
    expect(
      (await apiClient(test.url, tokens.get('other')).request('GET', '/api/calls/CA-w-2/caller')).status,
    ).toBe(404);
  });
});
