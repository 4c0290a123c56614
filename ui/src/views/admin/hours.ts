import { WEEKDAYS, type BusinessHours, type Weekday } from '../../api/admin';

/** Opening hours as typed: the time zone may be left empty (the owner's or the tenant's then applies). */
export interface HoursDraft {
  timeZone: string;
  weekly: { day: Weekday; open: string; close: string }[];
}

export const hoursDraftOf = (hours: BusinessHours | null | undefined): HoursDraft => ({
  timeZone: hours?.timeZone ?? '',
  weekly: (hours?.weekly ?? []).map((interval) => ({ ...interval })),
});

/** The hours a command carries. */
export const hoursOf = (draft: HoursDraft): BusinessHours => ({
  ...(draft.timeZone.trim() !== '' && { timeZone: draft.timeZone.trim() }),
  weekly: draft.weekly.map((interval) => ({ ...interval })),
});

/** Monday to Friday, nine to five: where a new schedule starts. */
export const workingWeek = (): HoursDraft['weekly'] =>
  WEEKDAYS.slice(0, 5).map((day) => ({ day, open: '09:00', close: '17:00' }));
