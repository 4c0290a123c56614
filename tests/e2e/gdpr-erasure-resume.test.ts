import { afterAll, describe, expect, it } from 'vitest';
import { subjectOf, verifyStreamChain } from '@ccp/command-service';
import { complianceModule, type RecordingDeleter } from '@ccp/media-gateway';
import { queryApiModule } from '@ccp/query-api';
import { createProcessors } from '@ccp/stream-processors';
import { streamProcessing } from '@ccp/infra';
import { recordCall } from '../support/calls.js';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';
import { eventually } from '../support/query-platform.js';

/*
 * An erasure interrupted after its plan (the recording provider down, then the platform stopped) is finished by
 * the next start from the recorded plan, and its certificate says all that was erased.
 */

const TENANT = 'resume';
const CALLER = '+15550001111'; // recordCall's caller
const RECORDING = `RE${'b'.repeat(32)}`;
const STREAM = `erasure-${TENANT}.er-1`;

let test: TestPlatform | undefined;
afterAll(async () => {
  await test?.stop();
});

const start = async (dataDir: string | undefined, recordings: RecordingDeleter) => {
  const processing = streamProcessing(createProcessors());
  const compliance = complianceModule(() => processing.readStore(), { recordings });
  test = await startTestPlatform(dataDir, {
    processing,
    modules: () => [queryApiModule(() => processing.readStore(), verifyStreamChain), compliance],
  });
  return {
    test,
    processing,
    root: apiClient(test.url, await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password)),
  };
};

const typesOf = async (platform: TestPlatform) =>
  (await platform.platform.store.readStream(STREAM)).map((e) => e.type);

describe('an interrupted erasure', () => {
  it('is finished from its plan after a restart', { timeout: 120_000 }, async () => {
    let tries = 0;
    const first = await start(undefined, () => {
      tries += 1;
      return Promise.reject(new Error('the provider is down'));
    });
    const { root } = first;
    expect(
      (await root.command('CreateTenant', { tenantId: TENANT, name: 'Resume', planTier: 'professional' }))
        .status,
    ).toBe(200);
    await recordCall(root, TENANT, 'CA-r-1');
    await root.command('MarkRecordingAvailable', {
      tenantId: TENANT,
      callId: 'CA-r-1',
      recordingId: RECORDING,
      url: `https://api.twilio.com/2010-04-01/Accounts/AC${'1'.repeat(32)}/Recordings/${RECORDING}`,
      durationSeconds: 5,
    });
    await eventually(async () => {
      const [row] = await first.processing
        .readStore()
        .query<{ n: string }>(
          `SELECT toString(count()) AS n FROM calls FINAL WHERE tenant_id = {t:String} AND has_recording = 1`,
          { t: TENANT },
        );
      expect(row?.n).toBe('1');
    });
    const erase = await root.request('POST', '/api/compliance/erasures', {
      tenantId: TENANT,
      erasureId: 'er-1',
      subject: { kind: 'phone', value: CALLER },
    });
    expect(erase.status, JSON.stringify(erase.body)).toBe(202);
    await eventually(async () => expect(tries).toBeGreaterThan(1));
    // Planned, but held back by the provider before anything was erased: not certified.
    expect(await typesOf(first.test)).toEqual(['DataSubjectErasureRequested', 'DataSubjectErasurePlanned']);
    expect(first.test.platform.keys.existingKey(subjectOf(TENANT, `call-${TENANT}.CA-r-1`))).toBeDefined();
    const dataDir = first.test.dataDir;
    await first.test.stop({ keepData: true });

    const deleted: string[] = [];
    const second = await start(dataDir, (_tenantId, recordingId) => {
      deleted.push(recordingId);
      return Promise.resolve('deleted');
    });
    await eventually(async () =>
      expect(await typesOf(second.test)).toEqual([
        'DataSubjectErasureRequested',
        'DataSubjectErasurePlanned',
        'DataSubjectErased',
      ]),
    );
    const [erased] = (await second.test.platform.store.readStream(STREAM)).filter(
      (e) => e.type === 'DataSubjectErased',
    );
    expect((erased?.data as { certificate: unknown }).certificate).toMatchObject({
      streams: [`call-${TENANT}.CA-r-1`],
      counts: { call: 1 },
      keysErased: 1,
      rows: { calls: 1, utterances: 4 },
      recordings: [{ recordingId: RECORDING, outcome: 'deleted' }],
    });
    expect(deleted).toEqual([RECORDING]);
    expect(second.test.platform.keys.existingKey(subjectOf(TENANT, `call-${TENANT}.CA-r-1`))).toBeUndefined();
    await eventually(async () =>
      expect(second.test.platform.keys.existingKey(subjectOf(TENANT, STREAM))).toBeUndefined(),
    );
  });
});
