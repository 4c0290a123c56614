/**
 * Benchmarks of the booking core, printed as figures and ratios (never asserted):
 *   - availability: freeSlots for a tenant with 50 staff (three time zones, varied hours and breaks) holding
 *     20,000 future reservations over 60 days; random queries of one or two services back to back over 1–7 days:
 *     queries per second and p50/p99 latency (aim p99 < 20 ms), the first query on fresh calendars (each
 *     calendar's blocked time not yet sorted) apart, and the 7-day query over every staff member alone.
 * Run with `npm run bench`, or `npx tsx tests/bench/appointments.ts [availability]`.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ReserveSlot, type CommandMetadata } from '@ccp/schemas';
import {
  calendarDecider,
  calendarViewOf,
  freeSlots,
  placementFor,
  type CalendarEvent,
  type CalendarState,
  type CalendarView,
  type ServiceView,
} from '@ccp/command-service';

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const DAY = 86_400_000;
const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A seeded generator, so every run books the same calendars. */
const random = (() => {
  let seed = 20_000;
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
})();
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const STAFF = 50;
const RESERVATIONS = 20_000;
const HORIZON_DAYS = 60;
const ZONES = ['America/New_York', 'America/Chicago', 'Europe/Madrid'];
// Long days, six or seven a week for most: 400 bookings in 60 days is seven a working day for everyone.
const SHIFTS = [
  { open: '08:00', close: '18:00', days: EVERY_DAY.slice(0, 6) },
  { open: '09:00', close: '19:00', days: EVERY_DAY.slice(0, 6) },
  { open: '07:30', close: '17:30', days: EVERY_DAY },
  { open: '10:00', close: '20:00', days: EVERY_DAY.slice(1, 7) },
  { open: '08:00', close: '17:00', days: EVERY_DAY },
];

const services: ServiceView[] = [
  { serviceId: 'check-up', durationMinutes: 30, bufferBeforeMinutes: 0, bufferAfterMinutes: 10 },
  { serviceId: 'cleaning', durationMinutes: 45, bufferBeforeMinutes: 5, bufferAfterMinutes: 10 },
  { serviceId: 'whitening', durationMinutes: 60, bufferBeforeMinutes: 0, bufferAfterMinutes: 15 },
  { serviceId: 'x-ray', durationMinutes: 15, bufferBeforeMinutes: 0, bufferAfterMinutes: 5 },
  { serviceId: 'filling', durationMinutes: 40, bufferBeforeMinutes: 5, bufferAfterMinutes: 5 },
  { serviceId: 'consult', durationMinutes: 20, bufferBeforeMinutes: 0, bufferAfterMinutes: 0 },
].map((s, i) => ({
  ...s,
  // Each service is served by most staff, not all, so resources are filtered per query as in a real clinic.
  resourceIds: Array.from({ length: STAFF }, (_, r) => `staff-${r}`).filter((_, r) => (r + i) % 5 !== 0),
  languages: [],
  retired: false,
}));

const metadata = (now: Date): CommandMetadata => ({
  now,
  actor: { kind: 'system', id: 'bench' } as CommandMetadata['actor'],
  commandId: 'bench',
  correlationId: 'bench',
});

/**
 * Folds each staff member's calendar through the calendar decider: added with its hours, then 400 bookings,
 * each at a slot availability offered on a random day and reserved by ReserveSlot (so the state is exactly what
 * the platform would store).
 */
const buildCalendars = (now: Date): CalendarView[] => {
  const start = Math.ceil(now.getTime() / DAY) * DAY + DAY;
  const perStaff = RESERVATIONS / STAFF;
  return Array.from({ length: STAFF }, (_, r) => {
    const resourceId = `staff-${r}`;
    const shift = SHIFTS[r % SHIFTS.length]!;
    let state: CalendarState = calendarDecider.evolve(calendarDecider.initialState(), {
      type: 'ResourceAdded',
      data: {
        name: `Staff ${r}`,
        kind: 'staff',
        timeZone: ZONES[r % ZONES.length]!,
        workingHours: shift.days.map((day) => ({ day, open: shift.open, close: shift.close })),
        breaks: shift.days.map((day) => ({ day, open: '12:00', close: r % 2 === 0 ? '12:30' : '13:00' })),
        languages: [],
      },
    });
    let booked = 0;
    for (let attempt = 0; booked < perStaff && attempt < perStaff * 20; attempt += 1) {
      const offered = services.filter((s) => s.resourceIds.includes(resourceId));
      const chosen = [pick(offered)];
      const from = new Date(start + Math.floor(random() * HORIZON_DAYS) * DAY);
      const slots = freeSlots({
        services: chosen,
        calendars: [calendarViewOf(resourceId, state)!],
        from,
        until: new Date(from.getTime() + DAY),
        now,
      });
      if (slots.length === 0) continue;
      const { startsAt, durationMinutes, placement } = placementFor(chosen, pick(slots));
      const events = calendarDecider.decide(
        {
          type: 'ReserveSlot',
          data: ReserveSlot.data.parse({
            tenantId: 'bench',
            resourceId,
            appointmentId: `ap-${r}-${booked}`,
            startsAt,
            endsAt: new Date(Date.parse(startsAt) + durationMinutes * 60_000).toISOString(),
            bufferBeforeMinutes: placement.bufferBeforeMinutes,
            bufferAfterMinutes: placement.bufferAfterMinutes,
          }),
          metadata: metadata(now),
        },
        state,
      );
      state = events.reduce((s, e: CalendarEvent) => calendarDecider.evolve(s, e), state);
      booked += 1;
    }
    return calendarViewOf(resourceId, state)!;
  });
};

/** Copies of the calendars whose arrays are new, so nothing about them has been sorted yet. */
const fresh = (calendars: readonly CalendarView[]): CalendarView[] =>
  calendars.map((c) => ({ ...c, reservations: [...c.reservations], timeOff: [...c.timeOff] }));

const availabilityBenchmark = () => {
  const now = new Date();
  const setup = performance.now();
  const calendars = buildCalendars(now);
  const reservations = calendars.reduce((sum, c) => sum + c.reservations.length, 0);
  console.log(
    `availability: ${STAFF} staff in ${ZONES.length} zones, ${fmt(reservations)} future reservations over ` +
      `${HORIZON_DAYS} days (booked through the decider in ${fmt((performance.now() - setup) / 1000, 1)} s); ` +
      `load average ${fmt(loadavg()[0]!, 1)}`,
  );

  const query = (cals: readonly CalendarView[], days: number, count: 1 | 2) => {
    const from = new Date(now.getTime() + Math.floor(random() * (HORIZON_DAYS - days)) * DAY);
    const chosen = count === 1 ? [pick(services)] : [pick(services), pick(services)];
    return freeSlots({
      services: chosen,
      calendars: cals,
      from,
      until: new Date(from.getTime() + days * DAY),
      now,
    }).length;
  };

  const coldStarted = performance.now();
  query(fresh(calendars), 7, 1);
  const cold = performance.now() - coldStarted;

  for (let i = 0; i < 200; i += 1) query(calendars, 1 + Math.floor(random() * 7), random() < 0.5 ? 1 : 2);
  const runs = 2_000;
  const latencies: number[] = [];
  // CPU time per query beside the wall clock: on a loaded machine the wall clock's tail is other processes.
  const cpu: number[] = [];
  let slots = 0;
  const started = performance.now();
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    slots += query(calendars, 1 + Math.floor(random() * 7), random() < 0.5 ? 1 : 2);
    const used = process.cpuUsage(c0);
    latencies.push(performance.now() - t0);
    cpu.push((used.user + used.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const p99 = percentile(latencies, 99);
  console.log(
    `  random queries (1–2 services, 1–7 days, all staff): ${fmt(runs / elapsed)} queries/s, ` +
      `p50 ${fmt(percentile(latencies, 50), 2)} ms, p99 ${fmt(p99, 2)} ms (aim < 20 ms: ${fmt(p99 / 20, 2)}× of it), ` +
      `max ${fmt(latencies[latencies.length - 1]!, 2)} ms, ${fmt(slots / runs)} slots offered per query; ` +
      `CPU time per query p50 ${fmt(percentile(cpu, 50), 2)} ms, p99 ${fmt(percentile(cpu, 99), 2)} ms`,
  );

  const week: number[] = [];
  for (let i = 0; i < 300; i += 1) {
    const t0 = performance.now();
    query(calendars, 7, 1);
    week.push(performance.now() - t0);
  }
  week.sort((a, b) => a - b);
  console.log(
    `  7-day range, one service: p50 ${fmt(percentile(week, 50), 2)} ms, p99 ${fmt(percentile(week, 99), 2)} ms; ` +
      `the first query on fresh calendars (every calendar's blocked time sorted then): ${fmt(cold, 2)} ms`,
  );
};

const modes: Readonly<Record<string, () => void>> = { availability: availabilityBenchmark };
const chosenModes = process.argv.slice(2);
for (const mode of chosenModes.length > 0 ? chosenModes : ['availability']) {
  const run = modes[mode];
  if (!run) {
    console.error(`unknown mode ${mode}; modes: ${Object.keys(modes).join(', ')}`);
    process.exitCode = 2;
    break;
  }
  run();
}
