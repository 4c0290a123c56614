import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectOf, verifyStreamChain } from '@ccp/command-service';
import { complianceModule, type ComplianceModule } from '@ccp/media-gateway';
import { findRetentionReach } from '@ccp/projections';
import { queryApiModule } from '@ccp/query-api';
import { createProcessors } from '@ccp/stream-processors';
import { configFromEnv, DEMO_TENANT, DEMO_USERS, enginesOf, seedDemo, streamProcessing } from '@ccp/infra';
import { streamName, type ErasureCertificate } from '@ccp/schemas';
import { recordCall } from '../support/calls.js';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';
import { eventually } from '../support/query-platform.js';
import { DEMO_PASSWORD } from '../support/read-side.js';

/*
 * Retention on the real platform (issue 18): the demo clinic keeps transcripts and recordings 30 days. Its daily
 * run (at a chosen "now") erases through the erasure path what ended before the cutoff — keys shredded, clear
 * text scrubbed, recordings deleted, a certificate recorded — except what a legal hold keeps (one call, or
 * everything about a person), until the hold is released. Data exactly at the cutoff is kept.
 */

const DAY = 86_400_000;
const SAID = 'My knee has been hurting since the match';
const KEPT_CALLER = '+15550003333';
const deleted: string[] = [];
let clock = new Date();
let test: TestPlatform;
let compliance: ComplianceModule;
const processing = streamProcessing(createProcessors());
const tokens = new Map<string, string>();
const as = (role: string) => apiClient(test.url, tokens.get(role));

const send = async (type: string, data: Record<string, unknown>, role = 'super_admin') => {
  const response = await as(role).command(type, data);
  if (response.status !== 200) throw new Error(`${type} failed: ${JSON.stringify(response.body)}`);
};
const keyKept = (callId: string): boolean =>
  test.platform.keys.existingKey(subjectOf(DEMO_TENANT, streamName('call', DEMO_TENANT, callId))) !==
  undefined;
const transcriptOf = async (callId: string): Promise<string> =>
  JSON.stringify((await as('tenant_admin').request('GET', `/api/calls/${callId}`)).body);

/** Runs the day's retention at `at` and waits for its certificate. */
const runAt = async (at: Date): Promise<ErasureCertificate> => {
  clock = at;
  const [stream] = (await compliance.retention()?.runNow()) ?? [];
  if (stream === undefined) throw new Error('no retention run was asked for');
  let certificate: ErasureCertificate | undefined;
  await eventually(async () => {
    const done = (await test.platform.store.readStream(stream)).find((e) => e.type === 'DataSubjectErased');
    expect(done).toBeDefined();
    certificate = (done?.data as { certificate: ErasureCertificate }).certificate;
  });
  return certificate as ErasureCertificate;
};

let firstEnded: number;
let lastEnded: number;

beforeAll(async () => {
  compliance = complianceModule(() => processing.readStore(), {
    now: () => clock,
    // The provider's side of a deletion, recorded (the Twilio path is tested in gdpr-erasure.test.ts).
    recordings: async (_, recordingId) => {
      deleted.push(recordingId);
      return 'deleted';
    },
  });
  test = await startTestPlatform(undefined, {
    processing,
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
  const root = as('super_admin');
  for (const callId of ['CA-r-old', 'CA-r-held']) await recordCall(root, DEMO_TENANT, callId, [SAID]);
  await send('StartCall', {
    tenantId: DEMO_TENANT,
    callId: 'CA-r-person',
    direction: 'inbound',
    from: KEPT_CALLER,
    to: '+15550100001',
    provider: 'simulator',
    agentId: 'sofia',
  });
  await send('EndCall', { tenantId: DEMO_TENANT, callId: 'CA-r-person', outcome: 'resolved' });
  for (const [callId, recordingId] of [
    ['CA-r-old', 'REold'],
    ['CA-r-held', 'REheld'],
  ] as const) {
    await send('MarkRecordingAvailable', {
      tenantId: DEMO_TENANT,
      callId,
      recordingId,
      url: `https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/${recordingId}`,
      durationSeconds: 30,
    });
  }
  const ends: number[] = [];
  await eventually(async () => {
    ends.length = 0;
    for (const callId of ['CA-r-old', 'CA-r-held', 'CA-r-person']) {
      const detail = await as('tenant_admin').request<{ call?: { endedAt: string | null } }>(
        'GET',
        `/api/calls/${callId}`,
      );
      const endedAt = detail.body.call?.endedAt ?? null;
      expect(endedAt).not.toBeNull();
      ends.push(Date.parse(endedAt ?? ''));
    }
    const recorded = await processing
      .readStore()
      .query(`SELECT 1 FROM events WHERE type = 'RecordingAvailable' AND tenant_id = {t:String}`, {
        t: DEMO_TENANT,
      });
    expect(recorded).toHaveLength(2);
  });
  [firstEnded, lastEnded] = [Math.min(...ends), Math.max(...ends)];
}, 120_000);

afterAll(async () => {
  await test.stop();
});

describe('retention', () => {
  it('reaches only what ended strictly before its cutoff', async () => {
    const reach = (before: number) =>
      findRetentionReach(processing.readStore(), DEMO_TENANT, {
        transcriptsBefore: new Date(before).toISOString(),
        recordingsBefore: new Date(before).toISOString(),
      });
    expect((await reach(firstEnded)).streams).toEqual([]);
    expect((await reach(firstEnded + 1)).streams).toHaveLength(1);
    expect((await reach(lastEnded + 1)).streams).toHaveLength(3);
    expect([...(await reach(lastEnded + 1)).recordings].sort()).toEqual(['REheld', 'REold']);
  });

  it("is set by the tenant's admin or compliance officer, not by an analyst", async () => {
    const policy = { tenantId: DEMO_TENANT, policy: { transcriptsDays: 30, recordingsDays: 30 } };
    expect((await as('analyst').command('SetRetentionPolicy', policy)).status).toBe(403);
    expect(
      (await as('tenant_admin').command('SetRetentionPolicy', { ...policy, policy: { transcriptsDays: 0 } }))
        .status,
    ).toBe(400);
    await send('SetRetentionPolicy', policy, 'compliance');
    await send(
      'PlaceLegalHold',
      {
        tenantId: DEMO_TENANT,
        holdId: 'claim-114',
        target: { kind: 'call', callId: 'CA-r-held' },
        reason: 'Claim 114',
      },
      'compliance',
    );
    await send(
      'PlaceLegalHold',
      {
        tenantId: DEMO_TENANT,
        holdId: 'dispute-7',
        target: { kind: 'subject', subject: { kind: 'phone', value: KEPT_CALLER } },
        reason: 'Billing dispute',
      },
      'tenant_admin',
    );
    await eventually(async () => {
      const rows = await processing
        .readStore()
        .query(`SELECT 1 FROM events WHERE type IN ('RetentionPolicySet', 'LegalHoldPlaced')`);
      expect(rows).toHaveLength(3);
    });
  });

  it('keeps everything until the cutoff passes, then erases what no hold keeps, until the hold is released', async () => {
    // The day the first call is exactly 30 days old: nothing is older than the cutoff.
    const none = await runAt(new Date(firstEnded + 30 * DAY));
    expect(none.streams).toEqual([]);
    expect(deleted).toEqual([]);
    expect(keyKept('CA-r-old')).toBe(true);

    // The next day: the old call goes, the held call and the held person's call stay.
    const next = await runAt(new Date(lastEnded + 31 * DAY));
    expect(next.streams).toEqual([streamName('call', DEMO_TENANT, 'CA-r-old')]);
    expect(next.recordings).toEqual([{ recordingId: 'REold', outcome: 'deleted' }]);
    expect(deleted).toEqual(['REold']);
    expect(keyKept('CA-r-old')).toBe(false);
    expect(keyKept('CA-r-held')).toBe(true);
    expect(keyKept('CA-r-person')).toBe(true);
    expect(await transcriptOf('CA-r-old')).not.toContain(SAID);
    expect(await transcriptOf('CA-r-held')).toContain(SAID);
    const scrubbed = await processing
      .readStore()
      .query<{ text: string }>(`SELECT text FROM utterances FINAL WHERE call_id = 'CA-r-old'`);
    expect(scrubbed.map((row) => row.text).join(' ')).not.toContain(SAID);

    // The same day again: nothing more (the day's run is recorded once).
    expect(await compliance.retention()?.runNow()).toEqual([
      streamName('erasure', DEMO_TENANT, `retention-${clock.toISOString().slice(0, 10)}`),
    ]);
    expect(deleted).toEqual(['REold']);

    // The claim is settled: the next day's run takes the held call and its recording; the person stays held.
    await send('ReleaseLegalHold', { tenantId: DEMO_TENANT, holdId: 'claim-114' }, 'compliance');
    await eventually(async () => {
      expect(
        await processing.readStore().query(`SELECT 1 FROM events WHERE type = 'LegalHoldReleased'`),
      ).toHaveLength(1);
    });
    // The compliance screen lists each day's run beside people's erasures.
    await eventually(async () => {
      const listed = await as('compliance').request<{ items: { kind: string; status: string }[] }>(
        'GET',
        '/api/compliance/erasures',
      );
      const runs = listed.body.items.filter((e) => e.kind === 'retention');
      expect(runs.map((e) => e.status)).toEqual(['erased', 'erased']);
    });
    const released = await runAt(new Date(lastEnded + 32 * DAY));
    expect(released.streams).toEqual([streamName('call', DEMO_TENANT, 'CA-r-held')]);
    expect(deleted).toEqual(['REold', 'REheld']);
    expect(keyKept('CA-r-person')).toBe(true);
  }, 60_000);
});
