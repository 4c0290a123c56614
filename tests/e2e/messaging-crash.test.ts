import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '@ccp/command-service';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { decodeEvent, type EventEnvelope } from '@ccp/schemas';
import { startLocalCarrier, twilioSid } from '@ccp/media-gateway/simulator';
import { spawnPlatform, type PlatformProcess } from '../support/process.js';
import { apiClient, login } from '../support/platform.js';
import { waitFor } from '../support/campaign-dialer.js';

// Reminders with the platform SIGKILLed around the send: once after the worker claimed each message and before
// it called the provider, once after the provider accepted each and before RecordMessageSent. The test hook
// MESSAGING_TEST_PAUSE_AT stops the worker at that point so the kill lands there. The Twilio stand-in (the
// local carrier) runs in this process, outside the killed one, so it keeps every message the platform sent.
const dataDir = mkdtempSync(join(tmpdir(), 'ccp-messaging-crash-'));
const accountSid = twilioSid('AC');
const authToken = 'messaging-crash-auth-token-0123456789';
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

const readMessages = async (): Promise<Map<string, EventEnvelope[]>> => {
  const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  try {
    const byMessage = new Map<string, EventEnvelope[]>();
    let position = 0;
    for (;;) {
      const batch = await store.readAll({ after: position, maxCount: 1000 });
      for (const recorded of batch) {
        if (!recorded.streamId.startsWith(`message-${DEMO_TENANT}.`)) continue;
        const decoded = decodeEvent(recorded);
        if (!decoded.ok) continue;
        const id = recorded.streamId.slice(`message-${DEMO_TENANT}.`.length);
        byMessage.set(id, [...(byMessage.get(id) ?? []), decoded.value]);
      }
      const last = batch.at(-1);
      if (!last) return byMessage;
      position = last.position;
    }
  } finally {
    await store.close();
  }
};

const pausedAt = (p: PlatformProcess, point: string, ids: readonly string[]) =>
  ids.every((id) => p.output().includes(`messaging test pause: ${point} ${id}`));

const toOf = (id: string) => `+1212555${id.slice(-4)}`;

const sentSids = (byId: Map<string, EventEnvelope[]>): string[] =>
  [...byId.values()].flatMap((events) =>
    events.flatMap((e) =>
      e.type === 'MessageSent' ? [(e.data as { providerMessageId: string }).providerMessageId] : [],
    ),
  );

describe('the platform killed around the send time of reminders', () => {
  it(
    'sends each reminder exactly once and records one MessageSent each after restarts',
    { timeout: 240_000 },
    async () => {
      const carrier = await startLocalCarrier({ accountSid, authToken });
      stopCarrier = () => carrier.stop();
      const port = await freePort();
      const env = {
        DATA_DIR: dataDir,
        PORT: String(port),
        SUPER_ADMIN_EMAIL: 'root@messaging-crash.example',
        SUPER_ADMIN_PASSWORD: 'messaging-crash-password',
        STREAM_PROCESSING: 'false',
        TWILIO_ACCOUNT_SID: accountSid,
        TWILIO_AUTH_TOKEN: authToken,
        TWILIO_API_URL: carrier.url,
      };
      const schedule = async (url: string, ids: readonly string[]) => {
        const { demoPassword } = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as {
          demoPassword: string;
        };
        const api = apiClient(url, await login(url, 'admin@demo.example', demoPassword));
        for (const messageId of ids) {
          const scheduled = await api.command('ScheduleMessage', {
            tenantId: DEMO_TENANT,
            messageId,
            channel: 'sms',
            to: toOf(messageId),
            from: DEMO_NUMBER,
            purpose: 'reminder',
            language: 'en',
            body: `Reminder ${messageId}: your appointment is tomorrow at 09:30.`,
            dueAt: new Date().toISOString(),
          });
          expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(200);
        }
      };
      const beforeSend = ['crash-a-0001', 'crash-a-0002', 'crash-a-0003'];
      const afterSend = ['crash-b-0004', 'crash-b-0005', 'crash-b-0006'];
      const all = [...beforeSend, ...afterSend];
      const ours = () => carrier.messages.sent.filter((m) => m.to.startsWith('+1212555'));

      // 1. Killed after each claim, before the provider call: nothing reached the provider.
      const first = await spawnPlatform({ ...env, MESSAGING_TEST_PAUSE_AT: 'before-send' });
      running.push(first);
      await schedule(first.url, beforeSend);
      await waitFor(
        async () => first,
        (p) => pausedAt(p, 'before-send', beforeSend),
        60_000,
        'claims paused',
      );
      first.child.kill('SIGKILL');
      await first.exited;
      expect(carrier.messages.sent).toEqual([]);

      // 2. Killed after the provider accepted each, before RecordMessageSent: the interrupted claims of step 1
      // are found missing at the provider and tried again (after the decider's backoff), new ones sent at once.
      const second = await spawnPlatform({ ...env, MESSAGING_TEST_PAUSE_AT: 'after-send' });
      running.push(second);
      await schedule(second.url, afterSend);
      await waitFor(
        async () => second,
        (p) => pausedAt(p, 'after-send', all),
        120_000,
        'sends paused',
      );
      second.child.kill('SIGKILL');
      await second.exited;
      expect(
        ours()
          .map((m) => m.to)
          .sort(),
      ).toEqual(all.map(toOf).sort());

      // 3. Started normally: each send the provider has is found and recorded, none made again.
      const third = await spawnPlatform(env);
      running.push(third);
      // The demo data's own reminders go through the same worker and kills: every message the stand-in holds,
      // theirs too, must end up recorded as sent.
      const messages = await waitFor(
        readMessages,
        (byId) =>
          all.every((id) => byId.get(id)?.some((e) => e.type === 'MessageSent')) &&
          carrier.messages.sent.every((m) => sentSids(byId).includes(m.sid)),
        60_000,
        'every message recorded as sent',
      );
      third.child.kill('SIGTERM');
      await third.exited;

      for (const id of all) {
        const events = messages.get(id) ?? [];
        expect(
          events.filter((e) => e.type === 'MessageSent'),
          id,
        ).toHaveLength(1);
        const reached = carrier.messages.sent.filter((m) => m.to === toOf(id));
        expect(reached, id).toHaveLength(1);
        expect(events.find((e) => e.type === 'MessageSent')?.data).toMatchObject({
          provider: 'twilio',
          providerMessageId: reached[0]?.sid,
        });
      }
      // The claims killed before the send were recorded as interrupted and sent on their second attempt.
      for (const id of beforeSend) {
        const failed = messages.get(id)?.filter((e) => e.type === 'MessageDeliveryFailed') ?? [];
        // (Its error text, "interrupted", is personal data encrypted at rest: not readable from here.)
        expect(failed.map((e) => (e.data as { attempt: number }).attempt)).toEqual([1]);
        expect(messages.get(id)?.find((e) => e.type === 'MessageSent')?.data).toMatchObject({ attempt: 2 });
      }
      for (const id of afterSend) {
        expect(messages.get(id)?.some((e) => e.type === 'MessageDeliveryFailed')).toBe(false);
      }
      expect(ours()).toHaveLength(all.length);
      // Exactly once for every message of the log: one MessageSent each, naming a message the stand-in holds,
      // and no message the stand-in holds named twice.
      for (const [id, events] of messages) {
        expect(events.filter((e) => e.type === 'MessageSent').length, id).toBeLessThanOrEqual(1);
      }
      expect(sentSids(messages).sort()).toEqual(carrier.messages.sent.map((m) => m.sid).sort());
    },
  );
});
