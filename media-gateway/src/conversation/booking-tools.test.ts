import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, decodeEvent, type BusinessHours } from '@ccp/schemas';
import {
  createCommandHandler,
  commandRoutes,
  createSqliteEventStore,
  type CommandHandler,
  type EventStore,
} from '@ccp/command-service';
import { SlotHolds } from '../booking/offers.js';
import { commandSenderFor } from '../command-sender.js';
import { createLiveDirectory, type LiveDirectory } from '../directory/live-directory.js';
import { runTool, type ToolCallContext, type ToolDependencies } from './tools.js';

/*
 * Booking by service on a call, with the real command handler, SQLite log and live directory: the offers are
 * free times of the tenant's calendars, held from other calls, booked with their placement; a slot taken
 * meanwhile is refused with new offers and nothing booked; callers are their contacts.
 */

const TENANT = 'salon';
const TZ = 'America/New_York';
/** Monday 2026-12-07, 11:00 in New York. */
const NOW = new Date('2026-12-07T16:00:00.000Z');
const HOURS: BusinessHours = { weekly: [] };
const ANN = '+15551230001';
const NEW_CALLER = '+15551230009';
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;

let store: EventStore;
let handler: CommandHandler;
let live: LiveDirectory;
let deps: ToolDependencies;

const send = (type: string, data: Record<string, unknown>) =>
  handler.handleTrusted(type, { tenantId: TENANT, ...data }, { actor: SYSTEM_ACTOR });

const resource = (resourceId: string, name: string) =>
  send('AddResource', {
    resourceId,
    name,
    kind: 'staff',
    timeZone: TZ,
    workingHours: WEEKDAYS.map((day) => ({ day, open: '09:00', close: '17:00' })),
    breaks: WEEKDAYS.map((day) => ({ day, open: '12:00', close: '13:00' })),
  });

beforeEach(async () => {
  store = createSqliteEventStore({ path: ':memory:' });
  handler = createCommandHandler({ store, routes: commandRoutes, clock: () => NOW });
  await send('CreateTenant', { name: 'Salon', planTier: 'starter' });
  await resource('sam', 'Sam');
  await resource('lee', 'Lee');
  await send('DefineService', {
    serviceId: 'cut',
    name: 'Haircut',
    durationMinutes: 30,
    bufferAfterMinutes: 15,
    resourceIds: ['sam', 'lee'],
  });
  await send('DefineService', {
    serviceId: 'colour',
    name: 'Colour',
    durationMinutes: 60,
    resourceIds: ['sam'],
  });
  await send('CreateContact', { contactId: 'ann', name: 'Ann Smith', phones: [ANN], language: 'en' });
  live = createLiveDirectory(store);
  await live.catchUp();
  deps = {
    commands: commandSenderFor(handler),
    directory: live.directory,
    searchKnowledge: () => [],
    humansAvailable: () => false,
    holds: new SlotHolds(),
    catchUp: live.catchUp,
  };
});
afterEach(async () => {
  await store.close();
});

const callOf = (customer: string, callId: string, language = 'en'): ToolCallContext => ({
  tenantId: TENANT,
  callId,
  customer,
  agentId: 'ava',
  departmentId: undefined,
  language,
  timeZone: TZ,
  afterHours: false,
  openingHours: HOURS,
  now: () => NOW,
});

interface OfferResult {
  offers: { startsAt: string; resourceId: string; serviceIds: string[] }[];
  spoken?: string;
  error?: string;
}

const find = async (callId: string, args: Record<string, unknown>, customer = ANN) => {
  const outcome = await runTool(deps, callOf(customer, callId), `find-${callId}`, 'find_free_slots', args);
  return outcome.result as unknown as OfferResult;
};

const eventsOf = async (streamId: string) =>
  (await store.readStream(streamId)).flatMap((r) => {
    const d = decodeEvent(r);
    return d.ok ? [d.value] : [];
  });

describe('find_free_slots', () => {
  it('offers two or three free times of the day asked, said in the tenant’s zone', async () => {
    const result = await find('c1', { service: 'a haircut', date: '2026-12-08' });
    expect(result.offers.map((o) => o.startsAt)).toEqual([
      '2026-12-08T09:00:00-05:00',
      '2026-12-08T10:00:00-05:00',
      '2026-12-08T11:00:00-05:00',
    ]);
    expect(result.offers[0]).toMatchObject({ resourceId: 'sam', serviceIds: ['cut'] });
    expect(result.spoken).toBe(
      'I have 9 AM, 10 AM or 11 AM on Tuesday, December 8. What time would suit you?',
    );
  });

  it('offers the time asked for first when it is free, and never a time already reserved', async () => {
    await send('ScheduleAppointment', {
      appointmentId: 'taken',
      customer: { name: 'Someone' },
      service: 'Colour',
      startsAt: '2026-12-08T20:00:00.000Z',
      durationMinutes: 60,
      timeZone: TZ,
      placement: { resourceId: 'sam', serviceIds: ['colour'] },
    });
    await live.catchUp();
    // 15:00 on Sam is taken: a colour (only Sam does them) is offered around it, never at 15:00 to 16:00.
    const result = await find('c1', { service: 'colour', date: '2026-12-08', time: '15:00' });
    const starts = result.offers.map((o) => o.startsAt.slice(11, 16));
    expect(starts).not.toContain('15:00');
    expect(starts).not.toContain('15:30');
    expect(starts).toEqual(['13:45', '14:00', '16:00']);
    const haircut = await find('c2', { service: 'haircut', date: '2026-12-08', time: '14:00' });
    expect(haircut.offers[1]?.startsAt.slice(11, 16)).toBe('14:00');
  });

  it('holds what one call was offered back from another call', async () => {
    const first = await find('c1', { service: 'colour', date: '2026-12-08' });
    const second = await find('c2', { service: 'colour', date: '2026-12-08' });
    const firstStarts = first.offers.map((o) => o.startsAt);
    expect(second.offers.length).toBeGreaterThan(0);
    for (const offer of second.offers) {
      const at = Date.parse(offer.startsAt);
      // An hour-long colour on Sam never overlaps one of the first call's offered hours.
      for (const held of firstStarts)
        expect(Math.abs(at - Date.parse(held))).toBeGreaterThanOrEqual(3_600_000);
    }
  });

  it('books several services back to back on a resource that does them all', async () => {
    const result = await find('c1', { service: 'a haircut and a colour', date: '2026-12-08' });
    expect(result.offers[0]).toMatchObject({ resourceId: 'sam', serviceIds: ['cut', 'colour'] });
    expect(result.offers.every((o) => o.resourceId === 'sam')).toBe(true);
  });

  it('names the services there are when the words name none', async () => {
    const outcome = await runTool(deps, callOf(ANN, 'c1'), 't', 'find_free_slots', { service: 'a massage' });
    expect(outcome.status).toBe('failed');
    expect(outcome.result).toEqual({ error: 'no service by that name', services: ['Haircut', 'Colour'] });
  });
});

describe('book_appointment by service', () => {
  it('books an offered slot with its placement, for the known caller’s contact', async () => {
    const { offers } = await find('c1', { service: 'a haircut and a colour', date: '2026-12-08' });
    const chosen = offers[1]!;
    const outcome = await runTool(deps, callOf(ANN, 'c1'), 'book-1', 'book_appointment', {
      service: 'a haircut and a colour',
      startsAt: chosen.startsAt,
      customerName: 'Ann Smith',
      resourceId: chosen.resourceId,
    });
    expect(outcome.status, JSON.stringify(outcome.result)).toBe('succeeded');
    const appointmentId = String(outcome.result['appointmentId']);
    const [scheduled] = await eventsOf(`appointment-${TENANT}.${appointmentId}`);
    expect(scheduled?.data).toMatchObject({
      service: 'Haircut + Colour',
      startsAt: new Date(chosen.startsAt).toISOString(),
      durationMinutes: 90,
      contactId: 'ann',
      language: 'en',
      callId: 'c1',
      placement: {
        resourceId: 'sam',
        serviceIds: ['cut', 'colour'],
        bufferBeforeMinutes: 0,
        bufferAfterMinutes: 0,
      },
    });
    const reserved = (await eventsOf(`calendar-${TENANT}.sam`)).filter((e) => e.type === 'SlotReserved');
    expect(reserved.map((e) => e.data)).toEqual([
      expect.objectContaining({ appointmentId, startsAt: new Date(chosen.startsAt).toISOString() }),
    ]);
    // The caller's contact is there already: no other is made.
    expect((await store.readAll()).filter((e) => e.type === 'ContactCreated')).toHaveLength(1);
  });

  it('a slot another caller took meanwhile: refused with new offers, and nothing booked', async () => {
    const { offers } = await find('c1', { service: 'colour', date: '2026-12-08' });
    const chosen = offers[0]!;
    // Another caller (on another gateway, say) books the same slot between the offer and the pick.
    await send('ScheduleAppointment', {
      appointmentId: 'winner',
      customer: { name: 'Quick' },
      service: 'Colour',
      startsAt: chosen.startsAt,
      durationMinutes: 60,
      timeZone: TZ,
      placement: { resourceId: 'sam', serviceIds: ['colour'] },
    });
    const before = (await store.readAll()).length;
    const outcome = await runTool(deps, callOf(ANN, 'c1'), 'book-1', 'book_appointment', {
      service: 'colour',
      startsAt: chosen.startsAt,
      customerName: 'Ann Smith',
      resourceId: 'sam',
    });
    expect(outcome.status).toBe('failed');
    const result = outcome.result as unknown as OfferResult;
    expect(result.error).toMatch(/^slot_taken/);
    expect(result.offers.length).toBeGreaterThan(0);
    expect(result.offers.map((o) => o.startsAt)).not.toContain(chosen.startsAt);
    expect(result.spoken).toMatch(/^I have /);
    expect((await store.readAll()).length).toBe(before);
    // Picking one of the new offers books it.
    const next = result.offers[0]!;
    const again = await runTool(deps, callOf(ANN, 'c1'), 'book-2', 'book_appointment', {
      service: 'colour',
      startsAt: next.startsAt,
      customerName: 'Ann Smith',
      resourceId: next.resourceId,
    });
    expect(again.status, JSON.stringify(again.result)).toBe('succeeded');
  });

  it('an unknown caller who books becomes a contact, with consent to calls given on the call', async () => {
    const { offers } = await find('c9', { service: 'haircut', date: '2026-12-09' }, NEW_CALLER);
    const outcome = await runTool(deps, callOf(NEW_CALLER, 'c9', 'es'), 'book-1', 'book_appointment', {
      service: 'corte: haircut',
      startsAt: offers[0]!.startsAt,
      customerName: 'Bea Ruiz',
    });
    expect(outcome.status, JSON.stringify(outcome.result)).toBe('succeeded');
    const created = (await store.readAll()).filter((e) => e.type === 'ContactCreated').at(-1);
    expect(created).toBeDefined();
    const contactId = created!.streamId.split('.').at(-1);
    const [contact] = await eventsOf(created!.streamId);
    expect(contact?.data).toMatchObject({
      name: 'Bea Ruiz',
      phones: [NEW_CALLER],
      language: 'es',
      consent: ['calls'],
    });
    const [scheduled] = await eventsOf(`appointment-${TENANT}.${String(outcome.result['appointmentId'])}`);
    expect(scheduled?.data).toMatchObject({ contactId, language: 'es' });
    await live.catchUp();
    const history = await runTool(deps, callOf(NEW_CALLER, 'c10'), 'h', 'lookup_caller_history', {});
    expect(history.result['contact']).toEqual({ contactId, name: 'Bea Ruiz', language: 'es' });
  });

  it('a time that is not free is refused with offers near it, and nothing booked', async () => {
    const before = (await store.readAll()).length;
    const outcome = await runTool(deps, callOf(ANN, 'c1'), 'book-1', 'book_appointment', {
      service: 'haircut',
      // 12:15 in New York: the lunch break.
      startsAt: '2026-12-08T12:15:00-05:00',
      customerName: 'Ann Smith',
    });
    expect(outcome.status).toBe('failed');
    const result = outcome.result as unknown as OfferResult;
    expect(result.error).toBe('that time is not free');
    const starts = result.offers.map((o) => o.startsAt.slice(11, 16));
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(starts.some((s) => s < '12:00') && starts.some((s) => s >= '13:00')).toBe(true);
    expect(starts.every((s) => s < '12:00' || s >= '13:00')).toBe(true);
    expect((await store.readAll()).length).toBe(before);
  });
});

describe('reschedule_appointment of an appointment booked on a calendar', () => {
  const bookHaircut = async (startsAt: string) => {
    const outcome = await runTool(deps, callOf(ANN, 'c1'), `book-${startsAt}`, 'book_appointment', {
      service: 'haircut',
      startsAt,
      customerName: 'Ann Smith',
      resourceId: 'sam',
    });
    expect(outcome.status, JSON.stringify(outcome.result)).toBe('succeeded');
    await live.catchUp();
    return String(outcome.result['appointmentId']);
  };
  const move = (appointmentId: string, startsAt: string) =>
    runTool(deps, callOf(ANN, 'c2'), `move-${startsAt}`, 'reschedule_appointment', {
      appointmentId,
      startsAt,
    });

  it('moves it on its resource, even to a time overlapping where it was', async () => {
    const appointmentId = await bookHaircut('2026-12-08T10:00:00-05:00');
    const moved = await move(appointmentId, '2026-12-08T10:15:00-05:00');
    expect(moved.status, JSON.stringify(moved.result)).toBe('succeeded');
    const events = await eventsOf(`appointment-${TENANT}.${appointmentId}`);
    expect(events.at(-1)?.data).toMatchObject({
      to: { startsAt: '2026-12-08T15:15:00.000Z', resourceId: 'sam' },
    });
  });

  it('moves it to another resource that serves it when its own is busy then', async () => {
    const appointmentId = await bookHaircut('2026-12-08T10:00:00-05:00');
    await send('AddTimeOff', {
      resourceId: 'sam',
      timeOffId: 'dentist',
      from: '2026-12-08T19:00:00.000Z',
      until: '2026-12-08T20:00:00.000Z',
    });
    await live.catchUp();
    const moved = await move(appointmentId, '2026-12-08T14:00:00-05:00');
    expect(moved.status, JSON.stringify(moved.result)).toBe('succeeded');
    expect(moved.result['resourceId']).toBe('lee');
    const lee = (await eventsOf(`calendar-${TENANT}.lee`)).filter((e) => e.type === 'SlotReserved');
    expect(lee.map((e) => (e.data as { appointmentId: string }).appointmentId)).toEqual([appointmentId]);
  });

  it('refuses a time not free with offers near it, and moves nothing', async () => {
    const appointmentId = await bookHaircut('2026-12-08T10:00:00-05:00');
    const before = (await store.readAll()).length;
    const moved = await move(appointmentId, '2026-12-08T12:15:00-05:00');
    expect(moved.status).toBe('failed');
    expect((moved.result as unknown as OfferResult).offers.length).toBeGreaterThan(0);
    expect((await store.readAll()).length).toBe(before);
  });
});
