/**
 * Benchmark of appointment reminders, printed as figures (never asserted):
 *   - planning only: planAppointmentMessages for N appointments (confirmation and two reminders each, in four
 *     zones and two languages, quiet hours applied), appointments per second and messages per second;
 *   - plan and schedule: the same plans sent as ScheduleMessage through the command handler on the embedded
 *     SQLite store (validated, decided, personal fields encrypted, appended), messages scheduled per second,
 *     one at a time and eight at a time.
 * Run with `npm run bench`, or alone: `npx tsx tests/bench/reminders.ts [appointments]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planAppointmentMessages, type PlanInput, type PlannedMessage } from '@ccp/command-service';
import { ScheduleSettings, SYSTEM_ACTOR } from '@ccp/schemas';
import { startTestPlatform } from '../support/platform.js';

const N = Number(process.argv[2] ?? 5000);
const TENANT = 'bench';
const ZONES = ['America/New_York', 'America/Los_Angeles', 'Europe/Madrid', 'America/Mexico_City'];
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const settings = ScheduleSettings.parse({});
const now = new Date();

const inputs = (batch: string): PlanInput[] =>
  Array.from({ length: N }, (_, i) => ({
    appointment: {
      tenantId: TENANT,
      appointmentId: `bench-${batch}-${i}`,
      // Spread over the next two weeks, on the quarter hour.
      startsAt: new Date(
        Math.ceil(now.getTime() / 900_000) * 900_000 + (2 + (i % 1300)) * 900_000 * 3,
      ).toISOString(),
      durationMinutes: 30,
      timeZone: ZONES[i % ZONES.length] ?? 'UTC',
      service: 'Cleaning',
      customer: { name: `Patient ${i}`, phone: `+1212${String(5_000_000 + i).slice(-7)}` },
      revision: 0,
      ...(i % 2 === 1 && { language: 'es' }),
    },
    settings,
    business: { name: 'Bench Dental', senderNumber: '+15550100001' },
    now,
  }));

const planAll = (batch: string): { messages: PlannedMessage[]; ms: number } => {
  const started = performance.now();
  const messages = inputs(batch).flatMap((input) => planAppointmentMessages(input));
  return { messages, ms: performance.now() - started };
};

const main = async () => {
  // Warm-up, then the measured run.
  planAll('warm');
  const planned = planAll('plan');
  console.log(
    `reminders planning: ${fmt(N)} appointments, ${fmt(planned.messages.length)} messages in ${fmt(planned.ms)} ms: ` +
      `${fmt((N / planned.ms) * 1000)} appointments/s, ${fmt((planned.messages.length / planned.ms) * 1000)} messages/s`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'ccp-bench-reminders-'));
  const t = await startTestPlatform(dir);
  try {
    const { handler } = t.platform;
    await handler.handleTrusted(
      'CreateTenant',
      { tenantId: TENANT, name: 'Bench Dental', planTier: 'enterprise' },
      { actor: SYSTEM_ACTOR },
    );
    const schedule = (message: PlannedMessage) =>
      handler.handleTrusted('ScheduleMessage', message, {
        actor: SYSTEM_ACTOR,
        correlationId: message.appointmentId,
      });

    for (const [label, concurrency] of [
      ['one at a time', 1],
      ['8 at a time', 8],
    ] as const) {
      const started = performance.now();
      const { messages } = planAll(`c${concurrency}`);
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < messages.length) {
            const message = messages[next];
            next += 1;
            if (message) await schedule(message);
          }
        }),
      );
      const ms = performance.now() - started;
      console.log(
        `reminders plan + schedule (${label}): ${fmt(messages.length)} messages for ${fmt(N)} appointments in ` +
          `${fmt(ms)} ms: ${fmt((messages.length / ms) * 1000)} messages scheduled/s`,
      );
    }
    // Scheduling the same plans again records nothing: the ids are derived.
    const again = planAll('c1').messages.slice(0, 1000);
    const started = performance.now();
    let recorded = 0;
    for (const message of again) recorded += (await schedule(message)).events.length;
    const ms = performance.now() - started;
    console.log(
      `reminders replanned: ${fmt(again.length)} messages scheduled again in ${fmt(ms)} ms ` +
        `(${fmt((again.length / ms) * 1000)}/s), ${recorded} events recorded`,
    );
  } finally {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

await main();
