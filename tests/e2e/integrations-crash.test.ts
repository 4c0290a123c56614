import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createSqliteEventStore } from '@ccp/command-service';
import { DEMO_TENANT } from '@ccp/infra';
import { decodeEvent, type EventEnvelope } from '@ccp/schemas';
import { spawnPlatform, type PlatformProcess } from '../support/process.js';
import { apiClient, login } from '../support/platform.js';
import { waitFor } from '../support/campaign-dialer.js';

// Webhook deliveries with the platform SIGKILLed while attempts are in flight. The test receiver (a stand-in of a
// tenant's Standard Webhooks endpoint) runs in this process, outside the killed one, answers slowly and keeps
// every webhook-id it got: after a restart every event is delivered at least once, a repeat only ever under the
// same webhook-id, and each delivery's log ends delivered.
const dataDir = mkdtempSync(join(tmpdir(), 'ccp-integrations-crash-'));
const running: PlatformProcess[] = [];
let receiver: Server | undefined;
afterAll(async () => {
  for (const p of running) p.child.kill('SIGKILL');
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

const EVENTS = 32;

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

const readLog = async (): Promise<EventEnvelope[]> => {
  const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  try {
    const events: EventEnvelope[] = [];
    for (let position = 0; ;) {
      const batch = await store.readAll({ after: position, maxCount: 1000 });
      const last = batch.at(-1);
      if (!last) return events;
      for (const recorded of batch) {
        const decoded = decodeEvent(recorded);
        if (decoded.ok) events.push(decoded.value);
      }
      position = last.position;
    }
  } finally {
    await store.close();
  }
};

describe('the platform killed while webhooks are in flight', () => {
  it(
    'delivers every event at least once, repeats only under the same webhook-id',
    { timeout: 60_000 },
    async () => {
      let secret = '';
      const received: { id: string; eventId: string; verified: boolean }[] = [];
      // Every request as it arrives (before it is answered), with the platform run it came from.
      let run = 1;
      const arrived: { id: string; run: number }[] = [];
      const answered = new Set<string>();
      // Once some are delivered the receiver stops answering: what arrives then is surely in flight at the kill.
      let hold = false;
      const held = new Set<string>();
      receiver = createHttpServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          let verified = false;
          try {
            new Webhook(secret).verify(body, {
              'webhook-id': String(req.headers['webhook-id']),
              'webhook-timestamp': String(req.headers['webhook-timestamp']),
              'webhook-signature': String(req.headers['webhook-signature']),
            });
            verified = true;
          } catch {
            verified = false;
          }
          const eventId = (JSON.parse(body) as { data: { eventId: string } }).data.eventId;
          const id = String(req.headers['webhook-id']);
          arrived.push({ id, run });
          if (hold) {
            held.add(id);
            return;
          }
          // Slow: attempts are still in flight when the kill lands.
          setTimeout(() => {
            received.push({ id, eventId, verified });
            if (!res.destroyed) answered.add(id);
            res.writeHead(200).end();
          }, 150);
        });
      });
      await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
      const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

      const env = {
        DATA_DIR: dataDir,
        PORT: String(await freePort()),
        SUPER_ADMIN_EMAIL: 'root@integrations-crash.example',
        SUPER_ADMIN_PASSWORD: 'integrations-crash-password',
        STREAM_PROCESSING: 'false',
        OUTBOUND_ALLOW: '127.0.0.1/32',
        INTEGRATION_CONNECTION_CONCURRENCY: '2',
        INTEGRATION_RETRY_BASE_MS: '50',
      };
      const t0 = Date.now();
      const mark = (what: string) => process.env['SHOW_TIMES'] && console.log(what, Date.now() - t0);
      const first = await spawnPlatform(env);
      mark('first up');
      running.push(first);
      const { demoPassword } = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as {
        demoPassword: string;
      };
      const admin = apiClient(first.url, await login(first.url, 'admin@demo.example', demoPassword));
      const created = await admin.request('POST', '/api/integrations/connections', {
        name: 'Crash receiver',
        settings: { kind: 'webhook', url: hook, eventTypes: ['TicketOpened'] },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      secret = (created.body as { generatedSecrets: { signingSecret: string } }).generatedSecrets
        .signingSecret;
      for (let i = 0; i < EVENTS; i += 1) {
        const opened = await admin.command('OpenTicket', {
          tenantId: DEMO_TENANT,
          ticketId: `crash-ticket-${i}`,
          subject: `Ticket ${i}`,
          description: 'Opened before the crash',
        });
        expect(opened.status).toBe(200);
      }
      await waitFor(
        async () => received.length,
        (n) => n >= 4,
        30_000,
        'some deliveries',
      );
      hold = true;
      await waitFor(
        () => Promise.resolve(held.size),
        (n) => n >= 1,
        30_000,
        'a request left unanswered',
      );
      mark('killing');
      first.child.kill('SIGKILL');
      await first.exited;
      expect(received.length).toBeLessThan(EVENTS);
      // Requests the receiver had and never answered: attempts in flight at the kill.
      const unanswered = new Set([...held].filter((id) => !answered.has(id)));
      expect(unanswered.size).toBeGreaterThan(0);
      run = 2;
      hold = false;

      const second = await spawnPlatform(env);
      running.push(second);
      mark('second up');
      const done = (log: EventEnvelope[]) => {
        const succeeded = log.filter((e) => e.type === 'DeliverySucceeded').length;
        return succeeded >= EVENTS;
      };
      const log = await waitFor(readLog, done, 40_000, 'every delivery recorded as delivered');
      mark('all delivered');
      second.child.kill('SIGTERM');
      await second.exited;

      const tickets = log.filter((e) => e.type === 'TicketOpened' && e.streamId.includes('crash-ticket-'));
      expect(tickets).toHaveLength(EVENTS);
      const deliveries = new Map<string, EventEnvelope[]>();
      for (const e of log.filter((e) => e.streamId.startsWith(`delivery-${DEMO_TENANT}.`)))
        deliveries.set(e.streamId.split('.')[1] ?? '', [
          ...(deliveries.get(e.streamId.split('.')[1] ?? '') ?? []),
          e,
        ]);
      const sourceOf = new Map(
        [...deliveries].map(([id, events]) => [
          id,
          (events[0]?.data as { source: { eventId: string } }).source.eventId,
        ]),
      );
      // One delivery per event, each delivered once in its log and ending there.
      expect([...sourceOf.values()].sort()).toEqual(tickets.map((t) => t.id).sort());
      for (const [id, events] of deliveries) {
        expect(events[0]?.type, id).toBe('DeliveryScheduled');
        expect(
          events.filter((e) => e.type === 'DeliverySucceeded'),
          id,
        ).toHaveLength(1);
        expect(events.at(-1)?.type, id).toBe('DeliverySucceeded');
        const attempts = events.flatMap((e) =>
          'attempt' in (e.data as object) ? [(e.data as { attempt: number }).attempt] : [],
        );
        expect(attempts, id).toEqual([...attempts].sort((a, b) => a - b));
      }
      // Every event reached the receiver; a repeat carries the same webhook-id for the same event.
      expect(received.every((r) => r.verified)).toBe(true);
      for (const r of received) expect(sourceOf.get(r.id), r.id).toBe(r.eventId);
      expect(new Set(received.map((r) => r.eventId)).size).toBe(EVENTS);
      // What was in flight at the kill was sent again after the restart, under the same webhook-id.
      const again = new Set(arrived.filter((a) => a.run === 2).map((a) => a.id));
      expect([...unanswered].filter((id) => again.has(id))).toEqual([...unanswered]);
    },
  );
});
