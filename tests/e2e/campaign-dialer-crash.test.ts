import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '@ccp/command-service';
import { DEMO_IVR_NUMBER, DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { decodeEvent, type EventEnvelope } from '@ccp/schemas';
import { startLocalCarrier, twilioSid } from '@ccp/media-gateway/simulator';
import { spawnPlatform, type PlatformProcess } from '../support/process.js';
import { apiClient, login } from '../support/platform.js';
import { ALL_DAY, dataOf, waitFor } from '../support/campaign-dialer.js';

// The platform SIGKILLed while it dials a campaign, and started again on the same data directory and port.
// The carrier (the local stand-in of Twilio's REST API) runs here, outside the killed process, so it keeps the
// record of every dial the platform asked for.
const dataDir = mkdtempSync(join(tmpdir(), 'ccp-dialer-crash-'));
const accountSid = twilioSid('AC');
const authToken = 'dialer-crash-auth-token-0123456789';
const CAMPAIGN = 'crash-drive';
const LEADS = 24;
const running: PlatformProcess[] = [];
let stopCarrier: (() => Promise<void>) | undefined;
afterAll(async () => {
  for (const p of running) p.child.kill('SIGKILL');
  await stopCarrier?.();
  rmSync(dataDir, { recursive: true, force: true });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

/** A zone where it is between 10:00 and 18:00 now, so that the campaign may call whatever the test's hour. */
const daytimeZone = (): string => {
  const zones = [
    'Pacific/Honolulu',
    'America/Los_Angeles',
    'America/New_York',
    'Atlantic/Azores',
    'Europe/London',
    'Europe/Berlin',
    'Asia/Dubai',
    'Asia/Kolkata',
    'Asia/Tokyo',
    'Australia/Sydney',
    'Pacific/Auckland',
  ];
  const hourIn = (zone: string) =>
    Number(
      new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(
        new Date(),
      ),
    );
  const zone = zones.find((z) => hourIn(z) >= 10 && hourIn(z) < 18);
  if (zone === undefined) throw new Error('no daytime zone in the list');
  return zone;
};
const todayIn = (zone: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date());

const phoneOf = (i: number) => `+1212555${String(1000 + i).slice(-4)}`;

const readCampaign = async (): Promise<EventEnvelope[]> => {
  const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  try {
    return (await store.readStream(`campaign-${DEMO_TENANT}.${CAMPAIGN}`)).flatMap((recorded) => {
      const decoded = decodeEvent(recorded);
      return decoded.ok ? [decoded.value] : [];
    });
  } finally {
    await store.close();
  }
};

describe('the platform killed while it dials a campaign', () => {
  it(
    'dials no attempt twice, ends every attempt exactly once and finishes every lead after a restart',
    { timeout: 180_000 },
    async () => {
      const carrier = await startLocalCarrier({
        accountSid,
        authToken,
        // Every fourth callee is an answering machine; the rest are people who hang up at the first question.
        callee: ({ to }) => ({
          answer: Number(to.slice(-2)) % 4 === 0 ? 'machine' : 'human',
          ringSeconds: 150,
        }),
      });
      stopCarrier = () => carrier.stop();
      const port = await freePort();
      const env = {
        DATA_DIR: dataDir,
        PORT: String(port),
        SUPER_ADMIN_EMAIL: 'root@dialer-crash.example',
        SUPER_ADMIN_PASSWORD: 'dialer-crash-password',
        STREAM_PROCESSING: 'false',
        TWILIO_ACCOUNT_SID: accountSid,
        TWILIO_AUTH_TOKEN: authToken,
        TWILIO_API_URL: carrier.url,
      };
      const first = await spawnPlatform(env);
      running.push(first);
      const { demoPassword } = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as {
        demoPassword: string;
      };
      const api = apiClient(first.url, await login(first.url, 'admin@demo.example', demoPassword));
      const zone = daytimeZone();
      const created = await api.command('CreateCampaign', {
        tenantId: DEMO_TENANT,
        campaignId: CAMPAIGN,
        name: 'Crash drive',
        agentId: 'lucas',
        callerIds: [DEMO_NUMBER, DEMO_IVR_NUMBER],
        startDate: todayIn(zone),
        timeZone: zone,
        windows: ALL_DAY,
        holidays: [],
        retry: {
          busy: { attempts: 0, spacingMinutes: 1 },
          no_answer: { attempts: 0, spacingMinutes: 1 },
          failed: { attempts: 0, spacingMinutes: 1 },
          voicemail: { attempts: 0, spacingMinutes: 1 },
          maxAttempts: 1,
        },
        pacing: { maxConcurrentCalls: 6, callsPerSecond: 4, inboundReserve: 0 },
        voicemail: { action: 'hang_up' },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const leads = Array.from({ length: LEADS }, (_, i) => ({
        phone: phoneOf(i),
        name: `Lead ${i}`,
        timeZone: zone,
      }));
      const imported = await api.request(
        'POST',
        `/api/campaigns/${CAMPAIGN}/leads/import?tenantId=${DEMO_TENANT}`,
        { leads },
      );
      expect(imported.status, JSON.stringify(imported.body)).toBe(201);
      expect(
        (await api.command('ScheduleCampaign', { tenantId: DEMO_TENANT, campaignId: CAMPAIGN })).status,
      ).toBe(200);

      const dials = () =>
        carrier.requests.filter((r) => r.method === 'POST' && /\/Calls\.json$/.test(r.path));
      await waitFor(
        async () => dials().length,
        (n) => n >= 8,
        60_000,
        'eight dials before the kill',
      );
      first.child.kill('SIGKILL');
      await first.exited;

      const second = await spawnPlatform(env);
      running.push(second);
      const final = await waitFor(
        readCampaign,
        (events) => events.some((e) => e.type === 'CampaignCompleted'),
        120_000,
        'the campaign to complete after the restart',
      );
      second.child.kill('SIGTERM');
      await second.exited;

      const started = dataOf<{ attemptId: string; leadId: string }>(final, 'DialStarted');
      const ended = dataOf<{ attemptId: string; leadId: string; outcome: string }>(final, 'DialEnded');
      // Every attempt ended exactly once.
      expect(ended.map((d) => d.attemptId).sort()).toEqual(started.map((d) => d.attemptId).sort());
      // No attempt was dialled twice: the carrier's requests name their attempt in the answer URL.
      const perAttempt = new Map<string, number>();
      for (const request of dials()) {
        const attemptId =
          new URL(request.params['Url']?.[0] ?? 'http://x/').searchParams.get('attemptId') ?? '';
        perAttempt.set(attemptId, (perAttempt.get(attemptId) ?? 0) + 1);
      }
      expect([...perAttempt.values()].every((n) => n === 1)).toBe(true);
      expect(new Set(perAttempt.keys()).size).toBe(dials().length);
      for (const attemptId of perAttempt.keys()) expect(started.map((d) => d.attemptId)).toContain(attemptId);
      // Every lead done: one final outcome per lead, none left not placed; each number reached once.
      const finals = ended.filter((d) => d.outcome !== 'not_placed');
      expect(new Set(finals.map((d) => d.leadId)).size).toBe(LEADS);
      expect(finals).toHaveLength(LEADS);
      expect(final.find((e) => e.type === 'CampaignCompleted')?.data).toEqual({ reason: 'all_leads_done' });
      const perNumber = new Map<string, number>();
      for (const request of dials()) {
        const to = request.params['To']?.[0] ?? '';
        perNumber.set(to, (perNumber.get(to) ?? 0) + 1);
      }
      expect([...perNumber.values()].every((n) => n === 1)).toBe(true);
    },
  );
});
