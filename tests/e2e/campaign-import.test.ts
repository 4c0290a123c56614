import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACKS_CAMPAIGN, decodeEvent, DEFAULT_PACING, DEFAULT_RETRY_POLICY } from '@ccp/schemas';
import { DEMO_NUMBER, DEMO_TENANT, DEMO_USERS, seedDemo } from '@ccp/infra';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';

// The lead import edge against the real platform: authorization and plan feature, dry run with the do-not-call
// list, the committed import's event, a refused file that stores nothing, and a 100,000-row file.
const PASSWORD = 'demo-password-1';
const CAMPAIGN = 'spring-checkups';
const STREAM = `campaign-${DEMO_TENANT}.${CAMPAIGN}`;

type Client = ReturnType<typeof apiClient>;

/** A date a week ahead: a campaign may not start in the past. */
const inAWeek = (): string => new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);

describe('campaign lead import', () => {
  let t: TestPlatform;
  let root: Client;
  let admin: Client;
  let token: string;

  const as = async (role: string): Promise<string> => {
    const user = DEMO_USERS.find((u) => u.role === role);
    if (!user) throw new Error(`no demo ${role}`);
    return login(t.url, user.email, PASSWORD);
  };

  /** Posts a file as it is, with its content type: the import reads CSV as a stream, not as JSON. */
  const upload = async (
    path: string,
    body: string,
    bearer: string | null = token,
    contentType = 'text/csv',
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(t.url + path, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        ...(bearer !== null && { authorization: `Bearer ${bearer}` }),
      },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const importPath = (query = '') => `/api/campaigns/${CAMPAIGN}/leads/import${query}`;
  const streamEvents = () => t.platform.store.readStream(STREAM);

  beforeAll(async () => {
    t = await startTestPlatform();
    await seedDemo(t.platform, PASSWORD);
    root = apiClient(t.url, await login(t.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
    // The demo tier may change; the import needs one with outbound campaigns.
    expect(
      (await root.command('ChangePlanTier', { tenantId: DEMO_TENANT, planTier: 'professional' })).status,
    ).toBeLessThan(500);
    token = await as('tenant_admin');
    admin = apiClient(t.url, token);
    const created = await admin.command('CreateCampaign', {
      tenantId: DEMO_TENANT,
      campaignId: CAMPAIGN,
      name: 'Spring check-ups',
      agentId: 'sofia',
      callerIds: [DEMO_NUMBER],
      startDate: inAWeek(),
      timeZone: 'America/New_York',
      windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: 600, end: 1140 }],
      holidays: [],
      retry: DEFAULT_RETRY_POLICY,
      pacing: DEFAULT_PACING,
      voicemail: { action: 'hang_up' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  const goodCsv = [
    'phone,first_name,last_name,language,plan',
    '+1 212 555 0101,Ann,Lee,en,gold',
    '(310) 555-0102,Bo,Diaz,es,silver',
    '212-555-0101,,,,platinum',
    '+34 912 345 678,José,García,es,',
  ].join('\n');

  it('previews a file: rows, valid, duplicates and the numbers on the do-not-call list', async () => {
    const listed = await admin.command('AddToDoNotCall', {
      tenantId: DEMO_TENANT,
      numbers: ['+13105550102'],
      source: 'manual',
    });
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    const before = (await streamEvents()).length;
    const preview = await upload(importPath('?dryRun=true&defaultCountry=US'), goodCsv);
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toEqual({
      preview: { rows: 4, valid: 4, duplicates: 1, doNotCall: 1, willImport: 2 },
    });
    expect((await streamEvents()).length).toBe(before);
  });

  it('imports a file: staged chunks, then LeadsImported with the decider’s counts', async () => {
    const imported = await upload(importPath('?defaultCountry=US&fileName=spring.csv'), goodCsv);
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    expect(imported.body).toMatchObject({ rows: 4, added: 2, merged: 0, skippedDoNotCall: 1 });
    const events = (await streamEvents()).map((e) => {
      const decoded = decodeEvent(e);
      if (!decoded.ok) throw new Error(decoded.error.message);
      return decoded.value;
    });
    const staged = events.filter((e) => e.type === 'LeadsStaged');
    expect(staged).toHaveLength(1);
    const leads = (staged[0]?.data as { leads: { phone: string; variables: Record<string, string> }[] })
      .leads;
    expect(leads.map((l) => l.phone).sort()).toEqual(['+12125550101', '+34912345678']);
    expect(leads.find((l) => l.phone === '+12125550101')?.variables).toEqual({
      first_name: 'Ann',
      last_name: 'Lee',
      plan: 'platinum',
    });
    const done = events.find((e) => e.type === 'LeadsImported');
    expect(done?.data).toMatchObject({
      importId: imported.body['importId'],
      rows: 4,
      added: 2,
      merged: 0,
      skippedDoNotCall: 1,
      source: 'csv',
      fileName: 'spring.csv',
    });

    // The same numbers again: merged into the leads the campaign has.
    const again = await upload(
      importPath(),
      '{"leads":[{"phone":"+12125550101","name":"Ann Lee"}]}',
      token,
      'application/json',
    );
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body).toMatchObject({ rows: 1, added: 0, merged: 1, skippedDoNotCall: 0 });
  });

  it('refuses a file with a bad row with a row-by-row report and stores nothing', async () => {
    const before = await streamEvents();
    const refused = await upload(
      importPath(),
      ['phone,time_zone', '+12125550103,America/New_York', 'call me maybe,', '+12125550104,Mars/Base'].join(
        '\n',
      ),
    );
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual({
      error: { code: 'LEAD_ROWS_INVALID', message: '2 of 3 rows are invalid; nothing was imported' },
      invalidRows: 2,
      totalRows: 3,
      rows: [
        {
          row: 2,
          line: 3,
          column: 'phone',
          reason: 'call me maybe is not a valid phone number (national numbers are read as US)',
        },
        { row: 3, line: 4, column: 'time_zone', reason: 'Mars/Base is not an IANA time zone' },
      ],
    });
    const after = await streamEvents();
    expect(after.length).toBe(before.length);
    expect(after.at(-1)?.revision).toBe(before.at(-1)?.revision);
  });

  it('answers a missing campaign, an empty file and an unknown content type', async () => {
    expect((await upload('/api/campaigns/nope/leads/import', goodCsv)).body).toMatchObject({
      error: { code: 'CAMPAIGN_NOT_FOUND' },
    });
    const empty = await upload(importPath(), '');
    expect([empty.status, (empty.body['error'] as { code: string }).code]).toEqual([422, 'NO_ROWS']);
    expect((await upload(importPath(), goodCsv, token, 'application/xml')).status).toBe(415);
  });

  it('refuses a cancelled campaign and the callbacks campaign', async () => {
    const settings = {
      name: 'Short-lived',
      agentId: 'sofia',
      callerIds: [DEMO_NUMBER],
      startDate: inAWeek(),
      timeZone: 'America/New_York',
      windows: [{ days: ['mon'], start: 600, end: 1140 }],
      holidays: [],
      retry: DEFAULT_RETRY_POLICY,
      pacing: DEFAULT_PACING,
      voicemail: { action: 'hang_up' },
    };
    const key = { tenantId: DEMO_TENANT, campaignId: 'short-lived' };
    expect((await admin.command('CreateCampaign', { ...key, ...settings })).status).toBe(200);
    expect((await admin.command('CancelCampaign', { ...key, reason: 'budget cut' })).status).toBe(200);
    const ended = await upload('/api/campaigns/short-lived/leads/import', goodCsv);
    expect([ended.status, (ended.body['error'] as { code: string }).code]).toEqual([422, 'CAMPAIGN_ENDED']);

    // The platform opens the callbacks campaign with the first promised callback.
    const scheduled = await root.command('ScheduleCallbackDial', {
      tenantId: DEMO_TENANT,
      callbackId: 'cb-1',
      kind: 'callback',
      at: new Date(Date.now() + 86_400_000).toISOString(),
      phone: '+12125550177',
      agentId: 'sofia',
      callerId: DEMO_NUMBER,
      timeZones: ['America/New_York'],
      country: 'US',
      sourceCallId: 'CA-source-1',
      reason: 'asked to be called back tomorrow',
    });
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(200);
    const callbacks = await upload(`/api/campaigns/${CALLBACKS_CAMPAIGN}/leads/import`, goodCsv);
    expect([callbacks.status, (callbacks.body['error'] as { code: string }).code]).toEqual([
      422,
      'CALLBACKS_CAMPAIGN',
    ]);
  });

  it('lets managers import, not analysts or viewers, and not a tier without outbound campaigns', async () => {
    for (const role of ['analyst', 'viewer']) {
      const refused = await upload(importPath('?dryRun=true'), goodCsv, await as(role));
      expect([role, refused.status, (refused.body['error'] as { code: string }).code]).toEqual([
        role,
        403,
        'FORBIDDEN_ROLE',
      ]);
    }
    const supervisor = await upload(importPath('?dryRun=true'), goodCsv, await as('supervisor'));
    expect(supervisor.status).toBe(200);
    expect((await upload(importPath(), goodCsv, null)).status).toBe(401);

    // A tenant on the free tier (no outbound campaigns), with its own admin.
    expect((await root.command('CreateTenant', { tenantId: 'freebie', name: 'Freebie' })).status).toBe(200);
    const invited = await root.command('InviteMember', {
      tenantId: 'freebie',
      userId: 'freebie-admin',
      email: 'admin@freebie.example',
      name: 'Fran Freebie',
      role: 'tenant_admin',
    });
    expect(invited.status).toBe(200);
    await root.request('PUT', '/api/members/freebie-admin/password', { password: PASSWORD });
    const free = await login(t.url, 'admin@freebie.example', PASSWORD);
    const refused = await upload(
      '/api/campaigns/any/leads/import?dryRun=true&tenantId=freebie',
      goodCsv,
      free,
    );
    expect([refused.status, (refused.body['error'] as { code: string }).code]).toEqual([403, 'PLAN_FEATURE']);
    const dnc = await upload('/api/do-not-call/import', '+12125550199\n', free);
    expect([dnc.status, (dnc.body['error'] as { code: string }).code]).toEqual([403, 'PLAN_FEATURE']);
    // Another tenant's campaign: refused before anything is read.
    const elsewhere = await upload(importPath('?tenantId=freebie'), goodCsv);
    expect([elsewhere.status, (elsewhere.body['error'] as { code: string }).code]).toEqual([
      403,
      'FORBIDDEN_TENANT',
    ]);
  });

  it('imports do-not-call numbers from a CSV, counting those already listed', async () => {
    const imported = await upload(
      '/api/do-not-call/import?defaultCountry=US',
      'phone\n(310) 555-0102\n+1 212 555 0188\n212-555-0188\n',
    );
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toEqual({ added: 1, alreadyListed: 1, rows: 3 });
    const refused = await upload('/api/do-not-call/import', '+12125550189\nnope\n');
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      error: { code: 'NUMBER_ROWS_INVALID' },
      invalidRows: 1,
      totalRows: 2,
      rows: [{ row: 2, line: 2, column: 'phone' }],
    });
  });

  it('imports a 100,000-row file once', async () => {
    const rows = ['phone,name,external id'];
    const areas = ['212', '310', '415', '617', '305', '713', '206', '404'];
    for (let i = 0; i < 100_000; i++) {
      rows.push(`+1${areas[i % areas.length]}${String(2_000_000 + i)},Lead ${i},X-${i}`);
    }
    const imported = await upload(importPath('?fileName=big.csv'), rows.join('\n'));
    expect(imported.status, JSON.stringify(imported.body).slice(0, 500)).toBe(201);
    expect(imported.body).toMatchObject({ rows: 100_000, added: 100_000, merged: 0, skippedDoNotCall: 0 });
  }, 60_000);
});
