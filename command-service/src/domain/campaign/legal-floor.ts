import type { CallingWindow } from '@ccp/schemas';

/**
 * The hours outside which no campaign may call, whatever its own windows say, in the called person's local
 * time (minutes from local midnight, the same shape as a campaign's windows).
 *
 * Source: operator configuration, not legal advice. The values follow the commonly cited national limits
 * for telemarketing calls; an operator with other obligations changes this table, nothing else.
 */
export type LegalFloor = readonly CallingWindow[];

const EVERY_DAY: CallingWindow['days'] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEKDAYS: CallingWindow['days'] = ['mon', 'tue', 'wed', 'thu', 'fri'];

const hours = (days: CallingWindow['days'], from: number, to: number): CallingWindow => ({
  days,
  start: from * 60,
  end: to * 60,
});

/** Every day 08:00–21:00: the floor of a country without an entry, and what windows are checked against. */
export const DEFAULT_LEGAL_FLOOR: LegalFloor = [hours(EVERY_DAY, 8, 21)];

export const LEGAL_FLOORS: Readonly<Record<string, LegalFloor>> = {
  US: [hours(EVERY_DAY, 8, 21)],
  GB: [hours(EVERY_DAY, 8, 21)],
  FR: [hours(WEEKDAYS, 10, 13), hours(WEEKDAYS, 14, 20)],
  DE: [hours(EVERY_DAY, 8, 20)],
  ES: [hours(WEEKDAYS, 9, 21)],
};

/** The floor for a lead's country (ISO 3166 alpha-2); an unknown or absent country gets the default. */
export const legalFloorOf = (country: string | undefined): LegalFloor =>
  (country === undefined ? undefined : LEGAL_FLOORS[country]) ?? DEFAULT_LEGAL_FLOOR;
