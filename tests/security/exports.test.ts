import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventDefinitions, PERSONAL_FIELDS, WITHHELD_FIELDS } from '@ccp/schemas';
import { DEMO_TENANT, DEMO_USERS } from '@ccp/infra';
import { renderReport } from '@ccp/query-api';
import { apiClient, login, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';
import { DEMO_PASSWORD, startReadSidePlatform } from '../support/read-side.js';

/*
 * Issue 11, items 14c and 14d: a CSV export never hands a spreadsheet a formula (csv-stringify's
 * escape_formulas: a cell starting with =, +, -, @, tab or CR gets a leading quote), and the audit trail and its
 * export never show a secret's hash (API keys) nor any other hash of the event data.
 */

const FORMULAS = ['=HYPERLINK("http://evil.example","x")', '+1+2', '-2+3', '@SUM(A1)', '\tTAB', '\rCR'];
const SHA256_HEX = /[0-9a-f]{64}/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let test: TestPlatform;
let admin: ReturnType<typeof apiClient>;
/** Calls are the media gateway's to record; the super admin stands in for it. */
let gateway: ReturnType<typeof apiClient>;
let text: (path: string) => Promise<{ status: number; body: string }>;

beforeAll(async () => {
  test = await startReadSidePlatform();
  const email = DEMO_USERS.find((u) => u.role === 'tenant_admin')?.email ?? '';
  const token = await login(test.url, email, DEMO_PASSWORD);
  admin = apiClient(test.url, token);
  gateway = apiClient(test.url, await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  text = async (path) => {
    const response = await fetch(test.url + path, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: await response.text() };
  };
});
afterAll(async () => {
  await test.stop();
});

/** Retries until the read side caught up with what the check looks for. */
const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
  let value = await read();
  for (let i = 0; i < 100 && !done(value); i++) {
    await sleep(100);
    value = await read();
  }
  return value;
};

describe('CSV exports neutralise formulas', () => {
  it('a queue named like a formula comes out of calls.csv as text', async () => {
    const names = FORMULAS.slice(0, 4);
    for (const [n, queue] of names.entries()) {
      const callId = `CA-formula-${n}`;
      const send = async (type: string, data: Record<string, unknown>) => {
        const response = await gateway.command(type, { tenantId: DEMO_TENANT, callId, ...data });
        expect(response.status, `${type}: ${JSON.stringify(response.body)}`).toBe(200);
      };
      await send('StartCall', {
        direction: 'inbound',
        from: '+15550001111',
        to: '+15550100001',
        provider: 'simulator',
        agentId: 'sofia',
      });
      await send('RequestEscalation', { reason: 'caller_request', summary: 'Wants a person.' });
      await send('QueueCall', { departmentId: 'reception', queue });
    }
    const queuesIn = (body: string): (string | undefined)[] =>
      (parse(body, { columns: true }) as Record<string, string>[])
        .filter((r) => r['callId']?.startsWith('CA-formula-'))
        .map((r) => r['queue']);
    // Every call's row with its queue: a row can be projected from CallStarted before its QueueCall.
    const csv = await eventually(
      () => text('/api/exports/calls.csv'),
      (r) => r.status === 200 && queuesIn(r.body).filter((q) => q !== '').length === names.length,
    );
    expect(csv.status).toBe(200);
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    const queues = queuesIn(csv.body);
    expect(queues.sort()).toEqual(names.map((name) => `'${name}`).sort());
    // No cell of the file starts a formula, the caller's number included.
    for (const row of rows) {
      for (const cell of Object.values(row)) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('report files (CSV) neutralise every formula start, tab and CR included', async () => {
    const file = await renderReport(
      {
        reportName: 'agents',
        tenantName: 'Bright Smile Dental',
        timeZone: 'UTC',
        generatedAt: new Date('2026-01-05T10:00:00Z'),
        range: { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-05T00:00:00Z') },
        table: { title: 'Agents', columns: ['agent', 'calls'], rows: FORMULAS.map((name, n) => [name, n]) },
      },
      'csv',
    );
    const rows = parse(file.body.toString(), { columns: true, relax_quotes: true }) as Record<
      string,
      string
    >[];
    expect(rows.map((r) => r['agent'])).toEqual(FORMULAS.map((name) => `'${name}`));
  });
});

describe('the audit trail shows no secret hashes', () => {
  it('lists every hash field of every event as withheld', () => {
    const hashLike = /hash|secret|password/i;
    const found = eventDefinitions.flatMap((definition) => {
      const shape = (definition.data as unknown as { shape?: Record<string, unknown> }).shape ?? {};
      return Object.keys(shape)
        .filter((field) => hashLike.test(field))
        .filter((field) => !(PERSONAL_FIELDS[definition.type] ?? []).includes(field))
        .filter((field) => !(WITHHELD_FIELDS[definition.type] ?? []).includes(field))
        .map((field) => `${definition.type}.${field}`);
    });
    expect(found).toEqual([]);
  });

  it('an API key issued and rotated, a member invited and an idempotent command leave no hash in the audit trail or its export', async () => {
    const issued = await admin.request<{ keyId: string; key: string }>('POST', '/api/api-keys', {
      tenantId: DEMO_TENANT,
      name: 'Exports test',
      role: 'analyst',
    });
    expect(issued.status).toBe(201);
    const rotated = await admin.request('POST', `/api/api-keys/${issued.body.keyId}/rotate`, {
      tenantId: DEMO_TENANT,
    });
    expect(rotated.status).toBe(200);
    const idempotent = await admin.command(
      'CreateDepartment',
      { tenantId: DEMO_TENANT, departmentId: 'exports-test', name: 'Exports' },
      { 'idempotency-key': 'exports-test-1' },
    );
    expect(idempotent.status).toBe(200);

    // The key's own hashes, before and after rotation, as the identity store keeps them.
    const keyHashes = test.platform.identities
      .apiKeys(DEMO_TENANT)
      .filter((k) => k.keyId === issued.body.keyId)
      .map((k) => k.keyHash);
    expect(keyHashes).toHaveLength(1);

    const types = ['ApiKeyIssued', 'ApiKeyRotated', 'MemberInvited', 'LoginClaimed', 'CommandAccepted'];
    for (const type of types) {
      const audit = await eventually(
        () =>
          admin.request<{ items: { data: Record<string, unknown> }[] }>(
            'GET',
            `/api/audit/events?type=${type}`,
          ),
        (r) => r.status === 200 && r.body.items.length > 0,
      );
      expect(audit.body.items.length, type).toBeGreaterThan(0);
      // Stream ids are the streams' names (a login claim is named by its email hash): only the data is checked.
      expect(JSON.stringify(audit.body.items.map((item) => item.data)), type).not.toMatch(SHA256_HEX);
      const csv = await text(`/api/exports/audit.csv?type=${type}`);
      expect(csv.status).toBe(200);
      const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
      expect(rows.length, type).toBeGreaterThan(0);
      for (const row of rows) expect(row['data'], type).not.toMatch(SHA256_HEX);
      for (const hash of keyHashes) expect(csv.body + JSON.stringify(audit.body)).not.toContain(hash);
    }
  });
});
