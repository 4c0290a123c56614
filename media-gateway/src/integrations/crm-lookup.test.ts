import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type BusinessHours } from '@ccp/schemas';
import {
  commandRoutes,
  createCommandHandler,
  createSqliteEventStore,
  createSqliteSubjectKeys,
  outboundGuard,
  withPersonalDataEncryption,
  type EventStore,
} from '@ccp/command-service';
import { commandSenderFor } from '../command-sender.js';
import { runTool, type ToolCallContext } from '../conversation/tools.js';
import { createLiveDirectory } from '../directory/live-directory.js';
import { crmRecordFor } from './crm-lookup.js';
import { createLiveConnections, type LiveConnections } from './live-connections.js';
import { createTargets } from './targets/index.js';

/*
 * Looking a caller up in the tenant's CRM while a call runs, as the AI's lookup_caller_history tool does: a real
 * command handler and encrypted SQLite log (the HubSpot token sealed there, opened by the live connections
 * view), the registered targets, and a stand-in of HubSpot's CRM v3 search API on 127.0.0.1 that counts the
 * requests it gets and can be made to never answer.
 */

const dir = mkdtempSync(join(tmpdir(), 'ccp-crm-lookup-'));
const TOKEN = 'pat-na1-lookup-token';
const ANA = '+34600111222';

let crm: Server;
let crmUrl = '';
const crmRequests: { url: string; auth: string | undefined }[] = [];
/** The stand-in takes the request and never answers: only the lookup's own timeout can end it. */
let crmSilent = false;

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

beforeAll(async () => {
  crm = createServer((req, res) => {
    void readBody(req).then((body) => {
      crmRequests.push({ url: req.url ?? '', auth: req.headers.authorization });
      if (crmSilent) return;
      const answer = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      {
        if (req.headers.authorization !== `Bearer ${TOKEN}`)
          return answer(401, { category: 'INVALID_AUTHENTICATION' });
        if (req.url === '/crm/v3/objects/contacts/search') {
          const known = body.includes(ANA);
          return answer(200, {
            results: known
              ? [
                  {
                    id: '77',
                    properties: { firstname: 'Ana', lastname: 'Ruiz', company: 'Acme Dental', phone: ANA },
                  },
                ]
              : [],
          });
        }
        if (req.url === '/crm/v3/objects/calls/search')
          return answer(200, {
            results: [
              {
                id: '5',
                properties: { hs_call_title: 'Asked about whitening', hs_timestamp: '2026-12-01T10:00:00Z' },
              },
            ],
          });
        return answer(404, {});
      }
    });
  });
  await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
  crmUrl = `http://127.0.0.1:${(crm.address() as AddressInfo).port}`;
});
afterAll(async () => {
  crm.closeAllConnections();
  await new Promise<void>((resolve) => crm.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

let store: EventStore;
let handler: ReturnType<typeof createCommandHandler>;
let connections: LiveConnections;
let run = 0;
const logged: string[] = [];
let clock = Date.parse('2026-12-07T05:00:00Z');

const send = (type: string, data: Record<string, unknown>) =>
  handler.handleTrusted(type, { tenantId: 'acme', ...data }, { actor: SYSTEM_ACTOR });

const targets = () =>
  createTargets({
    fetch: outboundGuard({ allow: ['127.0.0.1/32'] }).fetch,
    apiUrls: { hubspot: crmUrl },
    commands: commandSenderFor(handler),
    consoleUrl: () => 'https://console.test',
    log: (m) => logged.push(m),
  });

const lookupWith = (options: { timeoutMs?: number } = {}) =>
  crmRecordFor({
    view: connections.view,
    catchUp: connections.catchUp,
    targets: targets(),
    log: (m) => logged.push(m),
    now: () => clock,
    ...options,
  });

beforeEach(async () => {
  run += 1;
  crmRequests.length = 0;
  logged.length = 0;
  crmSilent = false;
  const keys = createSqliteSubjectKeys(join(dir, `keys-${run}.db`), randomBytes(32));
  store = withPersonalDataEncryption(createSqliteEventStore({ path: ':memory:' }), keys);
  handler = createCommandHandler({ store, routes: commandRoutes });
  await send('CreateTenant', { name: 'Acme', planTier: 'starter' });
  await send('CreateConnection', {
    connectionId: 'hs',
    name: 'HubSpot',
    settings: { kind: 'hubspot' },
    secrets: { accessToken: TOKEN },
  });
  connections = createLiveConnections(store, keys);
});
afterEach(async () => {
  await store.close();
});

const HOURS: BusinessHours = { weekly: [] };
const callOf = (customer: string, callId: string): ToolCallContext => ({
  tenantId: 'acme',
  callId,
  customer,
  agentId: 'ag1',
  departmentId: undefined,
  language: 'en',
  timeZone: 'Europe/Madrid',
  afterHours: false,
  openingHours: HOURS,
  now: () => new Date(clock),
});

describe('caller lookup in the tenant’s CRM', () => {
  it('lookup_caller_history tells the model who the caller is in HubSpot; a second ask within 60 s asks HubSpot nothing', async () => {
    const live = createLiveDirectory(store);
    await live.catchUp();
    const deps = {
      commands: commandSenderFor(handler),
      directory: live.directory,
      searchKnowledge: () => [],
      humansAvailable: () => false,
      crmRecord: lookupWith(),
    };
    const first = await runTool(deps, callOf(ANA, 'CA1'), 't1', 'lookup_caller_history', {});
    expect(first.status).toBe('succeeded');
    expect(first.result['crm']).toEqual({
      system: 'hubspot',
      name: 'Ana Ruiz',
      company: 'Acme Dental',
      recent: [{ at: '2026-12-01T10:00:00Z', text: 'Asked about whitening' }],
    });
    // The token was sealed in the log and opened only to call out.
    expect(crmRequests.every((r) => r.auth === `Bearer ${TOKEN}`)).toBe(true);
    const asked = crmRequests.length;
    expect(asked).toBeGreaterThan(0);

    clock += 59_000;
    const second = await runTool(deps, callOf(ANA, 'CA2'), 't2', 'lookup_caller_history', {});
    expect(second.result['crm']).toEqual(first.result['crm']);
    expect(crmRequests).toHaveLength(asked);

    clock += 2_000;
    await runTool(deps, callOf(ANA, 'CA3'), 't3', 'lookup_caller_history', {});
    expect(crmRequests.length).toBeGreaterThan(asked);
  });

  it('a caller the CRM does not know gets no crm field; a SIP address is not looked up', async () => {
    const live = createLiveDirectory(store);
    await live.catchUp();
    const deps = {
      commands: commandSenderFor(handler),
      directory: live.directory,
      searchKnowledge: () => [],
      humansAvailable: () => false,
      crmRecord: lookupWith(),
    };
    const unknown = await runTool(deps, callOf('+15550009999', 'CA1'), 't1', 'lookup_caller_history', {});
    expect(unknown.status).toBe('succeeded');
    expect(unknown.result).not.toHaveProperty('crm');
    crmRequests.length = 0;
    await runTool(deps, callOf('sip:ana@example.com', 'CA2'), 't2', 'lookup_caller_history', {});
    expect(crmRequests).toHaveLength(0);
  });

  it('a CRM that never answers is given up after the timeout: no record, one log line without the number, asked again next time', async () => {
    crmSilent = true;
    // Without the lookup's own timeout this never resolves (the test's timeout would fail it).
    const lookup = lookupWith({ timeoutMs: 100 });
    expect(await lookup('acme', ANA)).toBeUndefined();
    expect(crmRequests).toHaveLength(1);
    expect(logged).toEqual(['crm lookup hubspot acme/hs: no answer in 100 ms']);
    expect(logged[0]).not.toContain(ANA);
    crmSilent = false;
    expect((await lookup('acme', ANA))?.name).toBe('Ana Ruiz');
  });

  it('asks again when the connection changes, and not at all once it is disabled', async () => {
    const lookup = lookupWith();
    await lookup('acme', ANA);
    const asked = crmRequests.length;
    await send('UpdateConnection', { connectionId: 'hs', name: 'HubSpot (sales)' });
    await lookup('acme', ANA);
    expect(crmRequests.length).toBeGreaterThan(asked);
    await send('DisableConnection', { connectionId: 'hs' });
    crmRequests.length = 0;
    expect(await lookup('acme', ANA)).toBeUndefined();
    expect(crmRequests).toHaveLength(0);
  });

  it('a refused token is no record and a log line with the status, not the CRM’s text', async () => {
    await send('RotateConnectionSecrets', {
      connectionId: 'hs',
      secrets: { accessToken: 'pat-na1-revoked-token' },
    });
    expect(await lookupWith()('acme', ANA)).toBeUndefined();
    expect(logged).toEqual(['crm lookup hubspot acme/hs: auth_failed (401)']);
  });
});
