import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, ERASED } from '@ccp/schemas';
import {
  campaignDecider,
  isPending,
  leadOf,
  subjectOf,
  verifyStreamChain,
  type CampaignEvent,
  type CampaignState,
} from '@ccp/command-service';
import { complianceModule, twilioRecordingDeleter, type ComplianceModule } from '@ccp/media-gateway';
import { queryApiModule } from '@ccp/query-api';
import { createProcessors, personalDataDecryptor } from '@ccp/stream-processors';
import {
  configFromEnv,
  DEMO_TENANT,
  DEMO_USERS,
  enginesOf,
  erasedSubjectsInLog,
  seedDemo,
  streamProcessing,
  type StreamProcessing,
} from '@ccp/infra';
import { recordCall } from '../support/calls.js';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';
import { eventually } from '../support/query-platform.js';
import { DEMO_PASSWORD } from '../support/read-side.js';

/*
 * GDPR erasure of a data subject on the real platform (issue 18): calls recorded from Maria's number, her
 * contact, her lead in a campaign beside another person's, and a recording held by "Twilio"; a compliance
 * officer erases her; nothing of her is left in any
 * projection, the query API, the event store's decrypted view, what the bus and Kafka consumers read, or the
 * provider, and a restore's ledger re-erases her keys.
 */

const MARIA = '+15550001111'; // recordCall's caller
const OTHER = '+15550002222';
const GLOBEX = 'globex';
/** Made through the demo tenant's own Twilio account (its `twilio` connection). */
const RECORDING = `RE${'a'.repeat(32)}`;
/** Made through the platform's account, before the tenant connected its own. */
const OLDER_RECORDING = `RE${'c'.repeat(32)}`;
const ACCOUNT = { accountSid: `AC${'1'.repeat(32)}`, authToken: 'stand-in-token-0123456789abcdef' };
const OWN_ACCOUNT = { accountSid: `AC${'2'.repeat(32)}`, authToken: 'tenant-own-token-0123456789abcd' };
const SAID = 'I would like to book a cleaning next Tuesday';
const CAMPAIGN = 'recall';
/** What the tenant's lead file said about her, and the name of the other lead, who stays. */
const HER_NOTE = 'crown fitted in March';
const OLGA = 'Olga Other';
/** A person the tenant holds only as a lead: no call, no contact. */
const LENA = '+15550004444';

/**
 * A stand-in of Twilio's REST API for one resource (api.twilio.com cannot be reached from here), following its
 * documented wire format: DELETE /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json, with the account's
 * basic auth, answers 204 and the recording is gone; a recording the account does not hold answers 404 with
 * Twilio's error body (code 20404). Two accounts: the platform's and the demo tenant's own.
 */
const twilioStandIn = async () => {
  const held = new Map([
    [OWN_ACCOUNT.accountSid, new Set([RECORDING])],
    [ACCOUNT.accountSid, new Set([OLDER_RECORDING])],
  ]);
  const tokenOf = new Map([OWN_ACCOUNT, ACCOUNT].map((a) => [a.accountSid, a.authToken]));
  const deletes: string[] = [];
  const server: Server = createServer((request, response) => {
    const match = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Recordings\/(RE[0-9a-f]{32})\.json$/.exec(
      request.url ?? '',
    );
    const sid = match?.[1] ?? '';
    const auth = `Basic ${Buffer.from(`${sid}:${tokenOf.get(sid) ?? ''}`).toString('base64')}`;
    response.setHeader('content-type', 'application/json');
    if (!tokenOf.has(sid) || request.headers.authorization !== auth) {
      response.writeHead(401).end(JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }));
      return;
    }
    if (request.method !== 'DELETE' || !match?.[2]) {
      response
        .writeHead(405)
        .end(JSON.stringify({ code: 20004, message: 'Method not allowed', status: 405 }));
      return;
    }
    deletes.push(`${sid}/${match[2]}`);
    if (held.get(sid)?.delete(match[2]) !== true) {
      response.writeHead(404).end(
        JSON.stringify({
          code: 20404,
          message: `The requested resource ${request.url} was not found`,
          more_info: 'https://www.twilio.com/docs/errors/20404',
          status: 404,
        }),
      );
      return;
    }
    response.writeHead(204).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    deletes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

let test: TestPlatform;
let processing: StreamProcessing;
let compliance: ComplianceModule;
let twilio: Awaited<ReturnType<typeof twilioStandIn>>;
const tokens = new Map<string, string>();
const as = (role: string) => apiClient(test.url, tokens.get(role));

const send = async (type: string, data: Record<string, unknown>) => {
  const response = await as('super_admin').command(type, data);
  if (response.status !== 200) throw new Error(`${type} failed: ${JSON.stringify(response.body)}`);
};

/** What the tenant's streams hold, as the platform (and the embedded bus) reads them, as one text. */
const decryptedLog = async (tenantId: string): Promise<string> =>
  JSON.stringify(
    (await test.platform.store.readAll())
      .filter((e) => e.streamId.includes(`-${tenantId}.`))
      .map((e) => e.data),
  );

beforeAll(async () => {
  twilio = await twilioStandIn();
  processing = streamProcessing(createProcessors());
  // The platform's own Twilio account, at the stand-in: the compliance module deletes recordings through it and
  // through the tenants' own accounts (the media gateway, which would answer calls with it, does not run here).
  compliance = complianceModule(() => processing.readStore());
  test = await startTestPlatform(undefined, {
    processing,
    env: {
      TWILIO_ACCOUNT_SID: ACCOUNT.accountSid,
      TWILIO_AUTH_TOKEN: ACCOUNT.authToken,
      TWILIO_API_URL: twilio.url,
    },
    modules: () => [
      queryApiModule(() => processing.readStore(), verifyStreamChain, {
        engines: enginesOf(configFromEnv({})),
      }),
      compliance,
    ],
  });
  await seedDemo(test.platform, DEMO_PASSWORD);
  tokens.set('super_admin', await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  for (const user of DEMO_USERS) tokens.set(user.role, await login(test.url, user.email, DEMO_PASSWORD));
  await send('CreateTenant', { tenantId: GLOBEX, name: 'Globex', planTier: 'professional' });
  await send('InviteMember', {
    tenantId: GLOBEX,
    userId: 'globex-admin',
    email: 'admin@globex.example',
    name: 'Gia Globex',
    role: 'tenant_admin',
  });
  await as('super_admin').request('PUT', '/api/members/globex-admin/password', {
    password: 'globex-password-1',
  });
  tokens.set('other', await login(test.url, 'admin@globex.example', 'globex-password-1'));

  const root = as('super_admin');
  await recordCall(root, DEMO_TENANT, 'CA-g-1', [SAID]);
  await recordCall(root, DEMO_TENANT, 'CA-g-2', ['My name is Maria Lopez']);
  await recordCall(root, GLOBEX, 'CA-g-9', ['Maria at Globex']);
  await send('StartCall', {
    tenantId: DEMO_TENANT,
    callId: 'CA-g-3',
    direction: 'inbound',
    from: OTHER,
    to: '+15550100001',
    provider: 'simulator',
    agentId: 'sofia',
  });
  await send('EndCall', { tenantId: DEMO_TENANT, callId: 'CA-g-3', outcome: 'resolved' });
  await send('MarkRecordingAvailable', {
    tenantId: DEMO_TENANT,
    callId: 'CA-g-1',
    recordingId: RECORDING,
    url: `https://api.twilio.com/2010-04-01/Accounts/${OWN_ACCOUNT.accountSid}/Recordings/${RECORDING}`,
    durationSeconds: 42,
  });
  await send('MarkRecordingAvailable', {
    tenantId: DEMO_TENANT,
    callId: 'CA-g-2',
    recordingId: OLDER_RECORDING,
    url: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT.accountSid}/Recordings/${OLDER_RECORDING}`,
    durationSeconds: 7,
  });
  await send('CreateConnection', {
    tenantId: DEMO_TENANT,
    connectionId: 'own-twilio',
    name: 'Our Twilio account',
    settings: { kind: 'twilio', accountSid: OWN_ACCOUNT.accountSid },
    secrets: { authToken: OWN_ACCOUNT.authToken },
  });
  await send('CreateContact', {
    tenantId: DEMO_TENANT,
    contactId: 'maria',
    name: 'Maria Lopez',
    phones: [MARIA],
    emails: ['maria.lopez@example.com'],
  });
  await send('CreateCampaign', {
    tenantId: DEMO_TENANT,
    campaignId: CAMPAIGN,
    name: 'Recall',
    agentId: 'sofia',
    callerIds: ['+15550100001'],
    // Next year: the campaign is never dialled here, its decider's state is what the test reads.
    startDate: `${new Date().getUTCFullYear() + 1}-01-05`,
    timeZone: 'America/New_York',
    windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: 540, end: 1020 }],
    holidays: [],
    retry: DEFAULT_RETRY_POLICY,
    pacing: { maxConcurrentCalls: 2, callsPerSecond: 1, inboundReserve: 0 },
    voicemail: { action: 'hang_up' },
  });
  await send('StageLeads', {
    tenantId: DEMO_TENANT,
    campaignId: CAMPAIGN,
    importId: 'imp-1',
    chunk: 0,
    leads: [
      { leadId: 'l-maria', phone: MARIA, name: 'Maria Lopez', timeZones: [], variables: { note: HER_NOTE } },
      { leadId: 'l-olga', phone: OTHER, name: OLGA, timeZones: [], variables: {} },
      { leadId: 'l-lena', phone: LENA, name: 'Lena Lead', timeZones: [], variables: {} },
    ],
  });
  await send('CommitLeadImport', {
    tenantId: DEMO_TENANT,
    campaignId: CAMPAIGN,
    importId: 'imp-1',
    chunks: 1,
    rows: 3,
    skippedDoNotCall: 0,
    source: 'csv',
  });
  await eventually(async () => {
    const leads = await processing
      .readStore()
      .query("SELECT lead_id FROM campaign_leads FINAL WHERE tenant_id = 'demo' AND campaign_id = 'recall'");
    expect(leads).toHaveLength(3);
    const calls = await as('tenant_admin').request<{ items: { callId: string; hasRecording: boolean }[] }>(
      'GET',
      '/api/calls?limit=100',
    );
    expect(calls.body.items.map((c) => c.callId).sort()).toEqual(['CA-g-1', 'CA-g-2', 'CA-g-3']);
    expect(calls.body.items.find((c) => c.callId === 'CA-g-1')?.hasRecording).toBe(true);
    const [contact] = await processing
      .readStore()
      .query("SELECT contact_id FROM contacts FINAL WHERE tenant_id = 'demo' AND contact_id = 'maria'");
    expect(contact).toBeDefined();
  }, 60_000);
}, 180_000);

afterAll(async () => {
  await test?.stop();
  await twilio?.close();
});

/** The read store's tables holding Maria's number, words or name in a row of `tenantId`. */
const tablesHoldingHer = async (tenantId: string): Promise<string[]> => {
  const store = processing.readStore();
  // Every table of the read side leads with tenant_id (the migrations' own bookkeeping holds no tenant data).
  const tables = await store.query<{ table: string }>(
    `SELECT DISTINCT table FROM system.columns WHERE database = currentDatabase() AND name = 'tenant_id'`,
  );
  const holding: string[] = [];
  for (const { table } of tables) {
    const [row] = await store.query<{ n: string }>(
      `SELECT toString(count()) AS n FROM ${table} AS t
        WHERE tenant_id = {tenantId:String}
          AND (positionCaseInsensitive(toJSONString(tuple(t.*)), {number:String}) > 0
               OR positionCaseInsensitive(toJSONString(tuple(t.*)), {words:String}) > 0
               OR positionCaseInsensitive(toJSONString(tuple(t.*)), 'Maria Lopez') > 0)`,
      { tenantId, number: MARIA, words: SAID },
    );
    if (row?.n !== '0') holding.push(table);
  }
  return holding.sort();
};

type Folded = { state: CampaignState; revision: number };

/**
 * The campaign as its decider folds it from the event store: which leads are there to dial. Given a fold made
 * earlier, only the events since are folded in, as the command handler's cache and the dialer's views do.
 */
const campaignLeads = async (from: Folded = { state: campaignDecider.initialState(), revision: -1 }) => {
  let { state, revision } = from;
  const stream = `campaign-${DEMO_TENANT}.${CAMPAIGN}`;
  for (const event of await test.platform.store.readStream(stream, { fromRevision: revision + 1 })) {
    state = campaignDecider.evolve(state, { type: event.type, data: event.data } as CampaignEvent);
    revision = event.revision;
  }
  const settings = state.settings;
  const dialable = (leadId: string) => {
    const entry = leadOf(state, leadId);
    return entry !== undefined && settings !== undefined && isPending(entry, settings);
  };
  return {
    maria: dialable('l-maria'),
    olga: dialable('l-olga'),
    olgaLead: leadOf(state, 'l-olga')?.lead,
    folded: { state, revision },
  };
};

const erasureEvents = async () =>
  (await test.platform.store.readAll()).filter((e) => e.streamId.startsWith('erasure-')).length;

describe('erasing a data subject', () => {
  it('refuses bad input with a clear error and changes nothing', async () => {
    const body = { subject: { kind: 'phone', value: MARIA } };
    const refused = [
      [await as('agent').request('POST', '/api/compliance/erasures', body), 403, 'FORBIDDEN_ROLE'],
      [
        await as('viewer').command('EraseDataSubject', { tenantId: DEMO_TENANT, erasureId: 'er-x', ...body }),
        403,
        'FORBIDDEN_ROLE',
      ],
      [
        await as('other').request('POST', '/api/compliance/erasures', { ...body, tenantId: DEMO_TENANT }),
        403,
        'FORBIDDEN_TENANT',
      ],
      [
        await as('other').command('EraseDataSubject', { tenantId: DEMO_TENANT, erasureId: 'er-x', ...body }),
        403,
        'FORBIDDEN_TENANT',
      ],
      [
        await as('compliance').request('POST', '/api/compliance/erasures', {
          subject: { kind: 'phone', value: '555' },
        }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        await as('compliance').request('POST', '/api/compliance/erasures', {
          subject: { kind: 'email', value: 'nobody@example.com' },
        }),
        404,
        'SUBJECT_NOT_FOUND',
      ],
    ] as const;
    for (const [response, status, code] of refused) {
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      expect((response.body as { error?: { code?: string } }).error?.code).toBe(code);
    }
    expect(await erasureEvents()).toBe(0);
    expect(twilio.deletes).toEqual([]);
  });

  it('exports everything held about her, once recorded in the audit trail', async () => {
    const body = { subject: { kind: 'phone', value: MARIA }, exportId: 'sar-maria' };
    const refused = await as('supervisor').request('POST', '/api/compliance/exports', body);
    expect(refused.status).toBe(403);
    const exported = await as('compliance').request<{
      identifiers: { emails: string[] };
      recordings: string[];
      streams: { streamId: string; events: { type: string; data: Record<string, unknown> }[] }[];
      rows: Record<string, Record<string, unknown>[]>;
    }>('POST', '/api/compliance/exports', body);
    expect(exported.status, JSON.stringify(exported.body)).toBe(200);
    expect(exported.headers.get('content-disposition')).toContain('sar-maria.json');
    const { streams, rows } = exported.body;
    expect(streams.map((s) => s.streamId).sort()).toEqual([
      'call-demo.CA-g-1',
      'call-demo.CA-g-2',
      'contact-demo.maria',
    ]);
    // Her events as the platform reads them: decrypted.
    const started = streams
      .find((s) => s.streamId === 'call-demo.CA-g-1')
      ?.events.find((e) => e.type === 'CallStarted');
    expect(started?.data['from']).toBe(MARIA);
    expect(JSON.stringify(streams)).toContain(SAID);
    expect(exported.body.identifiers.emails).toEqual(['maria.lopez@example.com']);
    expect([...exported.body.recordings].sort()).toEqual([RECORDING, OLDER_RECORDING].sort());
    expect(rows['calls']?.map((r) => r['call_id']).sort()).toEqual(['CA-g-1', 'CA-g-2']);
    expect(rows['contacts']?.map((r) => r['name'])).toEqual(['Maria Lopez']);
    expect(JSON.stringify(exported.body)).not.toContain('CA-g-3');
    expect(JSON.stringify(exported.body)).not.toContain('CA-g-9');
    const audit = await as('compliance').request<{ items: { type: string; actor: { id: string } }[] }>(
      'GET',
      '/api/audit/events?streamId=subjectaccess-demo.sar-maria',
    );
    expect(audit.body.items.map((e) => [e.type, e.actor.id])).toEqual([
      ['SubjectAccessExported', 'demo-compliance'],
    ]);
  });

  it("erases her from every projection, the query API, the decrypted log, the bus's view and Twilio", async () => {
    // Before: her words and number are read back everywhere.
    expect(await decryptedLog(DEMO_TENANT)).toContain(MARIA);
    expect(await tablesHoldingHer(DEMO_TENANT)).toEqual([
      'calls',
      'campaign_leads',
      'contact_phones',
      'contacts',
      'utterances',
    ]);
    const before = await campaignLeads();
    expect(before).toMatchObject({ maria: true, olga: true });
    expect(await tablesHoldingHer(GLOBEX)).toEqual(['calls']);
    const raw = await test.platform.rawStore.readAll();
    // What the relay puts on the Kafka topics is the stored form: sealed, before the erasure as after it.
    expect(JSON.stringify(raw.map((e) => e.data))).not.toContain(MARIA);

    const erased = await as('compliance').request<{ erasureId: string; streams: number }>(
      'POST',
      '/api/compliance/erasures',
      { subject: { kind: 'phone', value: MARIA }, erasureId: 'er-maria' },
    );
    expect(erased.status, JSON.stringify(erased.body)).toBe(202);
    expect(erased.body).toMatchObject({ erasureId: 'er-maria', streams: 3 });
    // Her export's record names her too: it goes with the rest.
    let certificate: Record<string, unknown> = {};
    await eventually(async () => {
      const read = await as('tenant_admin').request<{ status: string; certificate: Record<string, unknown> }>(
        'GET',
        '/api/compliance/erasures/er-maria',
      );
      expect(read.status).toBe(200);
      expect(read.body.status).toBe('erased');
      certificate = read.body.certificate;
    }, 30_000);
    await compliance.erasures()?.caughtUp();
    expect(certificate).toMatchObject({
      streams: expect.arrayContaining([
        'call-demo.CA-g-1',
        'call-demo.CA-g-2',
        'contact-demo.maria',
        'subjectaccess-demo.sar-maria',
      ]) as unknown,
      // Her lead's own key, named by a pseudonym of her number within the campaign, never the number.
      counts: { call: 2, contact: 1, subjectaccess: 1, lead: 1 },
      keysErased: 5,
      rows: { calls: 2, utterances: 4, contacts: 1, contact_phones: 1, campaign_leads: 1 },
      recordings: expect.arrayContaining([
        { recordingId: RECORDING, outcome: 'deleted' },
        { recordingId: OLDER_RECORDING, outcome: 'deleted' },
      ]) as unknown,
      requestedBy: { kind: 'user', id: 'demo-compliance', role: 'compliance' },
    });
    expect(JSON.stringify(certificate)).not.toContain(MARIA);
    // Each from the account that held it: the tenant's own first, then the platform's.
    expect([...twilio.deletes].sort()).toEqual(
      [
        `${OWN_ACCOUNT.accountSid}/${RECORDING}`,
        `${OWN_ACCOUNT.accountSid}/${OLDER_RECORDING}`,
        `${ACCOUNT.accountSid}/${OLDER_RECORDING}`,
      ].sort(),
    );
    expect([...twilio.held.values()].every((recordings) => recordings.size === 0)).toBe(true);

    // The query API: her calls keep their facts, not her number or words; another caller's call is untouched.
    const calls = await as('tenant_admin').request<{ items: { callId: string; from: string }[] }>(
      'GET',
      '/api/calls?limit=100',
    );
    expect(Object.fromEntries(calls.body.items.map((c) => [c.callId, c.from]))).toEqual({
      'CA-g-1': ERASED,
      'CA-g-2': ERASED,
      'CA-g-3': OTHER,
    });
    const detail = await as('tenant_admin').request<{ transcript: { text: string }[] }>(
      'GET',
      '/api/calls/CA-g-1',
    );
    expect(detail.body.transcript.length).toBeGreaterThan(0);
    expect(detail.body.transcript.every((line) => line.text === ERASED)).toBe(true);
    const replay = await as('tenant_admin').request('GET', '/api/calls/CA-g-1/replay');
    expect(JSON.stringify(replay.body)).not.toContain(SAID);

    // Every projection of the tenant: no clear text of hers left in any table.
    expect(await tablesHoldingHer(DEMO_TENANT)).toEqual([]);
    // Globex's own call from the same number is Globex's: an erasure never reaches another tenant.
    expect(await tablesHoldingHer(GLOBEX)).toEqual(['calls']);

    // The event store as the platform and the embedded bus read it: her fields read as erased.
    const log = await decryptedLog(DEMO_TENANT);
    expect(log).not.toContain(MARIA);
    expect(log).not.toContain(SAID);
    expect(log).not.toContain('Maria Lopez');
    expect(log).not.toContain(HER_NOTE);
    expect(await decryptedLog(GLOBEX)).toContain(MARIA);
    // The campaign lives on: the other lead reads and is dialled as before, hers is neither.
    expect(log).toContain(OLGA);
    const after = await campaignLeads();
    expect(after).toMatchObject({ maria: false, olga: true, olgaLead: { phone: OTHER, name: OLGA } });
    // A fold held from before the erasure learns it from the stream: it no longer dials her either.
    expect(await campaignLeads(before.folded)).toMatchObject({ maria: false, olga: true });
    const [staged] = (await test.platform.store.readStream(`campaign-${DEMO_TENANT}.${CAMPAIGN}`)).filter(
      (e) => e.type === 'LeadsStaged',
    );
    expect((staged?.data as { leads: unknown[] }).leads).toEqual([
      ERASED,
      expect.objectContaining({ name: OLGA }),
      expect.objectContaining({ name: 'Lena Lead' }),
    ]);
    // The campaign's audit trail names neither her number nor her name.
    const trail = await as('compliance').request(
      'GET',
      `/api/audit/events?streamId=campaign-demo.${CAMPAIGN}`,
    );
    expect(trail.status).toBe(200);
    expect(JSON.stringify(trail.body)).not.toContain(MARIA);
    expect(JSON.stringify(trail.body)).not.toContain('Maria Lopez');
    // A Kafka consumer decrypts what the relay published with the same keys: erased there too.
    const decrypt = personalDataDecryptor(test.platform.keys);
    const consumed = await Promise.all(
      (await test.platform.rawStore.readAll())
        .filter((e) => e.streamId.includes('-demo.'))
        .map((e) =>
          decrypt({ id: e.id, type: e.type, streamId: e.streamId, data: e.data, metadata: e.metadata }),
        ),
    );
    expect(JSON.stringify(consumed.map((e) => e.data))).not.toContain(MARIA);

    // A restore re-erases every key the erasure shredded, the erasure's own (whom it was about) included.
    const ledger = erasedSubjectsInLog(join(test.dataDir, 'events.db'));
    for (const stream of [
      'call-demo.CA-g-1',
      'call-demo.CA-g-2',
      'contact-demo.maria',
      'subjectaccess-demo.sar-maria',
      'erasure-demo.er-maria',
    ])
      expect(ledger).toContain(subjectOf(DEMO_TENANT, stream));
    expect(ledger.some((subject) => subject.startsWith(`${GLOBEX}:`))).toBe(false);
    expect(
      ledger.filter((subject) => subject.startsWith(`${DEMO_TENANT}:campaign-demo.${CAMPAIGN}:lead:`)),
    ).toHaveLength(1);

    // A rebuild of the campaigns projection from position 0 does not bring her lead back; the other's is there.
    const rebuilt = await as('super_admin').request('POST', '/api/admin/projections/campaigns/rebuild');
    expect(rebuilt.status, JSON.stringify(rebuilt.body)).toBe(200);
    expect(
      await processing
        .readStore()
        .query("SELECT lead_id, name FROM campaign_leads FINAL WHERE tenant_id = 'demo' ORDER BY lead_id"),
    ).toEqual([
      { lead_id: 'l-lena', name: 'Lena Lead' },
      { lead_id: 'l-olga', name: OLGA },
    ]);
    expect(await tablesHoldingHer(DEMO_TENANT)).toEqual([]);

    // Her export's record stays, whom it was about erased.
    const [exportRecord] = await test.platform.store.readStream('subjectaccess-demo.sar-maria');
    expect(exportRecord?.data).toEqual({ subject: ERASED });

    // In the audit trail: who asked, and the platform's steps.
    const audit = await as('compliance').request<{ items: { type: string; actor: { id: string } }[] }>(
      'GET',
      '/api/audit/events?streamId=erasure-demo.er-maria',
    );
    expect(audit.body.items.map((e) => [e.type, e.actor.id])).toEqual([
      ['DataSubjectErasureRequested', 'demo-compliance'],
      ['DataSubjectErasurePlanned', 'platform'],
      ['DataSubjectErased', 'platform'],
    ]);
  });

  it('changes nothing when asked again', async () => {
    const before = (await test.platform.store.readAll()).length;
    const again = await as('compliance').command('EraseDataSubject', {
      tenantId: DEMO_TENANT,
      erasureId: 'er-maria',
      subject: { kind: 'phone', value: MARIA },
    });
    expect(again.status).toBe(200);
    expect((again.body as { events: unknown[] }).events).toEqual([]);
    const viaConsole = await as('compliance').request('POST', '/api/compliance/erasures', {
      subject: { kind: 'phone', value: MARIA },
    });
    expect(viaConsole.status).toBe(404);
    expect((await test.platform.store.readAll()).length).toBe(before);
    // Through the command API a new erasure of her is certified as erasing nothing.
    await as('compliance').command('EraseDataSubject', {
      tenantId: DEMO_TENANT,
      erasureId: 'er-maria-2',
      subject: { kind: 'phone', value: MARIA },
    });
    await eventually(async () => {
      const read = await as('compliance').request<{ status: string; certificate: Record<string, unknown> }>(
        'GET',
        '/api/compliance/erasures/er-maria-2',
      );
      expect(read.body.status).toBe('erased');
      expect(read.body.certificate).toMatchObject({ streams: [], keysErased: 0, rows: {}, recordings: [] });
    });
    const list = await as('compliance').request<{ items: { erasureId: string; status: string }[] }>(
      'GET',
      '/api/compliance/erasures',
    );
    expect(list.body.items.map((e) => [e.erasureId, e.status])).toEqual([
      ['er-maria-2', 'erased'],
      ['er-maria', 'erased'],
    ]);
    // Another tenant reads none of them.
    expect((await as('other').request('GET', '/api/compliance/erasures/er-maria')).status).toBe(404);
    expect(twilio.deletes).toHaveLength(3);
  });

  it('erases a person held only as a lead of a campaign, leaving the campaign and its other lead', async () => {
    const erased = await as('compliance').request<{ erasureId: string }>('POST', '/api/compliance/erasures', {
      subject: { kind: 'phone', value: LENA },
      erasureId: 'er-lena',
    });
    expect(erased.status, JSON.stringify(erased.body)).toBe(202);
    let certificate: Record<string, unknown> = {};
    await eventually(async () => {
      const read = await as('compliance').request<{ status: string; certificate: Record<string, unknown> }>(
        'GET',
        '/api/compliance/erasures/er-lena',
      );
      expect(read.body.status).toBe('erased');
      certificate = read.body.certificate;
    }, 30_000);
    expect(certificate).toMatchObject({ counts: { lead: 1 }, keysErased: 1, rows: { campaign_leads: 1 } });
    expect(certificate['streams']).toEqual([
      expect.stringMatching(/^campaign-demo\.recall:lead:[A-Za-z0-9_-]{22}$/),
    ]);
    expect(JSON.stringify(certificate)).not.toContain(LENA);
    const log = await decryptedLog(DEMO_TENANT);
    expect(log).not.toContain('Lena Lead');
    expect(log).toContain(OLGA);
    expect(await campaignLeads()).toMatchObject({ olga: true, olgaLead: { phone: OTHER } });
  });

  it('deletes a recording at Twilio once: gone already is what was asked, a refused credential is not', async () => {
    const deleter = twilioRecordingDeleter(async () => [
      { ...OWN_ACCOUNT, apiUrl: twilio.url },
      { ...ACCOUNT, apiUrl: twilio.url },
    ]);
    expect(await deleter(DEMO_TENANT, RECORDING)).toBe('already_absent');
    expect(await twilioRecordingDeleter(async () => [])(DEMO_TENANT, RECORDING)).toBe('no_provider');
    const wrong = twilioRecordingDeleter(async () => [
      { ...ACCOUNT, authToken: 'not-the-token-0123456789', apiUrl: twilio.url },
    ]);
    await expect(wrong(DEMO_TENANT, RECORDING)).rejects.toMatchObject({ status: 401 });
  });
});
