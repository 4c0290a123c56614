import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '@ccp/query-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT, DEMO_USERS } from '@ccp/infra';
import { documentErrors, operationsOf, type DocumentedOperation } from '../support/openapi.js';
import { apiClient } from '../support/platform.js';
import {
  as,
  demoCalls,
  document,
  eventually,
  startQueryPlatform,
  stopQueryPlatform,
  test,
  tokens,
  validate,
} from '../support/query-platform.js';
import { tomorrowAt } from '../support/read-side.js';
import { hooks, mails, receiver, startReportInboxes, stopReportInboxes } from '../support/report-inboxes.js';

// The OpenAPI document, saved and scheduled reports, and access: the role matrix and tenant isolation on every
// route. One file, so that access is checked with the demo tenant's reports saved and delivered.

/** The query API's clock: scheduled reports fall due when the test moves it. */
let clock: Date | undefined;

beforeAll(async () => {
  const smtpUrl = await startReportInboxes();
  await startQueryPlatform({
    now: () => clock ?? new Date(),
    email: { url: smtpUrl, from: 'reports@customercare.local' },
  });
}, 120_000);
afterAll(async () => {
  await stopQueryPlatform();
  await stopReportInboxes();
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
        expect.arrayContaining([PUBLIC_OPERATIONS.has(operation.operationId) ? 'anyone' : 'super_admin']),
      );
    }
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
        // Each delivery counted by its channel, as GET /metrics serves the platform's registry.
        const counted = await test.platform.metrics.getSingleMetric('ccp_deliveries_total')?.get();
        const delivered = (channel: string) =>
          (counted?.values ?? [])
            .filter((v) => v.labels['kind'] === 'report' && v.labels['channel'] === channel)
            .filter((v) => v.labels['outcome'] === 'delivered')
            .reduce((sum, v) => sum + v.value, 0);
        expect(delivered('email')).toBeGreaterThanOrEqual(1);
        expect(delivered('webhook')).toBeGreaterThanOrEqual(2);
      } finally {
        clock = undefined;
      }
    },
  );
});

/**
 * Operations anyone may call: a sign-in page's branding, and the calendar feeds, whose secret URL is the
 * credential (a calendar application cannot sign in).
 */
const PUBLIC_OPERATIONS: ReadonlySet<string> = new Set(['branding', 'calendarFeed']);

/** A concrete path for an operation, with a real id of the demo tenant where the path needs one. */
const concretePath = (operation: DocumentedOperation): string =>
  operation.path
    .replace('{callId}', 'CA-q-1')
    .replace('{reportId}', 'daily-volume')
    .replace('{kind}', 'volume')
    .replace('{campaignId}', 'spring-recall')
    .replace('{leadId}', 'lead-0000000000000001')
    .replace('{streamId}', `call-${DEMO_TENANT}.CA-q-1`)
    .replace('{appointmentId}', 'apt-unknown')
    .replace('{contactId}', 'ana-garcia')
    .replace('{invoiceId}', 'in_unknown')
    .replace('{connectionId}', 'no-connection')
    .replace('{deliveryId}', 'no-delivery')
    .replace('{erasureId}', 'er-unknown') + (QUERIES[operation.operationId] ?? '');

/** Query parameters an operation cannot go without. */
const QUERIES: Readonly<Record<string, string>> = {
  branding: '?domain=support.brightsmile.example',
  availability: `?serviceIds=checkup&from=${new Date(Date.now() + 86_400_000).toISOString()}&until=${new Date(Date.now() + 3 * 86_400_000).toISOString()}`,
};
/** Routes anyone may call (branding, calendar feeds): outside the tenant and role checks. */
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
  // Outbound campaigns: who runs them and who analyses them.
  campaigns: ['tenant_admin', 'supervisor', 'analyst'],
  // Appointments and the calendars they are booked on: whoever books them, and who analyses them.
  appointments: ['tenant_admin', 'supervisor', 'agent', 'analyst'],
  // GDPR erasures and retention: the tenant's admins and compliance officers.
  compliance: ['tenant_admin', 'compliance'],
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
  // GDPR erasures and retention runs with their certificates: whoever answers for the tenant's data.
  'GET /api/compliance/erasures': ONLY.compliance,
  'GET /api/compliance/erasures/{erasureId}': ONLY.compliance,
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
  'GET /api/campaigns': ONLY.campaigns,
  'GET /api/campaigns/{campaignId}': ONLY.campaigns,
  'GET /api/campaigns/{campaignId}/leads': ONLY.campaigns,
  'GET /api/campaigns/{campaignId}/leads/{leadId}': ONLY.campaigns,
  'GET /api/campaigns/{campaignId}/live': ONLY.campaigns,
  'GET /api/do-not-call': ONLY.campaigns,
  'GET /api/services': ONLY.appointments,
  'GET /api/resources': ONLY.appointments,
  'GET /api/schedule-settings': ONLY.appointments,
  'GET /api/appointments': ONLY.appointments,
  'GET /api/appointments/{appointmentId}': ONLY.appointments,
  'GET /api/availability': ONLY.appointments,
  // Contacts and messages are people and what was said to them: staff who deal with them only.
  'GET /api/contacts': ONLY.staff,
  'GET /api/contacts/{contactId}': ONLY.staff,
  'GET /api/messages': ONLY.staff,
  'GET /ical/{tenantId}/{scope}/{token}.ics': 'public',
  // What the platform charges the tenant: its administrators only (super admins see every tenant's).
  'GET /api/billing': ONLY.tenantAdmin,
  'GET /api/billing/invoices': ONLY.tenantAdmin,
  'GET /api/billing/invoices/{invoiceId}': ONLY.tenantAdmin,
  'GET /api/billing/invoices/{invoiceId}/pdf': ONLY.tenantAdmin,
  'POST /api/billing/portal-session': ONLY.tenantAdmin,
  'GET /api/admin/billing': ONLY.superAdmin,
  'GET /api/admin/billing/invoices': ONLY.superAdmin,
  // Connections to outside systems and their deliveries: whoever administers the tenant.
  'GET /api/integrations/connections': ONLY.tenantAdmin,
  'GET /api/integrations/connections/{connectionId}': ONLY.tenantAdmin,
  'GET /api/integrations/deliveries': ONLY.tenantAdmin,
  'GET /api/integrations/deliveries/{deliveryId}': ONLY.tenantAdmin,
};

/**
 * Reads a streamed or JSON body as text, giving up on endless streams after a moment. A POST (the billing portal
 * session) is sent with an empty JSON object.
 */
const bodyOf = async (
  path: string,
  token: string | undefined,
  method = 'get',
): Promise<{ status: number; text: string }> => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 1_500);
  const post = method === 'post';
  const response = await fetch(`${test.url}${path}`, {
    method: method.toUpperCase(),
    headers: {
      ...(token && { authorization: `Bearer ${token}` }),
      ...(post && { 'content-type': 'application/json' }),
    },
    ...(post && { body: '{}' }),
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
  // A ticket that names one of the demo calls, so that a leak through the tickets route shows a call id.
  beforeAll(async () => {
    const opened = await as('agent').command('OpenTicket', {
      tenantId: DEMO_TENANT,
      ticketId: 'T-access',
      subject: 'Refund for a double charge',
      description: 'Caller Ana Lopez, card ending 4242',
      priority: 'high',
      callId: 'CA-q-2',
    });
    expect(opened.status).toBe(200);
    await eventually(async () => {
      const listed = await as('supervisor').request<{ tickets: { ticketId: string }[] }>(
        'GET',
        '/api/tickets',
      );
      expect(listed.body.tickets.map((t) => t.ticketId)).toContain('T-access');
      // What the isolation check below looks for is in this tenant's own answer.
      expect(JSON.stringify(listed.body)).toContain('CA-q-2');
    });
  }, 30_000);

  it(
    'isolation: every route, called with another tenant’s credentials, gives none of this tenant’s data',
    { timeout: 60_000 },
    async () => {
      const other = tokens.get('other');
      for (const operation of operationsOf(document).filter((o) => !isPublic(o))) {
        const path = concretePath(operation);
        const { status, text } = await bodyOf(path, other, operation.method);
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
        const named = await bodyOf(
          `${path}${path.includes('?') ? '&' : '?'}tenantId=${DEMO_TENANT}`,
          other,
          operation.method,
        );
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
          expect(
            (await bodyOf(path, undefined, operation.method)).status,
            `${routeOf(operation)} unauthenticated`,
          ).not.toBe(401);
          continue;
        }
        // The served document tells the same matrix (super admins may call everything).
        expect([...operation['x-roles']].sort(), routeOf(operation)).toEqual(
          ['super_admin', ...expected].sort(),
        );
        expect(
          (await bodyOf(path, undefined, operation.method)).status,
          `${routeOf(operation)} unauthenticated`,
        ).toBe(401);
        for (const role of TENANT_ROLES) {
          const { status } = await bodyOf(path, tokens.get(role), operation.method);
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
