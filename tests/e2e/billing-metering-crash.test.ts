import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '@ccp/command-service';
import { DEMO_TENANT } from '@ccp/infra';
import {
  billableSeconds,
  billingPeriodOf,
  decodeEvent,
  ledgerInvoiceId,
  nextPeriod,
  periodBounds,
  roundHalfUp,
  tierPriceCents,
  type EventEnvelope,
  type InvoiceSnapshot,
  type MeterItem,
} from '@ccp/schemas';
import { spawnPlatform, type PlatformProcess } from '../support/process.js';
import { apiClient, login } from '../support/platform.js';
import { waitFor } from '../support/campaign-dialer.js';

// Each unit of usage metered exactly once across SIGKILLs, and the month's ledger invoice priced from it.
// The platform runs as `npm start` runs it, as its own OS process, on the embedded ledger, with its clock moved
// (the preload every `npm run test:at` process gets) to just before the end of a UTC month: calls are made,
// the process is killed while the usage processor meters them, and it is started again twice, the last time
// after the month ended, so the billing worker closes the month's meter and issues its invoice.
const dataDir = mkdtempSync(join(tmpdir(), 'ccp-billing-crash-'));
const running: PlatformProcess[] = [];
afterAll(() => {
  for (const p of running) p.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const CALLS = 12;
const preload = join(process.cwd(), 'tests/support/shifted-clock.mjs');
/** Moves the platform's clock so that it reads `at` now. */
const clockAt = (at: Date): Record<string, string> => ({
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim(),
  CCP_CLOCK_SHIFT_MS: String(at.getTime() - Date.now()),
});

interface Metered {
  readonly period: string;
  readonly item: MeterItem;
  readonly afterClose: boolean;
  readonly carried: boolean;
}

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
        if (decoded.ok) events.push({ ...decoded.value, position: recorded.position } as EventEnvelope);
      }
      position = last.position;
    }
  } finally {
    await store.close();
  }
};

const positionOf = (event: EventEnvelope): number => (event as EventEnvelope & { position: number }).position;

const meteredOf = (log: readonly EventEnvelope[]): Metered[] =>
  log.flatMap((event) => {
    if (event.type !== 'UsageMetered' || !event.streamId.startsWith(`meter-${DEMO_TENANT}.`)) return [];
    const period = event.streamId.slice(`meter-${DEMO_TENANT}.`.length);
    const data = event.data as { items: MeterItem[]; afterClose: boolean; carriedFrom?: string };
    return data.items.map((item) => ({
      period,
      item,
      afterClose: data.afterClose,
      carried: data.carriedFrom !== undefined,
    }));
  });

describe('metering across crashes', () => {
  it(
    'meters each call and reply once after SIGKILLs, and invoices the month from the meter',
    { timeout: 300_000 },
    async () => {
      const month = billingPeriodOf(new Date());
      const monthEnd = periodBounds(month).end;
      const env = {
        DATA_DIR: dataDir,
        SUPER_ADMIN_EMAIL: 'root@billing-crash.example',
        SUPER_ADMIN_PASSWORD: 'billing-crash-password',
        PAYMENTS: 'ledger',
        BILLING_CLOSE_DELAY_MINUTES: '0',
      };
      // 1. Eight minutes before the month ends: the demo's subscription moved to enterprise (which includes no
      // usage, so every unit shows on the invoice), calls made, and the process killed as they are metered.
      const first = await spawnPlatform({ ...env, ...clockAt(new Date(monthEnd.getTime() - 8 * 60_000)) });
      running.push(first);
      const root = apiClient(
        first.url,
        await login(first.url, env.SUPER_ADMIN_EMAIL, env.SUPER_ADMIN_PASSWORD),
      );
      const send = async (type: string, data: Record<string, unknown>) => {
        const response = await root.command(type, { tenantId: DEMO_TENANT, ...data });
        expect(response.status, `${type}: ${JSON.stringify(response.body)}`).toBe(200);
      };
      const { demoPassword } = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as {
        demoPassword: string;
      };
      const admin = apiClient(first.url, await login(first.url, 'admin@demo.example', demoPassword));
      const tierOf = async () =>
        (
          (await admin.request('GET', '/api/billing')).body as {
            account?: { subscription?: { tier: string } };
          }
        ).account?.subscription?.tier;
      await waitFor(tierOf, (tier) => tier === 'professional', 60_000, 'the seeded subscription recorded');
      await send('ChangeSubscriptionTier', { tier: 'enterprise' });
      await waitFor(tierOf, (tier) => tier === 'enterprise', 60_000, 'the tier change recorded');

      const callIds = Array.from({ length: CALLS }, (_, i) => `CAcrash${String(i).padStart(4, '0')}`);
      for (const callId of callIds) {
        await send('StartCall', {
          callId,
          direction: 'inbound',
          from: '+15550001111',
          to: '+15550100001',
          provider: 'simulator',
          agentId: 'sofia',
        });
      }
      for (const [n, callId] of callIds.entries()) {
        await send('RecordUtterance', {
          callId,
          utteranceId: 'c0',
          speaker: 'caller',
          text: 'I would like to book a cleaning',
          confidence: 0.9,
          language: 'en',
        });
        await send('RecordAiReply', {
          callId,
          utteranceId: 'a0',
          text: 'Of course, let me help you with that.',
          language: 'en',
          model: 'offline',
          promptTokens: 100 + n,
          completionTokens: 10,
          latencyMs: 30,
        });
      }
      // Calls of a few seconds (the tiers bill at least 6): ended in one burst, killed while it is metered.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      for (const callId of callIds) await send('EndCall', { callId, outcome: 'resolved' });
      first.child.kill('SIGKILL');
      await first.exited;

      // 2. Started again in the same month and killed again as soon as it metered anything more.
      const before = meteredOf(await readLog()).length;
      const second = await spawnPlatform({ ...env, ...clockAt(new Date(monthEnd.getTime() - 4 * 60_000)) });
      running.push(second);
      await waitFor(
        async () => meteredOf(await readLog()).length,
        (n) => n > before,
        60_000,
        'metering to resume',
      ).catch(() => undefined); // everything may have been metered before the first kill
      second.child.kill('SIGKILL');
      await second.exited;

      // 3. After the month ended: the rest is metered and the month is closed and invoiced.
      const third = await spawnPlatform({ ...env, ...clockAt(new Date(monthEnd.getTime() + 2 * 60_000)) });
      running.push(third);
      const invoiceId = ledgerInvoiceId(DEMO_TENANT, month);
      const invoiceOf = (log: readonly EventEnvelope[]) =>
        log.findLast(
          (e) =>
            e.type === 'InvoiceRecorded' &&
            (e.data as { invoice: InvoiceSnapshot }).invoice.invoiceId === invoiceId,
        );
      const expectedUnits = (log: readonly EventEnvelope[]) =>
        log.filter(
          (e) =>
            e.tenantId === DEMO_TENANT &&
            ((e.type === 'CallEnded' && (e.data as { durationSeconds: number }).durationSeconds > 0) ||
              (e.type === 'AiReplied' &&
                (e.data as { promptTokens: number; completionTokens: number }).promptTokens +
                  (e.data as { completionTokens: number }).completionTokens >
                  0)),
        );
      const log = await waitFor(
        readLog,
        (events) => {
          const billed = meteredOf(events).filter((m) => !m.afterClose || m.carried);
          return invoiceOf(events) !== undefined && billed.length >= expectedUnits(events).length;
        },
        120_000,
        "the month's invoice and every unit metered",
      );
      third.child.kill('SIGKILL');
      await third.exited;

      // Exactly once: every call and reply of the demo tenant is one billed unit, under its position.
      const units = expectedUnits(log);
      expect(units.filter((e) => e.type === 'CallEnded')).toHaveLength(CALLS);
      const metered = meteredOf(log);
      const billed = metered.filter((m) => !m.afterClose || m.carried);
      expect(billed.map((m) => m.item.identifier).sort()).toEqual(
        units.map((e) => `u${positionOf(e)}`).sort(),
      );
      expect(new Set(metered.filter((m) => !m.carried).map((m) => m.item.identifier)).size).toBe(
        metered.filter((m) => !m.carried).length,
      );
      for (const unit of units) {
        const item = billed.find((m) => m.item.identifier === `u${positionOf(unit)}`)?.item;
        if (unit.type === 'CallEnded') {
          const seconds = (unit.data as { durationSeconds: number }).durationSeconds;
          expect(item).toMatchObject({
            resource: 'call_seconds',
            quantity: billableSeconds('enterprise', seconds),
          });
        } else {
          const data = unit.data as { promptTokens: number; completionTokens: number };
          expect(item).toMatchObject({
            resource: 'llm_tokens',
            quantity: data.promptTokens + data.completionTokens,
          });
        }
      }

      // The invoice prices what the month's meter held when it closed; later units went to the next month.
      const inMonth = metered.filter((m) => m.period === month && !m.afterClose);
      const carried = metered.filter((m) => m.period === nextPeriod(month) && m.carried);
      expect(inMonth.length + carried.length).toBe(units.length);
      const sum = (resource: string) =>
        inMonth.filter((m) => m.item.resource === resource).reduce((total, m) => total + m.item.quantity, 0);
      const prices = tierPriceCents('enterprise');
      const invoice = (invoiceOf(log)?.data as { invoice: InvoiceSnapshot }).invoice;
      const line = (kind: string) => invoice.lines.find((l) => l.kind === kind);
      if (sum('call_seconds') > 0) {
        expect(line('call_minutes')?.amountCents).toBe(
          roundHalfUp(sum('call_seconds') * prices.perMinuteCents, 60),
        );
      }
      if (sum('llm_tokens') > 0) {
        expect(line('llm_tokens')?.amountCents).toBe(
          roundHalfUp(sum('llm_tokens') * prices.perMillionTokensCents, 1_000_000),
        );
      }
      expect(invoice.lines.filter((l) => l.kind === 'subscription').map((l) => l.tier)).toEqual([
        'professional',
        'enterprise',
      ]);
      expect(invoice.totalCents).toBe(invoice.lines.reduce((total, l) => total + l.amountCents, 0));
      const closed = log.find(
        (e) => e.type === 'MeterClosed' && e.streamId === `meter-${DEMO_TENANT}.${month}`,
      );
      expect(closed?.data).toMatchObject({ callSeconds: sum('call_seconds'), llmTokens: sum('llm_tokens') });
    },
  );
});
