import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type BusinessHours } from '@ccp/schemas';
import {
  createCommandHandler,
  commandRoutes,
  type EventStore,
  createSqliteEventStore,
} from '@ccp/command-service';
import { commandSenderFor } from '../command-sender.js';
import { createLiveDirectory, type LiveDirectory } from '../directory/live-directory.js';
import { nextOpening } from '../routing/business-hours.js';
import { runTool, TOOL_SPECS, type ToolCallContext, type ToolDependencies } from './tools.js';

/*
 * The model's tool calls as the gateway runs them: arguments the model made up are refused before anything is
 * sent, and a caller can only touch their own appointments. Real command handler, SQLite log and directory.
 */

const TENANT = 'acme';
const TIME_ZONE = 'America/New_York';
const HOURS: BusinessHours = {
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({
    day,
    open: '09:00',
    close: '17:00',
  })),
};
const ANN = '+15551230001';
const BOB = '+15551230002';

let store: EventStore;
let live: LiveDirectory;
let deps: ToolDependencies;

beforeEach(async () => {
  store = createSqliteEventStore({ path: ':memory:' });
  const handler = createCommandHandler({ store, routes: commandRoutes });
  await handler.handleTrusted(
    'CreateTenant',
    { tenantId: TENANT, name: 'Acme', planTier: 'starter' },
    { actor: SYSTEM_ACTOR },
  );
  live = createLiveDirectory(store);
  deps = {
    commands: commandSenderFor(handler),
    directory: live.directory,
    searchKnowledge: () => [],
    humansAvailable: () => false,
  };
});
afterEach(async () => {
  await store.close();
});

const callOf = (customer: string, callId: string): ToolCallContext => ({
  tenantId: TENANT,
  callId,
  customer,
  agentId: 'ag1',
  departmentId: undefined,
  language: 'en',
  timeZone: TIME_ZONE,
  afterHours: false,
  openingHours: HOURS,
  now: () => new Date(),
});

/**
 * An hour after the practice opens, a week from now. The search starts at night (08:00 UTC is 03:00 or 04:00 in
 * New York) so that the opening found is the start of a day's hours: started inside the hours, it would be that
 * very instant, and an hour later may be after closing.
 */
const openSlot = (): string => {
  const night = new Date(Date.now() + 7 * 24 * 3600_000);
  night.setUTCHours(8, 0, 0, 0);
  const at = nextOpening(HOURS, TIME_ZONE, night);
  if (!at) throw new Error('the practice never opens');
  return new Date(at.getTime() + 60 * 60_000).toISOString();
};

const eventCount = async () => (await store.readAll()).length;

const book = async (customer: string, callId: string) => {
  const outcome = await runTool(deps, callOf(customer, callId), `tc-${callId}`, 'book_appointment', {
    service: 'Cleaning',
    startsAt: openSlot(),
    customerName: 'Ann',
  });
  expect(outcome.status, JSON.stringify(outcome.result)).toBe('succeeded');
  await live.catchUp();
  return String(outcome.result.appointmentId);
};

describe('tools', () => {
  it('refuse an unknown tool and arguments that do not fit, and send nothing', async () => {
    const before = await eventCount();
    const call = callOf(ANN, 'c1');
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['drop_tables', {}, /unknown tool drop_tables/],
      // Names every object has through its prototype are no tools either.
      ['__proto__', {}, /unknown tool __proto__/],
      ['toString', {}, /unknown tool toString/],
      ['constructor', {}, /unknown tool constructor/],
      ['search_knowledge_base', {}, /invalid arguments: query/],
      ['search_knowledge_base', { query: '   ' }, /invalid arguments: query/],
      ['book_appointment', { service: 'x', startsAt: 'tomorrow', customerName: 'A' }, /startsAt/],
      [
        'book_appointment',
        { service: 'x', startsAt: openSlot(), customerName: 'A', durationMinutes: 1e6 },
        /durationMinutes/,
      ],
      ['book_appointment', { service: 'x', startsAt: '2030-01-07T10:00:00', customerName: 'A' }, /startsAt/],
      ['cancel_appointment', { appointmentId: 'a'.repeat(81), reason: 'r' }, /appointmentId/],
      ['open_ticket', { subject: 'S', description: 'D', priority: 'critical' }, /priority/],
      ['take_message', { message: 42 }, /message/],
      ['schedule_callback', { at: 'soon', reason: 'r' }, /at/],
      ['escalate_to_human', { reason: 'bored', summary: 's' }, /reason/],
      ['end_call', { reason: '' }, /reason/],
    ];
    for (const [name, args, error] of cases) {
      const outcome = await runTool(deps, call, 'tc1', name, args);
      expect(outcome.status, name).toBe('failed');
      expect(String(outcome.result.error), name).toMatch(error);
      expect(outcome.effects).toEqual([]);
    }
    expect(await eventCount()).toBe(before);
  });

  it('offer the model only tools they run, each with a closed object schema', () => {
    for (const spec of TOOL_SPECS) {
      expect(spec.parameters).toMatchObject({ type: 'object', additionalProperties: false });
    }
    expect(TOOL_SPECS.map((s) => s.name)).toContain('book_appointment');
  });

  it('let a caller cancel or move only their own appointments', async () => {
    const anns = await book(ANN, 'c1');
    const before = await eventCount();
    const bobsCall = callOf(BOB, 'c2');
    const cancel = await runTool(deps, bobsCall, 'tc2', 'cancel_appointment', {
      appointmentId: anns,
      reason: 'not mine',
    });
    expect([cancel.status, cancel.result.error]).toEqual(['failed', 'no such appointment for this caller']);
    const move = await runTool(deps, bobsCall, 'tc3', 'reschedule_appointment', {
      appointmentId: anns,
      startsAt: openSlot(),
    });
    expect(move.status).toBe('failed');
    expect(await eventCount()).toBe(before);
    expect(live.directory.appointment(TENANT, anns)?.status).toBe('scheduled');

    const own = await runTool(deps, callOf(ANN, 'c3'), 'tc4', 'cancel_appointment', {
      appointmentId: anns,
      reason: 'changed plans',
    });
    expect(own.status).toBe('succeeded');
    await live.catchUp();
    expect(live.directory.appointment(TENANT, anns)?.status).toBe('cancelled');
  });

  it('refuse a booking in the past or while closed, offering the next opening', async () => {
    const before = await eventCount();
    const call = callOf(ANN, 'c1');
    const past = await runTool(deps, call, 'tc1', 'book_appointment', {
      service: 'Cleaning',
      startsAt: new Date(Date.now() - 3600_000).toISOString(),
      customerName: 'Ann',
    });
    expect(past.status).toBe('failed');
    expect(past.result).toMatchObject({ error: 'that time is in the past', nextOpening: expect.any(String) });

    // 03:00 in New York is outside the practice's hours on any day.
    const night = new Date(openSlot());
    night.setUTCHours(8, 0, 0, 0);
    const closed = await runTool(deps, call, 'tc2', 'book_appointment', {
      service: 'Cleaning',
      startsAt: night.toISOString(),
      customerName: 'Ann',
    });
    expect(closed.result).toMatchObject({ error: 'the practice is closed then' });
    const next = new Date(String(closed.result.nextOpening));
    expect(next.getTime()).toBeGreaterThan(night.getTime());
    expect(await eventCount()).toBe(before);
  });

  it('book once for a retried tool call: the id is derived from the call and the tool call', async () => {
    const first = await book(ANN, 'c1');
    // However the retry is answered, it must not book a second appointment.
    await runTool(deps, callOf(ANN, 'c1'), 'tc-c1', 'book_appointment', {
      service: 'Cleaning',
      startsAt: openSlot(),
      customerName: 'Ann',
    }).catch(() => undefined);
    await live.catchUp();
    const { appointments } = live.directory.callerHistory(TENANT, ANN);
    expect(appointments.map((a) => a.appointmentId)).toEqual([first]);
  });
});
