import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStreamChain } from '@ccp/command-service';
import { complianceModule } from '@ccp/media-gateway';
import { queryApiModule } from '@ccp/query-api';
import { createProcessors } from '@ccp/stream-processors';
import { configFromEnv, DEMO_TENANT, enginesOf, seedDemo, streamProcessing } from '@ccp/infra';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';
import { eventually } from '../support/query-platform.js';
import { DEMO_PASSWORD } from '../support/read-side.js';

/*
 * An erasure while the read side is writing what it read before the keys went: the call processor is slowed so
 * that a batch holding a caller's words (decrypted) is still in flight when the caller is erased. The erasure
 * pauses the processors (the batch is written first), shreds and scrubs, then lets them go on: the words never
 * reappear in the read store. Without the pause, the late batch wrote them back after the scrub.
 */

const CALLER = '+15550004444';
const LATE = 'My account number is 99887766 and my name is Rosa';
let slow = false;
/** Slows the rebuild's batches only (they write to the rebuild's own read store, not the live one). */
let slowRebuild = false;
let test: TestPlatform;
const processing = streamProcessing(
  createProcessors().map((processor) =>
    processor.tables.includes('utterances')
      ? {
          ...processor,
          handle: async (...args: Parameters<typeof processor.handle>) => {
            if (slow) await sleep(2500);
            if (slowRebuild && args[1].readStore !== processing.readStore()) await sleep(2500);
            return processor.handle(...args);
          },
        }
      : processor,
  ),
);
const UTTERANCES = createProcessors().find((p) => p.tables.includes('utterances'))?.name ?? '';
const compliance = complianceModule(() => processing.readStore(), {
  readSidePaused: (work) => processing.whilePaused(work),
});

const texts = async (callId = 'CA-race'): Promise<string> =>
  JSON.stringify(
    await processing
      .readStore()
      .query(`SELECT text FROM utterances FINAL WHERE tenant_id = {t:String} AND call_id = {c:String}`, {
        t: DEMO_TENANT,
        c: callId,
      }),
  );

const erasedOnce = async (root: ReturnType<typeof apiClient>, phone: string): Promise<void> => {
  const erased = await root.request<{ erasureId: string }>('POST', '/api/compliance/erasures', {
    tenantId: DEMO_TENANT,
    subject: { kind: 'phone', value: phone },
  });
  expect(erased.status).toBe(202);
  await eventually(async () => {
    const events = await test.platform.store.readStream(`erasure-${DEMO_TENANT}.${erased.body.erasureId}`);
    expect(events.map((e) => e.type)).toContain('DataSubjectErased');
  }, 30_000);
};

beforeAll(async () => {
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
}, 60_000);

afterAll(async () => {
  await test.stop();
});

describe('an erasure during a read-side batch', () => {
  it(
    'leaves no clear text that the batch read before the keys were shredded',
    { timeout: 60_000 },
    async () => {
      const root = apiClient(test.url, await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
      const send = async (type: string, data: Record<string, unknown>) => {
        const response = await root.command(type, { tenantId: DEMO_TENANT, callId: 'CA-race', ...data });
        expect(response.status, JSON.stringify(response.body)).toBe(200);
      };
      await send('StartCall', {
        direction: 'inbound',
        from: CALLER,
        to: '+15550100001',
        provider: 'simulator',
        agentId: 'sofia',
      });
      await send('RecordUtterance', {
        utteranceId: 'c0',
        speaker: 'caller',
        text: 'Hello there',
        confidence: 0.9,
        language: 'en',
      });
      await eventually(async () => expect(await texts()).toContain('Hello there'));

      // The next line is read (and decrypted) by the slowed processor; the erasure comes while it is in flight.
      slow = true;
      await send('RecordUtterance', {
        utteranceId: 'c1',
        speaker: 'caller',
        text: LATE,
        confidence: 0.9,
        language: 'en',
      });
      await sleep(300);
      await erasedOnce(root, CALLER);
      slow = false;
      // Whatever the slowed batch and its retry write, they write after the keys went.
      await sleep(3500);
      await eventually(async () => expect(await texts()).toContain('[erased]'));
      expect(await texts()).not.toContain('99887766');
      expect(await texts()).not.toContain('Hello there');
    },
  );

  it(
    'leaves no clear text in a projection being rebuilt: the rebuild starts again after the erasure',
    { timeout: 90_000 },
    async () => {
      const root = apiClient(test.url, await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
      const caller = '+15550005555';
      const secret = 'My card ends in 4417 and I live at 12 Elm Street';
      for (const [type, data] of [
        [
          'StartCall',
          { direction: 'inbound', from: caller, to: '+15550100001', provider: 'simulator', agentId: 'sofia' },
        ],
        [
          'RecordUtterance',
          { utteranceId: 'r0', speaker: 'caller', text: secret, confidence: 0.9, language: 'en' },
        ],
      ] as const) {
        const response = await root.command(type, {
          tenantId: DEMO_TENANT,
          callId: 'CA-rebuild',
          ...data,
        });
        expect(response.status, JSON.stringify(response.body)).toBe(200);
      }
      await eventually(async () => expect(await texts('CA-rebuild')).toContain('4417'));

      // The rebuild reads (and decrypts) the caller's words from position 0, and is still filling its own tables
      // when the caller is erased.
      slowRebuild = true;
      const rebuilt = root.request('POST', `/api/admin/projections/${UTTERANCES}/rebuild`, {});
      await sleep(500);
      await erasedOnce(root, caller);
      slowRebuild = false;
      expect((await rebuilt).status).toBe(200);
      await eventually(async () => expect(await texts('CA-rebuild')).toContain('[erased]'));
      expect(await texts('CA-rebuild')).not.toContain('4417');
    },
  );
});
