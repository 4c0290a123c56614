import { wallClockAt, wallClockToInstant } from '@ccp/schemas';

/**
 * From free slots to what a caller is offered: two or three times, spread out so that the choice means something
 * ("2:30 or 4:00", not "2:30, 2:45 or 3:00"), or the nearest to a time they asked for; and the window a day or a
 * part of the day they named stands for, in the tenant's zone.
 */

export interface Slot {
  readonly startsAt: string;
  readonly endsAt: string;
  readonly resourceId: string;
}

export const MAX_OFFERS = 3;
/** Offers follow each other by at least this much, when the day allows. */
const SPREAD_MS = 60 * 60_000;

/** One slot per start time (the first resource free then), in time order. */
const distinctStarts = <S extends Slot>(slots: readonly S[]): S[] => {
  const seen = new Set<number>();
  return [...slots]
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))
    .filter((s) => {
      const at = Date.parse(s.startsAt);
      if (seen.has(at)) return false;
      seen.add(at);
      return true;
    });
};

/**
 * The slots to offer: near a time asked for, the closest ones (the time itself first when it is free), in time
 * order; otherwise the first free one and the next ones at least an hour apart, filled up with any others.
 */
export const chooseOffers = <S extends Slot>(slots: readonly S[], near?: Date): S[] => {
  const starts = distinctStarts(slots);
  if (near !== undefined) {
    const t = near.getTime();
    return starts
      .map((s) => ({ s, d: Math.abs(Date.parse(s.startsAt) - t) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, MAX_OFFERS)
      .map((x) => x.s)
      .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  }
  const chosen: S[] = [];
  for (const slot of starts) {
    const last = chosen.at(-1);
    if (last === undefined || Date.parse(slot.startsAt) - Date.parse(last.startsAt) >= SPREAD_MS)
      chosen.push(slot);
    if (chosen.length === MAX_OFFERS) break;
  }
  for (const slot of starts) {
    if (chosen.length >= 2) break;
    if (!chosen.includes(slot)) chosen.push(slot);
  }
  return chosen.sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
};

export type PartOfDay = 'morning' | 'afternoon' | 'evening';

const PARTS: Readonly<Record<PartOfDay, readonly [number, number]>> = {
  morning: [0, 12],
  afternoon: [12, 17],
  evening: [17, 24],
};

export const inPartOfDay = (startsAt: string, part: PartOfDay, timeZone: string): boolean => {
  const { hour } = wallClockAt(new Date(startsAt), timeZone);
  const [from, until] = PARTS[part];
  return hour >= from && hour < until;
};

/** How far ahead a caller who names no day is offered times. */
export const SEARCH_DAYS = 14;

/** The window to look for free slots in: the day named (local midnight to midnight), or the next two weeks. */
export const searchWindow = (
  date: string | undefined,
  timeZone: string,
  now: Date,
): { readonly from: Date; readonly until: Date } => {
  if (date === undefined) return { from: now, until: new Date(now.getTime() + SEARCH_DAYS * 86_400_000) };
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const from = wallClockToInstant({ year, month, day, hour: 0, minute: 0 }, timeZone);
  const next = new Date(Date.UTC(year, month - 1, day + 1));
  const until = wallClockToInstant(
    {
      year: next.getUTCFullYear(),
      month: next.getUTCMonth() + 1,
      day: next.getUTCDate(),
      hour: 0,
      minute: 0,
    },
    timeZone,
  );
  return { from: from < now ? now : from, until };
};

/** The instant a day and a wall-clock time name in the zone ("2026-03-12", "15:00"). */
export const instantOn = (date: string, time: string, timeZone: string): Date => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return wallClockToInstant({ year, month, day, hour, minute }, timeZone);
};

/**
 * Offered slots held for a few minutes, per call: a slot offered to one caller is not offered to another while
 * they choose. Process-local, as the calls that compete for a slot mostly meet in one gateway; the calendar's
 * own check (SLOT_TAKEN) is what makes a double booking impossible, the holds only make it rare.
 */
export class SlotHolds {
  private readonly byCall = new Map<string, { readonly slots: readonly Slot[]; readonly until: number }>();

  constructor(private readonly holdMs = 5 * 60_000) {}

  /** Replaces what the call holds. */
  hold(callId: string, slots: readonly Slot[], now: Date): void {
    this.byCall.set(callId, { slots, until: now.getTime() + this.holdMs });
  }

  release(callId: string): void {
    this.byCall.delete(callId);
  }

  /** What the call was offered and still holds. */
  heldBy(callId: string, now: Date): readonly Slot[] {
    const held = this.byCall.get(callId);
    return held && held.until > now.getTime() ? held.slots : [];
  }

  /** The time other calls hold, as availability's holds; expired holds are dropped on the way. */
  heldByOthers(callId: string, now: Date): { resourceId: string; from: Date; until: Date }[] {
    const out: { resourceId: string; from: Date; until: Date }[] = [];
    for (const [id, held] of this.byCall) {
      if (held.until <= now.getTime()) {
        this.byCall.delete(id);
        continue;
      }
      if (id === callId) continue;
      for (const s of held.slots)
        out.push({ resourceId: s.resourceId, from: new Date(s.startsAt), until: new Date(s.endsAt) });
    }
    return out;
  }
}
