/**
 * GDPR erasure of a subject with many calls (issue 18), printed as figures (never asserted): the real platform
 * (embedded event store, bus and chdb read store, every processor, the compliance module) holds CALLS calls from
 * one number, each started, with two caller lines and two replies, and ended, among as many calls from other
 * numbers; then the time to find what is held about the number (read store), and the time from the
 * EraseDataSubject command to the erasure's certificate (find, plan, shred the keys, scrub every projection,
 * certify) and to its own key being gone.
 * Run with `npx tsx tests/bench/gdpr-erasure.ts [calls]` (default 1000).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import { subjectOf } from '@ccp/command-service';
import { complianceModule } from '@ccp/media-gateway';
import { findSubjectHoldings } from '@ccp/projections';
import { createProcessors } from '@ccp/stream-processors';
import { streamProcessing } from '@ccp/infra';
import { startTestPlatform } from '../support/platform.js';

const CALLS = Number(process.argv[2] ?? 1000);
const SUBJECT = '+15550001111';
const TENANT = 'bench';
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const processing = streamProcessing(createProcessors());
const compliance = complianceModule(() => processing.readStore());
const test = await startTestPlatform(undefined, { processing, modules: () => [compliance] });
const { handler, store, keys } = test.platform;
const send = (type: string, data: Record<string, unknown>) =>
  handler.handleTrusted(type, { tenantId: TENANT, ...data }, { actor: SYSTEM_ACTOR });

try {
  await handler.handleTrusted(
    'CreateTenant',
    { tenantId: TENANT, name: 'Bench', planTier: 'enterprise' },
    { actor: SYSTEM_ACTOR },
  );
  const recordStarted = performance.now();
  const record = async (callId: string, from: string) => {
    await send('StartCall', {
      callId,
      direction: 'inbound',
      from,
      to: '+15550100001',
      provider: 'simulator',
      agentId: 'sofia',
    });
    for (const n of [0, 1]) {
      await send('RecordUtterance', {
        callId,
        utteranceId: `c${n}`,
        speaker: 'caller',
        text: `I would like to book a cleaning, this is line ${n}`,
        confidence: 0.9,
        language: 'en',
      });
      await send('RecordAiReply', {
        callId,
        utteranceId: `a${n}`,
        text: 'Of course, let me help you with that.',
        language: 'en',
        model: 'offline',
        promptTokens: 100,
        completionTokens: 10,
        latencyMs: 30,
      });
    }
    await send('EndCall', { callId, outcome: 'resolved' });
  };
  for (let i = 0; i < CALLS; i++) {
    await record(`CA-s-${i}`, SUBJECT);
    await record(`CA-o-${i}`, `+1555100${String(i).padStart(4, '0')}`);
  }
  const recordMs = performance.now() - recordStarted;
  // Projected: every call of the subject is in the read store, ended.
  const readStore = processing.readStore();
  for (;;) {
    const [row] = await readStore.query<{ n: string }>(
      `SELECT toString(count()) AS n FROM calls FINAL WHERE tenant_id = {t:String} AND status = 'ended'`,
      { t: TENANT },
    );
    if (Number(row?.n) === 2 * CALLS) break;
    await sleep(200);
  }
  const findStarted = performance.now();
  const held = await findSubjectHoldings(readStore, TENANT, { kind: 'phone', value: SUBJECT });
  const findMs = performance.now() - findStarted;

  const erasureStream = `erasure-${TENANT}.er-bench`;
  const started = performance.now();
  await send('EraseDataSubject', { erasureId: 'er-bench', subject: { kind: 'phone', value: SUBJECT } });
  let certifiedMs = 0;
  for (;;) {
    const events = await store.readStream(erasureStream);
    if (certifiedMs === 0 && events.some((e) => e.type === 'DataSubjectErased'))
      certifiedMs = performance.now() - started;
    if (certifiedMs > 0 && keys.existingKey(subjectOf(TENANT, erasureStream)) === undefined) break;
    await sleep(5);
  }
  const doneMs = performance.now() - started;
  const [erased] = (await store.readStream(erasureStream)).filter((e) => e.type === 'DataSubjectErased');
  const certificate = (erased?.data as { certificate: { keysErased: number; rows: Record<string, number> } })
    .certificate;

  console.log(
    `GDPR erasure of one caller with ${fmt(CALLS)} calls (among ${fmt(2 * CALLS)} calls of the tenant)`,
  );
  console.log(`  recording the calls:       ${fmt(recordMs / 1000, 1)} s (${fmt(CALLS * 12)} commands)`);
  console.log(`  finding what is held:      ${fmt(findMs)} ms (${fmt(held.streams.length)} streams)`);
  console.log(`  command to certificate:    ${fmt(certifiedMs)} ms`);
  console.log(`  and its own key erased:    ${fmt(doneMs)} ms`);
  console.log(`  keys erased:               ${fmt(certificate.keysErased)}`);
  console.log(`  rows scrubbed:             ${JSON.stringify(certificate.rows)}`);
  console.log(`  load average (1 min):      ${fmt(loadavg()[0] ?? 0, 2)}`);
} finally {
  await test.stop();
}
