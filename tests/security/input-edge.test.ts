import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '@ccp/command-service';
import { DEMO_TENANT, DEMO_USERS, seedDemo } from '@ccp/infra';
import { mediaGatewayModule } from '@ccp/media-gateway';
import { apiClient, login, startTestPlatform, type TestPlatform } from '../support/platform.js';

/*
 * Issue 11, item 12: input is checked where it enters. A string that is not well-formed UTF-16 (a lone
 * surrogate, which JSON's \ud800 escape can carry) is refused with a 400 naming the field before it reaches
 * the hash chain's canonical JSON; every string refuses control characters (NUL, escapes and the other C0 codes, DEL) but
 * tabs and line breaks.
 */

let test: TestPlatform;
let admin: ReturnType<typeof apiClient>;

/** The global position of the log's last event: unchanged means nothing was stored. */
export const lastPosition = async (store: EventStore): Promise<number> => {
  let after = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1000 });
    const last = page[page.length - 1];
    if (!last) return after;
    after = last.position;
  }
};

beforeAll(async () => {
  test = await startTestPlatform(undefined, {
    modules: (config) => [mediaGatewayModule(config.mediaGateway)],
  });
  await seedDemo(test.platform, 'demo-password-1');
  const email = DEMO_USERS.find((u) => u.role === 'tenant_admin')?.email ?? '';
  admin = apiClient(test.url, await login(test.url, email, 'demo-password-1'));
});
afterAll(async () => {
  await test.stop();
});

interface ErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string; readonly field?: string };
}

/** Sends the JSON text as it is: `\ud800` stays an escape in the body, as a client would send it. */
const raw = (method: string, path: string, json: string) =>
  admin.request<ErrorBody>(method, path, json, { 'content-type': 'application/json' });

const expectRefused = (
  response: { status: number; body: ErrorBody },
  field: string,
  code = 'VALIDATION_FAILED',
) => {
  expect({
    status: response.status,
    code: response.body.error?.code,
    field: response.body.error?.field,
  }).toEqual({ status: 400, code, field });
  expect(response.body.error?.message).toEqual(expect.any(String));
};

describe('lone surrogates at the edge', () => {
  it('a command with \\ud800 in a name is a 400 naming the field, and stores nothing', async () => {
    const before = await lastPosition(test.platform.store);
    expectRefused(
      await raw(
        'POST',
        '/api/commands/CreateDepartment',
        `{"tenantId":"${DEMO_TENANT}","departmentId":"edge-1","name":"Support \\ud800"}`,
      ),
      'name',
    );
    expectRefused(
      await raw(
        'POST',
        '/api/commands/OpenTicket',
        `{"tenantId":"${DEMO_TENANT}","ticketId":"edge-t1","subject":"Hi","description":"x",` +
          `"customer":{"name":"\\udc00 Ann"}}`,
      ),
      'customer.name',
    );
    // A trailing high surrogate, and a low one before its high one: neither is a pair.
    expectRefused(
      await raw(
        'POST',
        '/api/commands/OpenTicket',
        `{"tenantId":"${DEMO_TENANT}","ticketId":"edge-t2","subject":"Hi","description":"end \\udc00\\ud800"}`,
      ),
      'description',
    );
    expect(await lastPosition(test.platform.store)).toBe(before);
  });

  it('a lone surrogate in a key is refused too, and a real pair is accepted', async () => {
    const before = await lastPosition(test.platform.store);
    const refused = await raw(
      'POST',
      '/api/commands/CreateDepartment',
      `{"tenantId":"${DEMO_TENANT}","departmentId":"edge-2","name":"Support","\\ud800":1}`,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error?.code).toBe('VALIDATION_FAILED');
    expect(await lastPosition(test.platform.store)).toBe(before);
    const paired = await raw(
      'POST',
      '/api/commands/CreateDepartment',
      `{"tenantId":"${DEMO_TENANT}","departmentId":"edge-3","name":"Support \\ud83d\\ude00"}`,
    );
    expect(paired.status).toBe(200);
  });

  it('the call-control API refuses them with the same error', async () => {
    expectRefused(
      await raw(
        'PUT',
        '/api/presence',
        `{"tenantId":"${DEMO_TENANT}","available":true,"departmentIds":["\\ud800"]}`,
      ),
      'departmentIds.0',
    );
    expectRefused(
      await raw(
        'POST',
        '/api/calls/outbound',
        `{"tenantId":"${DEMO_TENANT}","agentId":"receptionist","to":"+15551234567","note":"\\ud800"}`,
      ),
      'note',
    );
  });

  it('sign-in refuses them with a 400, not a 500', async () => {
    const response = await apiClient(test.url).request<ErrorBody>(
      'POST',
      '/api/auth/login',
      '{"email":"admin@demo.example","password":"pass\\ud800word"}',
      { 'content-type': 'application/json' },
    );
    expectRefused(response, 'password');
  });
});

describe('control characters', () => {
  it('names and ids refuse NUL and other C0 codes', async () => {
    const before = await lastPosition(test.platform.store);
    expectRefused(
      await admin.command('CreateDepartment', {
        tenantId: DEMO_TENANT,
        departmentId: 'edge-4',
        name: 'Sup\u0000port',
      }),
      'name',
    );
    expectRefused(
      await admin.command('CreateDepartment', {
        tenantId: DEMO_TENANT,
        departmentId: 'edge-4',
        name: 'Bell\u0007',
      }),
      'name',
    );
    expectRefused(
      await admin.command('CreateDepartment', {
        tenantId: DEMO_TENANT,
        departmentId: 'edge\u00004',
        name: 'x',
      }),
      'departmentId',
    );
    expectRefused(
      await admin.command('OpenTicket', {
        tenantId: DEMO_TENANT,
        ticketId: 'edge-t3',
        subject: 'Paid \u001b[32min full',
        description: 'x',
      }),
      'subject',
    );
    expectRefused(
      await admin.command('OpenTicket', {
        tenantId: DEMO_TENANT,
        ticketId: 'edge-t3',
        subject: 'Hi',
        description: 'nul \u0000 inside',
      }),
      'description',
    );
    expect(await lastPosition(test.platform.store)).toBe(before);
  });

  it('longer text keeps tabs and line breaks', async () => {
    const response = await admin.command('OpenTicket', {
      tenantId: DEMO_TENANT,
      ticketId: 'edge-t4',
      subject: 'Invoice question',
      description: 'First line\r\nSecond line\tindented',
    });
    expect(response.status).toBe(200);
  });
});
