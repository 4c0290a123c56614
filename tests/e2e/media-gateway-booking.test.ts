import { beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent, SYSTEM_ACTOR, type EventEnvelope } from '@ccp/schemas';
import { hangUp, reactive, say, silence, type Caller } from '@ccp/media-gateway/simulator';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { call, clean, DAY, env, useGatewayPlatform } from '../support/gateway-calls.js';

/*
 * Booking on a call through the tenant's services and staff calendars, with the caller simulator and the offline
 * dialogue engine on the embedded platform: the caller hears real free times (never one already reserved), picks
 * one, and the appointment is booked with its placement on that resource's calendar; a known contact is greeted
 * by name and not asked for it; a caller whose chosen time is taken by someone else between the offer and the
 * booking hears so and a new offer, and is booked once; two services go back to back on one resource.
 */

useGatewayPlatform(() => DAY);

const ZONE = 'America/New_York';
const KNOWN = '+15557650001';
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;

const send = (type: string, data: Record<string, unknown>) =>
  env.test.platform.handler.handleTrusted(type, { tenantId: DEMO_TENANT, ...data }, { actor: SYSTEM_ACTOR });

/** 09:00 on the day after DAY (a Monday) in New York: Tuesday's first hour. */
const tuesdayAt = (hour: number, minute = 0): Date =>
  new Date(DAY.getTime() + 86_400_000 + ((hour - 11) * 60 + minute) * 60_000);

const decoded = (events: readonly { type: string }[]): EventEnvelope[] =>
  events.flatMap((r) => {
    const d = decodeEvent(r as Parameters<typeof decodeEvent>[0]);
    return d.ok ? [d.value] : [];
  });

const streamOf = async (streamId: string) => decoded(await env.test.platform.store.readStream(streamId));

const toolCalls = async (callSid: string, name: string) =>
  (await env.callEvents(callSid))
    .filter((e) => e.type === 'ToolInvoked' && (e.data as { name: string }).name === name)
    .map(
      (e) =>
        e.data as { result: Record<string, unknown>; status: string; arguments: Record<string, unknown> },
    );

interface Offer {
  startsAt: string;
  resourceId: string;
  serviceIds: string[];
}
const offersOf = (result: Record<string, unknown>) => (result['offers'] ?? []) as Offer[];

/** The latest offers made on any call (what the caller is choosing among now). */
const latestOffers = async (): Promise<Offer[]> => {
  const all = decoded(await env.test.platform.store.readAll({ maxCount: 1_000_000 }));
  const found = all.filter(
    (e) => e.type === 'ToolInvoked' && (e.data as { name: string }).name === 'find_free_slots',
  );
  return offersOf((found.at(-1)?.data as { result: Record<string, unknown> }).result);
};

/**
 * A caller who asks for `request`, picks with `pick` when offered times, gives their name when asked, says yes
 * to the confirmation (after `beforeYes`, once) and says goodbye when the agent asks if there is anything else.
 */
const booker = (options: {
  readonly request: string;
  readonly pick: string;
  readonly name?: string;
  readonly beforeYes?: () => Promise<void>;
}): Caller & { readonly heardLines: string[] } => {
  let before = options.beforeYes;
  const heardLines: string[] = [];
  const caller = reactive(
    async (_heard, context) => {
      heardLines.push(...context.sinceLastTurn);
      const last = context.sinceLastTurn.join(' ');
      if (/anything else/i.test(last)) return say('No, thank you. Goodbye.');
      if (/goodbye|have a (nice|great|good) day/i.test(last)) return hangUp();
      if (/shall i book it/i.test(last)) {
        const hook = before;
        before = undefined;
        if (hook) await hook();
        return say('Yes, please.');
      }
      if (/your name/i.test(last)) return say(options.name ?? 'Ana Lopez');
      if (/what time (would suit|works)/i.test(last)) return say(options.pick);
      if (/how (can|may) i help/i.test(last)) return say(options.request);
      return silence();
    },
    { maxTurns: 20 },
  );
  return Object.assign(caller, { heardLines });
};

beforeAll(async () => {
  for (const [resourceId, name] of [
    ['stylist-sam', 'Sam'],
    ['stylist-lee', 'Lee'],
  ]) {
    await send('AddResource', {
      resourceId,
      name,
      kind: 'staff',
      timeZone: ZONE,
      workingHours: WEEKDAYS.map((day) => ({ day, open: '09:00', close: '17:00' })),
      breaks: WEEKDAYS.map((day) => ({ day, open: '12:00', close: '13:00' })),
    });
  }
  await send('DefineService', {
    serviceId: 'haircut',
    name: 'Haircut',
    durationMinutes: 30,
    resourceIds: ['stylist-sam', 'stylist-lee'],
  });
  await send('DefineService', {
    serviceId: 'colour',
    name: 'Colour',
    durationMinutes: 60,
    resourceIds: ['stylist-sam'],
  });
  // Tuesday 09:00 is reserved on both stylists: no caller may be offered it.
  for (const resourceId of ['stylist-sam', 'stylist-lee']) {
    await send('ScheduleAppointment', {
      appointmentId: `early-${resourceId}`,
      customer: { name: 'Early Bird' },
      service: 'Haircut',
      startsAt: tuesdayAt(9).toISOString(),
      durationMinutes: 30,
      timeZone: ZONE,
      placement: { resourceId, serviceIds: ['haircut'] },
    });
  }
  await send('CreateContact', {
    contactId: 'maria-known',
    name: 'Maria Known',
    phones: [KNOWN],
    language: 'en',
  });
}, 60_000);

describe('booking on a call through services and calendars', () => {
  it(
    'offers real free times, never a reserved one, and books the one picked on its resource',
    { timeout: 60_000 },
    async () => {
      const caller = booker({
        request: "I'd like to book a haircut tomorrow, please.",
        pick: 'The second one, please.',
      });
      const result = await call(DEMO_NUMBER, caller);
      clean(result);
      expect(caller.failures).toEqual([]);
      const [found] = await toolCalls(result.callSid, 'find_free_slots');
      const offers = offersOf(found!.result);
      expect(offers.length).toBeGreaterThanOrEqual(2);
      // The reserved 09:00 is never offered; the offers are Tuesday's, said as the tool said them.
      expect(offers.map((o) => Date.parse(o.startsAt))).not.toContain(tuesdayAt(9).getTime());
      expect(offers.every((o) => Date.parse(o.startsAt) >= tuesdayAt(9, 30).getTime())).toBe(true);
      // Said as the tool offered them (the agent's warm register has its own lead-in).
      const times = String(found!.result['spoken'])
        .replace(/^I have /, '')
        .replace(/\. What time.*$/, '');
      expect(caller.heardLines.join(' ')).toContain(times);
      const [booked] = await toolCalls(result.callSid, 'book_appointment');
      expect(booked?.status).toBe('succeeded');
      const appointmentId = String(booked!.result['appointmentId']);
      const [scheduled] = await streamOf(`appointment-${DEMO_TENANT}.${appointmentId}`);
      const chosen = offers[1]!;
      expect(scheduled?.data).toMatchObject({
        startsAt: new Date(chosen.startsAt).toISOString(),
        durationMinutes: 30,
        customer: { name: 'Ana Lopez' },
        placement: { resourceId: chosen.resourceId, serviceIds: ['haircut'] },
        callId: result.callSid,
        language: 'en',
        contactId: expect.any(String),
      });
      const reservations = (await streamOf(`calendar-${DEMO_TENANT}.${chosen.resourceId}`)).filter(
        (e) =>
          e.type === 'SlotReserved' && (e.data as { appointmentId: string }).appointmentId === appointmentId,
      );
      expect(reservations).toHaveLength(1);
      // The new caller is a contact now, with their number.
      const contactId = (scheduled?.data as { contactId: string }).contactId;
      const [contact] = await streamOf(`contact-${DEMO_TENANT}.${contactId}`);
      expect(contact?.data).toMatchObject({ name: 'Ana Lopez', consent: ['calls'] });
      // The booking is confirmed to the caller's number by SMS, through the stand-in of Twilio's Messages API:
      // at once, or at the end of the caller's quiet hours (21:00-08:00 in New York) when booked at night.
      const [phone] = (contact?.data as { phones: string[] }).phones;
      let confirmation: { dueAt: string; body: string; channel: string } | undefined;
      await expect
        .poll(
          async () => {
            const all = decoded(await env.test.platform.store.readAll({ maxCount: 1_000_000 }));
            confirmation = all
              .filter((e) => e.type === 'MessageScheduled')
              .map(
                (e) =>
                  e.data as {
                    appointmentId?: string;
                    purpose: string;
                    dueAt: string;
                    body: string;
                    channel: string;
                  },
              )
              .find((m) => m.appointmentId === appointmentId && m.purpose === 'confirmation');
            return confirmation?.channel;
          },
          { timeout: 15_000 },
        )
        .toBe('sms');
      expect(confirmation?.body).toMatch(/Haircut/i);
      const localHour = Number(
        new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hour: 'numeric', hourCycle: 'h23' }).format(
          new Date(),
        ),
      );
      if (localHour >= 8 && localHour < 21) {
        await expect
          .poll(
            () =>
              env.carrier.messages.sent
                .filter((m) => m.to === phone)
                .map((m) => m.body)
                .join('\n'),
            { timeout: 15_000 },
          )
          .toMatch(/Haircut/i);
      } else {
        const due = new Intl.DateTimeFormat('en-US', {
          timeZone: ZONE,
          hour: 'numeric',
          minute: '2-digit',
          hourCycle: 'h23',
        }).format(new Date(confirmation?.dueAt ?? 0));
        expect(due).toBe('08:00');
      }
    },
  );

  it('greets a known contact by name and books under it without asking', { timeout: 60_000 }, async () => {
    const caller = booker({ request: 'Can I book a haircut tomorrow afternoon?', pick: 'The first one.' });
    const result = await call(DEMO_NUMBER, caller, { from: KNOWN });
    clean(result);
    expect(caller.failures).toEqual([]);
    expect(result.heard[0]).toMatch(/Maria Known/);
    expect(result.heard.some((line) => /your name/i.test(line))).toBe(false);
    const [booked] = await toolCalls(result.callSid, 'book_appointment');
    expect(booked?.status).toBe('succeeded');
    const [scheduled] = await streamOf(
      `appointment-${DEMO_TENANT}.${String(booked!.result['appointmentId'])}`,
    );
    expect(scheduled?.data).toMatchObject({ customer: { name: 'Maria Known' }, contactId: 'maria-known' });
  });

  it(
    'a time taken by another caller between the offer and the booking: one booking, and a new offer heard',
    { timeout: 60_000 },
    async () => {
      let raced: Offer | undefined;
      const caller = booker({
        request: "I'd like to book a colour tomorrow, please.",
        pick: 'The first one, please.',
        name: 'Rita Racer',
        // The other caller wins the race for the time just offered and picked, through the command API.
        beforeYes: async () => {
          raced = (await latestOffers())[0];
          await send('ScheduleAppointment', {
            appointmentId: 'race-winner',
            customer: { name: 'Winner' },
            service: 'Colour',
            startsAt: raced!.startsAt,
            durationMinutes: 60,
            timeZone: ZONE,
            placement: { resourceId: raced!.resourceId, serviceIds: ['colour'] },
          });
        },
      });
      const result = await call(DEMO_NUMBER, caller);
      clean(result);
      expect(caller.failures).toEqual([]);
      expect(raced).toBeDefined();
      const attempts = await toolCalls(result.callSid, 'book_appointment');
      expect(attempts.map((a) => a.status)).toEqual(['failed', 'succeeded']);
      expect(String(attempts[0]!.result['error'])).toMatch(/^slot_taken/);
      const heard = caller.heardLines.join(' ');
      expect(heard).toMatch(
        /someone else just booked that time\. I('ve got| have) .+ What time (would suit|works for) you\?/,
      );
      // The slot holds one booking, the winner's; the caller's is at another time.
      const calendar = await streamOf(`calendar-${DEMO_TENANT}.${raced!.resourceId}`);
      const atRaced = calendar.filter(
        (e) =>
          e.type === 'SlotReserved' &&
          (e.data as { startsAt: string }).startsAt === new Date(raced!.startsAt).toISOString(),
      );
      expect(atRaced.map((e) => (e.data as { appointmentId: string }).appointmentId)).toEqual([
        'race-winner',
      ]);
      // The caller was booked once: the refused attempt left no appointment behind.
      const scheduled = decoded(await env.test.platform.store.readAll({ maxCount: 1_000_000 })).filter(
        (e) => e.type === 'AppointmentScheduled' && (e.data as { callId?: string }).callId === result.callSid,
      );
      expect(scheduled).toHaveLength(1);
      expect((scheduled[0]!.data as { startsAt: string }).startsAt).not.toBe(
        new Date(raced!.startsAt).toISOString(),
      );
    },
  );

  it('books two services back to back on the resource that does both', { timeout: 60_000 }, async () => {
    const caller = booker({
      request: "I'd like to book a haircut and a colour tomorrow, please.",
      pick: 'The first one.',
      name: 'Mona Multi',
    });
    const result = await call(DEMO_NUMBER, caller);
    clean(result);
    expect(caller.failures).toEqual([]);
    const [booked] = await toolCalls(result.callSid, 'book_appointment');
    expect(booked?.status).toBe('succeeded');
    const [scheduled] = await streamOf(
      `appointment-${DEMO_TENANT}.${String(booked!.result['appointmentId'])}`,
    );
    expect(scheduled?.data).toMatchObject({
      service: 'Haircut + Colour',
      durationMinutes: 90,
      placement: { resourceId: 'stylist-sam', serviceIds: ['haircut', 'colour'] },
    });
  });
});
