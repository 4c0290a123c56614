import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '@ccp/command-service';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { localTwilioAccount } from '@ccp/media-gateway';
import {
  gatherParams,
  sendSignedRequest,
  twilioSid,
  voiceParams,
  parseTwiml,
  type Verb,
} from '@ccp/media-gateway/simulator';
import { MONDAY_NOON_NEW_YORK } from '../support/demo-clock.js';
import { spawnPlatform, type PlatformProcess } from '../support/process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'ccp-gateway-crash-'));
// The embedded profile's local Twilio account (made here as the platform makes it at its first start): the
// demo clock is refused with a real Twilio account.
const { accountSid, authToken } = localTwilioAccount(dataDir);
const env = {
  DATA_DIR: dataDir,
  SUPER_ADMIN_EMAIL: 'root@crash.example',
  SUPER_ADMIN_PASSWORD: 'crash-test-password',
  STREAM_PROCESSING: 'false',
  DEMO_CLOCK: 'true',
};
const running: PlatformProcess[] = [];
afterAll(() => {
  for (const p of running) p.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const CALLER = '+15557001234';
const callSid = twilioSid('CA');
const parties = {
  callSid,
  accountSid,
  from: CALLER,
  to: DEMO_NUMBER,
  caller: CALLER,
  direction: 'inbound' as const,
  // Answered on a weekday at noon in New York: the clinic is open and Sofia, the day agent, takes the call.
  demoAt: MONDAY_NOON_NEW_YORK,
};

/** What the agent said in a TwiML answer (its <Say> lines, inside <Gather> too). */
const said = (verbs: readonly Verb[]): string =>
  verbs
    .flatMap((v) =>
      v.verb === 'Say'
        ? [v.text]
        : v.verb === 'Gather'
          ? v.prompts.flatMap((p) => (p.verb === 'Say' ? [p.text] : []))
          : [],
    )
    .join(' ');

/** Where the last answer's <Gather> sends the caller's next words (path and query: the port changes). */
let nextTurn = '';
const webhook = async (platform: PlatformProcess, path: string, params: Record<string, string>) => {
  const url = `${platform.url}${path}`;
  const response = await sendSignedRequest({ url, authToken, params });
  expect(response.status).toBe(200);
  const verbs = parseTwiml(response.body, url);
  const gather = verbs.find((v) => v.verb === 'Gather');
  if (gather?.verb === 'Gather') nextTurn = new URL(gather.action).pathname + new URL(gather.action).search;
  return said(verbs);
};
const turn = (platform: PlatformProcess, text: string) =>
  webhook(platform, nextTurn, {
    ...voiceParams(parties, 'in-progress'),
    ...gatherParams({ kind: 'speech', text, confidence: 0.92 }),
  });

describe('the platform killed in the middle of a call', () => {
  it(
    'picks the call up where it was after a restart, with nothing lost and nothing recorded twice',
    { timeout: 120_000 },
    async () => {
      const first = await spawnPlatform(env);
      running.push(first);
      expect(await webhook(first, '/twilio/voice', voiceParams(parties, 'ringing'))).toBe(
        'Thanks for calling Bright Smile Dental, this is Sofia. How can I help?',
      );
      // The demo clinic books through its services: free times are offered.
      expect(await turn(first, "I'd like to book a cleaning")).toMatch(
        /I've got .+ What time works for you\?/,
      );

      first.child.kill('SIGKILL');
      await first.exited;
      const second = await spawnPlatform(env);
      running.push(second);

      // The booking goes on: the restarted gateway rebuilt the conversation from the call's events. The demo
      // clock does not survive a restart (the call is back on the real clock), so the caller names a weekday:
      // the next Tuesday at 3 pm is in opening hours whatever day the test runs ("tomorrow" is not on Fridays).
      expect(await turn(second, 'on Tuesday at 3 pm')).toMatch(/name/i);
      expect(await turn(second, 'Ana Lopez')).toMatch(/shall i book/i);
      expect(await turn(second, 'Yes please')).toMatch(/booked/i);
      const status = await sendSignedRequest({
        url: `${second.url}/twilio/status`,
        authToken,
        params: { ...voiceParams(parties, 'completed'), CallDuration: '40' },
      });
      expect(status.status).toBe(204);
      second.child.kill('SIGTERM');
      await second.exited;

      const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
      const events = await store.readStream(`call-${DEMO_TENANT}.${callSid}`);
      await store.close();
      const types = events.map((e) => e.type);
      expect(types.filter((t) => t === 'CallStarted')).toHaveLength(1);
      expect(events.find((e) => e.type === 'CallStarted')?.data).toMatchObject({ agentId: 'sofia' });
      expect(types.filter((t) => t === 'CallEnded')).toHaveLength(1);
      const ids = (type: string) =>
        events
          .filter((e) => e.type === type)
          .map(
            (e) =>
              (e.data as { utteranceId?: string; toolCallId?: string }).utteranceId ??
              (e.data as { toolCallId: string }).toolCallId,
          );
      // Caller lines c1..c4 and replies a1..a5 (greeting and four answers), each once, in order.
      expect(ids('UtteranceRecorded')).toEqual([1, 2, 3, 4].map((n) => `${callSid}-c${n}`));
      expect(ids('AiReplied')).toEqual([1, 2, 3, 4, 5].map((n) => `${callSid}-a${n}`));
      // Free times looked up before the kill and again for the time asked after it, then the booking.
      const tools = events
        .filter((e) => e.type === 'ToolInvoked')
        .map((e) => (e.data as { name: string }).name);
      expect(tools).toEqual(['find_free_slots', 'find_free_slots', 'book_appointment']);
      expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
    },
  );
});
