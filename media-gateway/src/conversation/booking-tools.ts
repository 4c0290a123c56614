import { z } from 'zod';
import { isoWithOffset } from '@ccp/schemas';
import { freeSlots, placementFor } from '@ccp/command-service';
import { chooseOffers, inPartOfDay, instantOn, searchWindow, type Slot } from '../booking/offers.js';
import { servicesNamed } from '../booking/services-named.js';
import { sayOffers, spokenLanguage } from '../booking/spoken.js';
import type { ServiceEntry } from '../directory/directory.js';
import type { ToolSpec } from '../llm/port.js';
import { CommandRefusedError } from './commands.js';
import type { ToolCallContext, ToolDependencies, ToolOutcome } from './tools.js';

/**
 * Booking on a call for a tenant that keeps services and calendars: find_free_slots offers real free times
 * (those other live calls were just offered are held back), and book_appointment books one of them with its
 * placement on the resource's calendar. The calendar refuses a slot another caller took first (SLOT_TAKEN):
 * the caller then hears fresh offers, and nothing is booked twice. A tenant without services books as before
 * (tools.ts).
 */

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD');
const TIME = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time is HH:MM');

export const findFreeSlotsArguments = z.object({
  service: z.string().trim().min(1).max(300),
  date: DATE.optional(),
  time: TIME.optional(),
  partOfDay: z.enum(['morning', 'afternoon', 'evening']).optional(),
});
export type FindFreeSlotsArguments = z.infer<typeof findFreeSlotsArguments>;

export const FIND_FREE_SLOTS_SPEC: ToolSpec = {
  name: 'find_free_slots',
  description:
    'Free appointment times for the services the caller wants (several are booked back to back, in the order ' +
    'given). Offer only the times it returns, as its "spoken" line says them; then book one with ' +
    'book_appointment, passing its startsAt and resourceId.',
  parameters: {
    type: 'object',
    properties: {
      service: {
        type: 'string',
        description: 'The service(s) in the caller’s words ("a haircut and a colour")',
      },
      date: {
        type: 'string',
        description: 'YYYY-MM-DD in the business’s time zone, if the caller named a day',
      },
      time: { type: 'string', description: 'HH:MM (24 h), if the caller named a time' },
      partOfDay: { type: 'string', enum: ['morning', 'afternoon', 'evening'] },
    },
    required: ['service'],
    additionalProperties: false,
  },
};

/** Whether calls of the tenant book through its services (and so are offered find_free_slots). */
export const booksByService = (deps: Pick<ToolDependencies, 'directory'>, tenantId: string): boolean =>
  deps.directory.services(tenantId).length > 0;

const SLOT_TAKEN = 'slot_taken: another caller booked that time a moment ago';

interface Offer extends Slot {
  readonly serviceIds: readonly string[];
}

const unknownService = (services: readonly ServiceEntry[]): ToolOutcome => ({
  result: { error: 'no service by that name', services: services.map((s) => s.name) },
  status: 'failed',
  effects: [],
});

/** The free slots for the services in [from, until), with other calls' held offers left out. */
const freeFor = (
  deps: ToolDependencies,
  call: ToolCallContext,
  services: readonly ServiceEntry[],
  window: { readonly from: Date; readonly until: Date },
  resourceId?: string,
  moving?: string,
): Offer[] =>
  freeSlots({
    services: [...services],
    // An appointment being moved does not stand in its own way.
    calendars: deps.directory
      .calendars(call.tenantId)
      .map((c) =>
        moving === undefined
          ? c
          : { ...c, reservations: c.reservations.filter((r) => r.appointmentId !== moving) },
      ),
    from: window.from,
    until: window.until,
    now: call.now(),
    language: call.language,
    holds: deps.holds?.heldByOthers(call.callId, call.now()) ?? [],
    ...(resourceId !== undefined && { resourceId }),
  }).map((s) => ({ ...s, serviceIds: services.map((x) => x.serviceId) }));

/** What the model (and the offline engine) is told: the offers in the tenant's zone and how to say them. */
const offersResult = (
  call: ToolCallContext,
  services: readonly ServiceEntry[],
  offers: readonly Offer[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  ...extra,
  services: services.map((s) => s.name),
  offers: offers.map((o) => ({
    startsAt: isoWithOffset(new Date(o.startsAt), call.timeZone),
    endsAt: isoWithOffset(new Date(o.endsAt), call.timeZone),
    resourceId: o.resourceId,
    serviceIds: o.serviceIds,
  })),
  ...(offers.length > 0 && {
    spoken: sayOffers(
      offers.map((o) => new Date(o.startsAt)),
      call.timeZone,
      spokenLanguage(call.language),
    ),
  }),
});

/** Offers for the services, near `near` when given; held for this call. */
const offer = (
  deps: ToolDependencies,
  call: ToolCallContext,
  services: readonly ServiceEntry[],
  args: Omit<FindFreeSlotsArguments, 'service'>,
  taken?: Slot,
  moving?: string,
): { offers: Offer[]; dayFull: boolean } => {
  const near =
    args.date !== undefined && args.time !== undefined
      ? instantOn(args.date, args.time, call.timeZone)
      : undefined;
  const fits = (s: Offer) =>
    (args.partOfDay === undefined || inPartOfDay(s.startsAt, args.partOfDay, call.timeZone)) &&
    !(taken && s.resourceId === taken.resourceId && s.startsAt === taken.startsAt);
  const window = searchWindow(args.date, call.timeZone, call.now());
  let slots = freeFor(deps, call, services, window, undefined, moving).filter(fits);
  let dayFull = false;
  if (slots.length === 0 && args.date !== undefined) {
    // Nothing that day: the next free times after it, said as such.
    dayFull = true;
    const after = searchWindow(undefined, call.timeZone, window.until);
    slots = freeFor(deps, call, services, after, undefined, moving).filter(fits);
  }
  const offers = chooseOffers(slots, dayFull ? undefined : near);
  deps.holds?.hold(call.callId, offers, call.now());
  return { offers, dayFull };
};

export const findFreeSlots = (
  deps: ToolDependencies,
  call: ToolCallContext,
  args: FindFreeSlotsArguments,
): ToolOutcome => {
  const all = deps.directory.services(call.tenantId);
  const services = servicesNamed(args.service, all);
  if (services.length === 0) return unknownService(all);
  const { offers, dayFull } = offer(deps, call, services, args);
  return {
    result: offersResult(call, services, offers, dayFull ? { dayFull: true } : {}),
    status: 'succeeded',
    effects: [],
  };
};

export interface ServiceBooking {
  readonly service: string;
  readonly startsAt: string;
  readonly customerName: string;
  readonly resourceId?: string | undefined;
  readonly notes?: string | undefined;
}

/** The caller's contact: the one their number belongs to, or a new one created now (from the call's id). */
const contactFor = async (
  deps: ToolDependencies,
  call: ToolCallContext,
  name: string,
  contactId: string,
  isPhone: boolean,
): Promise<string | undefined> => {
  if (!isPhone) return undefined;
  const known = deps.directory.contactByPhone(call.tenantId, call.customer);
  if (known) return known.contactId;
  if (deps.directory.contact(call.tenantId, contactId)) return contactId;
  // Consent to calls is given by calling; reminders by SMS are transactional and need none of their own.
  await deps.commands.send('CreateContact', {
    tenantId: call.tenantId,
    contactId,
    name,
    phones: [call.customer],
    language: call.language,
    consent: ['calls'],
  });
  return contactId;
};

/**
 * Books an offered (or otherwise free) slot with its placement; undefined when the tenant keeps no services, so
 * that tools.ts books the way it always did.
 */
export const bookByService = async (
  deps: ToolDependencies,
  call: ToolCallContext,
  ids: { readonly appointmentId: string; readonly contactId: string },
  args: ServiceBooking,
  isPhone: boolean,
): Promise<ToolOutcome | undefined> => {
  const all = deps.directory.services(call.tenantId);
  if (all.length === 0) return undefined;
  const services = servicesNamed(args.service, all);
  if (services.length === 0) return unknownService(all);
  const start = new Date(args.startsAt);
  const total = services.reduce((sum, s) => sum + s.durationMinutes, 0);
  const slot = freeFor(
    deps,
    call,
    services,
    { from: start, until: new Date(start.getTime() + (total + 1) * 60_000) },
    args.resourceId,
  ).find((s) => Date.parse(s.startsAt) === start.getTime());
  const fresh = async (error: string, taken?: Slot): Promise<ToolOutcome> => {
    // The calendar changed under the caller: what the log now says, and never the slot just refused.
    await deps.catchUp?.();
    const { offers } = offer(
      deps,
      call,
      services,
      {
        date: isoWithOffset(start, call.timeZone).slice(0, 10),
        time: isoWithOffset(start, call.timeZone).slice(11, 16),
      },
      taken,
    );
    return { result: offersResult(call, services, offers, { error }), status: 'failed', effects: [] };
  };
  // A time this call was offered and that is gone now was taken by another caller, whichever check saw it.
  const offered = deps.holds
    ?.heldBy(call.callId, call.now())
    .some(
      (s) => Date.parse(s.startsAt) === start.getTime() && (args.resourceId ?? s.resourceId) === s.resourceId,
    );
  if (!slot) return fresh(offered ? SLOT_TAKEN : 'that time is not free');
  const contactId = await contactFor(deps, call, args.customerName, ids.contactId, isPhone);
  const { placement, durationMinutes } = placementFor(services, slot);
  try {
    await deps.commands.send('ScheduleAppointment', {
      tenantId: call.tenantId,
      appointmentId: ids.appointmentId,
      customer: { name: args.customerName, ...(isPhone && { phone: call.customer }) },
      service: services.map((s) => s.name).join(' + '),
      startsAt: slot.startsAt,
      durationMinutes,
      timeZone: call.timeZone,
      agentId: call.agentId,
      callId: call.callId,
      language: call.language,
      placement,
      ...(contactId !== undefined && { contactId }),
      ...(args.notes !== undefined && { notes: args.notes }),
    });
  } catch (error) {
    if (error instanceof CommandRefusedError && error.code === 'SLOT_TAKEN') return fresh(SLOT_TAKEN, slot);
    throw error;
  }
  deps.holds?.release(call.callId);
  return {
    result: {
      appointmentId: ids.appointmentId,
      startsAt: slot.startsAt,
      status: 'scheduled',
      resourceId: slot.resourceId,
      services: services.map((s) => s.name),
    },
    status: 'succeeded',
    effects: [{ kind: 'follow_up', description: `appointment ${ids.appointmentId} booked` }],
  };
};

/**
 * Moves an appointment booked on a calendar to a free time, on its resource when that one is free then, else on
 * another that serves its services; undefined for an appointment with no placement (tools.ts moves it as before).
 */
export const rescheduleByService = async (
  deps: ToolDependencies,
  call: ToolCallContext,
  appointmentId: string,
  startsAt: string,
): Promise<ToolOutcome | undefined> => {
  const placement = deps.directory.appointment(call.tenantId, appointmentId)?.placement;
  if (!placement) return undefined;
  const all = deps.directory.services(call.tenantId);
  const services = placement.serviceIds.flatMap((id) => all.filter((s) => s.serviceId === id));
  if (services.length !== placement.serviceIds.length) {
    return {
      result: { error: 'a service of that appointment is no longer offered' },
      status: 'failed',
      effects: [],
    };
  }
  const start = new Date(startsAt);
  const total = services.reduce((sum, s) => sum + s.durationMinutes, 0);
  const free = freeFor(
    deps,
    call,
    services,
    { from: start, until: new Date(start.getTime() + (total + 1) * 60_000) },
    undefined,
    appointmentId,
  ).filter((s) => Date.parse(s.startsAt) === start.getTime());
  const slot = free.find((s) => s.resourceId === placement.resourceId) ?? free[0];
  const fresh = (error: string): ToolOutcome => {
    const iso = isoWithOffset(start, call.timeZone);
    const near = { date: iso.slice(0, 10), time: iso.slice(11, 16) };
    const { offers } = offer(deps, call, services, near, undefined, appointmentId);
    return { result: offersResult(call, services, offers, { error }), status: 'failed', effects: [] };
  };
  if (!slot) return fresh('that time is not free');
  try {
    await deps.commands.send('RescheduleAppointment', {
      tenantId: call.tenantId,
      appointmentId,
      startsAt: slot.startsAt,
      resourceId: slot.resourceId,
    });
  } catch (error) {
    if (error instanceof CommandRefusedError && error.code === 'SLOT_TAKEN') {
      await deps.catchUp?.();
      return fresh(SLOT_TAKEN);
    }
    throw error;
  }
  deps.holds?.release(call.callId);
  return {
    result: { appointmentId, startsAt: slot.startsAt, resourceId: slot.resourceId },
    status: 'succeeded',
    effects: [],
  };
};
