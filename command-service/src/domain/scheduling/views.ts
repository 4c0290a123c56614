import type { z } from 'zod';
import type { OpeningInterval, ServiceSettings } from '@ccp/schemas';

/** A weekly interval of working hours or breaks, in the resource's local wall-clock time. */
export type WeeklyInterval = z.infer<typeof OpeningInterval>;
export type Weekday = WeeklyInterval['day'];

/** [from, until) as ISO instants. */
export interface TimeSpan {
  readonly from: string;
  readonly until: string;
}

/** A resource's time reserved for an appointment: the service time, and the buffers kept free around it. */
export interface ReservationView {
  readonly appointmentId: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly bufferBeforeMinutes: number;
  readonly bufferAfterMinutes: number;
}

/** What decides when a resource works: weekly hours and breaks in its own time zone. */
export interface WorkingWeek {
  readonly timeZone: string;
  readonly workingHours: readonly WeeklyInterval[];
  readonly breaks: readonly WeeklyInterval[];
}

/** What a resource's time is taken by. */
export interface CalendarBookings {
  readonly timeOff: readonly TimeSpan[];
  readonly externalBusy: readonly TimeSpan[];
  readonly reservations: readonly ReservationView[];
}

/** A resource's calendar as availability needs it (see calendarViewOf for the one folded from its stream). */
export interface CalendarView extends WorkingWeek, CalendarBookings {
  readonly resourceId: string;
  /** Languages the resource serves in; empty: any. */
  readonly languages: readonly string[];
  readonly removed: boolean;
}

/** A service as availability needs it (a fold of its stream). */
export interface ServiceView {
  readonly serviceId: string;
  readonly durationMinutes: number;
  readonly bufferBeforeMinutes: number;
  readonly bufferAfterMinutes: number;
  readonly resourceIds: readonly string[];
  /** Languages it is offered in; empty: any. */
  readonly languages: readonly string[];
  readonly retired: boolean;
}

export const serviceViewOf = (
  serviceId: string,
  settings: Pick<
    ServiceSettings,
    'durationMinutes' | 'bufferBeforeMinutes' | 'bufferAfterMinutes' | 'resourceIds' | 'languages'
  >,
  retired = false,
): ServiceView => ({
  serviceId,
  durationMinutes: settings.durationMinutes,
  bufferBeforeMinutes: settings.bufferBeforeMinutes,
  bufferAfterMinutes: settings.bufferAfterMinutes,
  resourceIds: settings.resourceIds,
  languages: settings.languages,
  retired,
});
