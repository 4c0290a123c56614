import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type Actor } from '@ccp/schemas';
import {
  commandRoutes,
  createCommandHandler,
  createSqliteEventStore,
  createSqliteSubjectKeys,
  errorBodies,
  withPersonalDataEncryption,
  type Auth,
  type Credential,
  type EventStore,
} from '@ccp/command-service';
import { connectionsApi } from './connections-api.js';
import { createLiveConnections } from './live-connections.js';

/*
 * The gateway's connection routes on a real command handler and encrypted SQLite log, behind the platform's
 * error bodies. Sign-in is not what is tested here: a stand-in of Auth knows two bearer tokens, a tenant admin
 * of acme and a super admin.
 */

const dir = mkdtempSync(join(tmpdir(), 'ccp-connections-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ACTORS: Record<string, Actor> = {
  admin: { kind: 'user', id: 'u-admin', role: 'tenant_admin', tenantId: 'acme' },
  super: { kind: 'user', id: 'u-super', role: 'super_admin' },
};
const standInAuth: Pick<Auth, 'authenticate' | 'planOf'> = {
  authenticate: (bearer) => {
    const actor = ACTORS[bearer];
    return Promise.resolve(actor && ({ actor, scopes: 'all' } satisfies Credential));
  },
  planOf: () => Promise.resolve('enterprise'),
};

let store: EventStore;
let server: Server | undefined;
let base = '';
let run = 0;

beforeEach(async () => {
  run += 1;
  const keys = createSqliteSubjectKeys(join(dir, `keys-${run}.db`), randomBytes(32));
  store = withPersonalDataEncryption(createSqliteEventStore({ path: ':memory:' }), keys);
  const handler = createCommandHandler({ store, routes: commandRoutes });
  await handler.handleTrusted(
    'CreateTenant',
    { tenantId: 'acme', name: 'Acme', planTier: 'enterprise' },
    { actor: SYSTEM_ACTOR },
  );
  const app = new Koa();
  app.use(errorBodies(() => undefined));
  app.use(
    connectionsApi({
      auth: standInAuth as Auth,
      handler,
      store,
      connections: createLiveConnections(store, keys),
      targets: new Map(),
      attemptTimeoutMs: 1_000,
    }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server?.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  await store.close();
});

const post = async (path: string, bearer: string, body: unknown) => {
  const response = await fetch(`${base}/api/integrations/connections${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const webhook = {
  name: 'Our endpoint',
  settings: { kind: 'webhook', url: 'https://hooks.example.com/ccp', eventTypes: ['*'] },
};

describe('connection routes', () => {
  it.each([
    ['a number', 5],
    ['an object', { id: 'acme' }],
    ['a malformed id', 'Not A Tenant!'],
  ])('answer 400 naming tenantId when it is %s, for any caller, changing nothing', async (_, tenantId) => {
    for (const bearer of ['admin', 'super'])
      for (const path of ['', '/c1/rotate', '/c1/test']) {
        const answer = await post(path, bearer, { ...webhook, tenantId });
        expect(answer).toMatchObject({ status: 400, body: { error: { field: 'tenantId' } } });
      }
    expect(await store.readStream('connection-acme.c1')).toEqual([]);
  });

  it('create a connection in the credential’s tenant, or the one a super admin names', async () => {
    const own = await post('', 'admin', { ...webhook, connectionId: 'c1' });
    expect(own).toMatchObject({ status: 201, body: { connectionId: 'c1' } });
    const named = await post('', 'super', { ...webhook, connectionId: 'c2', tenantId: 'acme' });
    expect(named).toMatchObject({ status: 201, body: { connectionId: 'c2' } });
    expect(await post('', 'admin', { ...webhook, tenantId: 'other' })).toMatchObject({ status: 403 });
  });
});
