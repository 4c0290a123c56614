import { describe, expect, it } from 'vitest';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { DEFAULT_RETRY_POLICY, SYSTEM_ACTOR, wallClockAt } from '@ccp/schemas';
import { apiClient, login } from '../support/platform.js';
import {
  as,
  eventually,
  OTHER,
  test,
  tokens,
  useQueryPlatform,
  validate,
} from '../support/query-platform.js';

// The campaign read side: commands through the real handler, the campaigns processor, the query API's routes.
useQueryPlatform();

const CAMPAIGN = 'spring-recall';
const leadId = (n: number) => `lead-${String(n).padStart(16, '0')}`;
const lead = (n: number) => ({
  leadId: leadId(n),
  phone: `+1555010${String(n).padStart(4, '0')}`,
  name: `Lead ${n}`,
  timeZones: [],
  variables: { first_name: `Lead${n}` },
});

/** A zone where it is now mid-day, so that the default legal hours (08:00-21:00) allow calls. */
const middayZone = (): string => {
  const zones = [
    'America/New_York',
    'America/Los_Angeles',
    'Pacific/Honolulu',
    'Europe/London',
    'Asia/Kolkata',
    'Asia/Tokyo',
    'Pacific/Auckland',
    'Pacific/Kiritimati',
  ];
  const zone = zones.find((z) => {
    const { hour } = wallClockAt(new Date(), z);
    return hour >= 10 && hour < 19;
  });
  if (zone === undefined) throw new Error('no zone of the list is at mid-day now');
  return zone;
};

/** A command as the platform sends it (the import edge and the dialer send these trusted); the events it stored. */
const trusted = async (type: string, data: Record<string, unknown>): Promise<string[]> => {
  const result = await test.platform.handler.handleTrusted(
    type,
    { tenantId: DEMO_TENANT, ...data },
    { actor: SYSTEM_ACTOR },
  );
  return result.events.map((e) => e.type);
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Progress {
  leads: number;
  pending: number;
  inProgress: number;
  done: number;
  doneByOutcome: Record<string, number>;
  attempts: number;
  connected: number;
  connectRate: number | null;
}

/** Reads `event: progress` frames of a campaign's live stream. */
const liveProgress = async (token: string | undefined) => {
  const controller = new AbortController();
  const response = await fetch(`${test.url}/api/campaigns/${CAMPAIGN}/live`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const next = async (): Promise<Progress> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (/^event: progress$/m.test(frame) && data !== undefined) return JSON.parse(data) as Progress;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
  return { next, close: () => controller.abort() };
};

describe('campaigns read side', () => {
  it(
    'lists a campaign with progress, its leads and attempts, live progress, and keeps other tenants out',
    { timeout: 90_000 },
    async () => {
      const timeZone = middayZone();
      const today = wallClockAt(new Date(), timeZone);
      const startDate = `${today.year}-${String(today.month).padStart(2, '0')}-${String(today.day).padStart(2, '0')}`;
      const created = await as('tenant_admin').command('CreateCampaign', {
        tenantId: DEMO_TENANT,
        campaignId: CAMPAIGN,
        name: 'Spring recall',
        agentId: 'sofia',
        callerIds: [DEMO_NUMBER],
        startDate,
        timeZone,
        windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: 480, end: 1260 }],
        holidays: [],
        retry: DEFAULT_RETRY_POLICY,
        pacing: { maxConcurrentCalls: 5, callsPerSecond: 10, inboundReserve: 0 },
        voicemail: { action: 'hang_up' },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      await trusted('StageLeads', {
        campaignId: CAMPAIGN,
        importId: 'imp-1',
        chunk: 0,
        leads: [1, 2, 3].map(lead),
      });
      await trusted('CommitLeadImport', {
        campaignId: CAMPAIGN,
        importId: 'imp-1',
        chunks: 1,
        rows: 4,
        skippedDoNotCall: 1,
        source: 'csv',
        fileName: 'spring.csv',
      });
      // Staged and never committed: its lead never counts.
      await trusted('StageLeads', { campaignId: CAMPAIGN, importId: 'imp-2', chunk: 0, leads: [lead(4)] });
      expect(
        (await as('supervisor').command('ScheduleCampaign', { tenantId: DEMO_TENANT, campaignId: CAMPAIGN }))
          .status,
      ).toBe(200);

      await eventually(async () => {
        const list = await as('analyst').request<{ campaigns: Record<string, unknown>[] }>(
          'GET',
          '/api/campaigns',
        );
        expect(list.status).toBe(200);
        expect(validate('listCampaigns', 200, list.body)).toEqual([]);
        expect(list.body.campaigns).toEqual([
          expect.objectContaining({
            campaignId: CAMPAIGN,
            kind: 'leads',
            name: 'Spring recall',
            status: 'scheduled',
            agentId: 'sofia',
            startDate,
            timeZone,
            revision: 1,
            leads: 3,
            pending: 3,
            inProgress: 0,
            done: 0,
            attempts: 0,
            connectRate: null,
          }),
        ]);
      });
      const page = await as('supervisor').request<Record<string, unknown>>(
        'GET',
        `/api/campaigns/${CAMPAIGN}`,
      );
      expect(validate('getCampaign', 200, page.body)).toEqual([]);
      expect(page.body['imports']).toEqual([
        expect.objectContaining({
          importId: 'imp-1',
          rows: 4,
          added: 3,
          skippedDoNotCall: 1,
          fileName: 'spring.csv',
        }),
      ]);

      const live = await liveProgress(tokens.get('analyst'));
      const first = await live.next();
      expect(first).toMatchObject({ leads: 3, pending: 3, inProgress: 0 });

      // The dialer's ticks start the campaign and dial two leads (paced: a tick may start fewer).
      let dials = 0;
      for (let tick = 0; dials < 2 && tick < 20; tick += 1) {
        const stored = await trusted('AdvanceCampaign', {
          campaignId: CAMPAIGN,
          capacity: 2 - dials,
          leaseSeconds: 600,
        });
        dials += stored.filter((type) => type === 'DialStarted').length;
        if (dials < 2) await sleep(250);
      }
      let dialling = await live.next();
      while (dialling.inProgress < 2) dialling = await live.next();
      expect(dialling).toMatchObject({ leads: 3, pending: 1, inProgress: 2, attempts: 2 });

      const inProgress = await as('analyst').request<{ leads: { leadId: string }[]; total: number }>(
        'GET',
        `/api/campaigns/${CAMPAIGN}/leads?status=in_progress`,
      );
      expect(validate('listCampaignLeads', 200, inProgress.body)).toEqual([]);
      expect(inProgress.body.total).toBe(2);
      const [answered, busy] = inProgress.body.leads.map((l) => l.leadId);
      const attemptOf = async (id: string | undefined) => {
        const detail = await as('analyst').request<{ attempts: { attemptId: string }[] }>(
          'GET',
          `/api/campaigns/${CAMPAIGN}/leads/${id}`,
        );
        expect(validate('getCampaignLead', 200, detail.body)).toEqual([]);
        return detail.body.attempts[0]?.attemptId;
      };
      await trusted('RecordDialOutcome', {
        campaignId: CAMPAIGN,
        attemptId: await attemptOf(answered),
        outcome: 'answered',
      });
      let ended = await live.next();
      while (ended.done < 1) ended = await live.next();
      expect(ended).toMatchObject({ done: 1, inProgress: 1, connected: 1, connectRate: 1 });
      expect(ended.doneByOutcome['answered']).toBe(1);

      await trusted('RecordDialOutcome', {
        campaignId: CAMPAIGN,
        attemptId: await attemptOf(busy),
        outcome: 'busy',
      });
      let retried = await live.next();
      while (retried.inProgress > 0) retried = await live.next();
      live.close();
      expect(retried).toMatchObject({
        leads: 3,
        pending: 2,
        inProgress: 0,
        done: 1,
        attempts: 2,
        connectRate: 0.5,
      });

      const busyLead = await as('analyst').request<{
        lead: {
          status: string;
          lastOutcome: string;
          nextAt: string | null;
          variables: Record<string, string>;
        };
        attempts: { outcome: string; retryAt: string | null }[];
      }>('GET', `/api/campaigns/${CAMPAIGN}/leads/${busy}`);
      expect(busyLead.body.lead).toMatchObject({ status: 'pending', lastOutcome: 'busy' });
      expect(busyLead.body.lead.nextAt).not.toBeNull();
      expect(busyLead.body.attempts).toEqual([
        expect.objectContaining({ outcome: 'busy', retryAt: busyLead.body.lead.nextAt }),
      ]);
      const done = await as('analyst').request<{ leads: { leadId: string }[]; total: number }>(
        'GET',
        `/api/campaigns/${CAMPAIGN}/leads?status=done`,
      );
      expect(done.body).toMatchObject({ total: 1, leads: [{ leadId: answered }] });
      const paged = await as('analyst').request<{ leads: unknown[]; total: number }>(
        'GET',
        `/api/campaigns/${CAMPAIGN}/leads?limit=2&offset=2`,
      );
      expect(paged.body).toMatchObject({ total: 3 });
      expect(paged.body.leads).toHaveLength(1);

      // Another tenant sees nothing of it; a viewer reads no campaigns.
      const other = apiClient(test.url, tokens.get('other'));
      expect((await other.request<{ campaigns: unknown[] }>('GET', '/api/campaigns')).body).toEqual({
        campaigns: [],
      });
      const hidden = await other.request<{ error: { code: string } }>('GET', `/api/campaigns/${CAMPAIGN}`);
      expect(hidden.status).toBe(404);
      expect(hidden.body.error.code).toBe('CAMPAIGN_NOT_FOUND');
      expect((await other.request('GET', `/api/campaigns/${CAMPAIGN}/leads`)).status).toBe(404);
      expect((await other.request('GET', `/api/campaigns/${CAMPAIGN}/live`)).status).toBe(404);
      expect((await as('viewer').request('GET', '/api/campaigns')).status).toBe(403);
      expect((await as('agent').request('GET', `/api/campaigns/${CAMPAIGN}`)).status).toBe(403);
    },
  );

  it('lists and searches the do-not-call list, tenant by tenant', { timeout: 30_000 }, async () => {
    const added = await as('tenant_admin').command('AddToDoNotCall', {
      tenantId: DEMO_TENANT,
      numbers: ['+15550109991', '+15550109992', '+15550108881'],
      source: 'manual',
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(
      (
        await as('tenant_admin').command('RemoveFromDoNotCall', {
          tenantId: DEMO_TENANT,
          numbers: ['+15550109992'],
        })
      ).status,
    ).toBe(200);
    await eventually(async () => {
      const found = await as('analyst').request<{
        numbers: { number: string; source: string }[];
        total: number;
      }>('GET', '/api/do-not-call?q=0109');
      expect(validate('doNotCallList', 200, found.body)).toEqual([]);
      expect(found.body).toMatchObject({ total: 1, numbers: [{ number: '+15550109991', source: 'manual' }] });
    });
    const all = await as('supervisor').request<{ total: number }>('GET', '/api/do-not-call?limit=1');
    expect(all.body.total).toBe(2);
    const other = apiClient(test.url, tokens.get('other'));
    expect((await other.request('GET', '/api/do-not-call')).body).toEqual({ numbers: [], total: 0 });
  });

  it('a tier without outbound campaigns gets 403 PLAN_FEATURE', { timeout: 30_000 }, async () => {
    const root = apiClient(test.url, tokens.get('super_admin'));
    expect(
      (await root.command('CreateTenant', { tenantId: 'freeco', name: 'Free Co', planTier: 'free' })).status,
    ).toBe(200);
    expect(
      (
        await root.command('InviteMember', {
          tenantId: 'freeco',
          userId: 'free-admin',
          email: 'admin@freeco.example',
          name: 'Fran Free',
          role: 'tenant_admin',
        })
      ).status,
    ).toBe(200);
    expect(
      (await root.request('PUT', '/api/members/free-admin/password', { password: 'freeco-password-1' }))
        .status,
    ).toBe(204);
    const free = apiClient(test.url, await login(test.url, 'admin@freeco.example', 'freeco-password-1'));
    for (const path of ['/api/campaigns', `/api/campaigns/${CAMPAIGN}`, '/api/do-not-call']) {
      const response = await free.request<{ error: { code: string } }>('GET', path);
      expect(response.status, path).toBe(403);
      expect(response.body.error.code, path).toBe('PLAN_FEATURE');
    }
    // Super admins read regardless of the tier.
    expect((await root.request('GET', '/api/campaigns?tenantId=freeco')).status).toBe(200);
    expect(OTHER).not.toBe('freeco');
  });
});
