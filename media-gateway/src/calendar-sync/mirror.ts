import { createHash } from 'node:crypto';
import type { BusyRange, GoogleCalendarEvent } from './google-client.js';

/** An appointment as its mirror in a staff member's external calendar needs it. */
export interface MirroredAppointment {
  readonly tenantId: string;
  readonly appointmentId: string;
  readonly resourceId: string;
  readonly status: 'scheduled' | 'confirmed' | 'cancelled' | 'completed' | 'no_show';
  readonly startsAt: string;
  readonly durationMinutes: number;
  readonly timeZone: string;
  readonly service: string;
  readonly customerName: string;
}

export const endOf = (a: Pick<MirroredAppointment, 'startsAt' | 'durationMinutes'>): string =>
  new Date(Date.parse(a.startsAt) + a.durationMinutes * 60_000).toISOString();

/**
 * The external event's id, derived from the appointment: hex digits are base32hex as Google requires, so
 * inserting the same appointment again after a crash meets a 409 instead of making a second event.
 */
export const externalEventIdOf = (tenantId: string, appointmentId: string): string =>
  `ccp${createHash('sha256').update(`${tenantId}/${appointmentId}`).digest('hex').slice(0, 40)}`;

/** Whether an appointment should have a mirror: open, and not long past. */
export const wantsMirror = (a: MirroredAppointment, now: Date): boolean =>
  (a.status === 'scheduled' || a.status === 'confirmed') && Date.parse(endOf(a)) > now.getTime() - 86_400_000;

export const mirrorEventOf = (a: MirroredAppointment): GoogleCalendarEvent => ({
  id: externalEventIdOf(a.tenantId, a.appointmentId),
  summary: `${a.service} — ${a.customerName}`,
  description: `Booked through CustomerCare Pro (appointment ${a.appointmentId}).`,
  start: { dateTime: a.startsAt, timeZone: a.timeZone },
  end: { dateTime: endOf(a), timeZone: a.timeZone },
  status: a.status === 'confirmed' ? 'confirmed' : 'tentative',
  extendedProperties: { private: { ccpTenant: a.tenantId, ccpAppointment: a.appointmentId } },
});

/**
 * The external calendar's busy time without our own appointments in it: free/busy reports the mirrors we wrote
 * as busy too, and fed back they would block the very slots they stand for.
 */
export const busyWithoutOurs = (busy: readonly BusyRange[], ours: readonly BusyRange[]): BusyRange[] => {
  const cuts = [...ours].sort((a, b) => Date.parse(a.from) - Date.parse(b.from));
  const left: BusyRange[] = [];
  for (const range of busy) {
    let from = Date.parse(range.from);
    const until = Date.parse(range.until);
    for (const cut of cuts) {
      const cutFrom = Date.parse(cut.from);
      const cutUntil = Date.parse(cut.until);
      if (cutUntil <= from || cutFrom >= until) continue;
      if (cutFrom > from)
        left.push({ from: new Date(from).toISOString(), until: new Date(cutFrom).toISOString() });
      from = Math.max(from, cutUntil);
      if (from >= until) break;
    }
    if (from < until) left.push({ from: new Date(from).toISOString(), until: new Date(until).toISOString() });
  }
  return left;
};
