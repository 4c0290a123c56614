import type { CampaignSettings, CommandMetadata } from '@ccp/schemas';
import { DomainError } from '../decider.js';
import { localDateAt, windowOutsideFloor } from './schedule.js';

/**
 * The checks every campaign's settings pass, at creation and after each edit: the dates in order and every
 * window inside the default legal floor (a lead's country may narrow it further when dialling).
 */
export const checkSettings = (settings: CampaignSettings): void => {
  if (settings.endDate !== undefined && settings.endDate < settings.startDate) {
    throw new DomainError(
      'END_BEFORE_START',
      `the end date ${settings.endDate} is before the start date ${settings.startDate}`,
      'endDate',
    );
  }
  const outside = windowOutsideFloor(settings.windows);
  if (outside >= 0) {
    throw new DomainError(
      'WINDOW_OUTSIDE_LEGAL_HOURS',
      'every calling window must lie inside the legal calling hours (08:00–21:00 local time)',
      `windows.${outside}`,
    );
  }
};

/** A start date already gone in the campaign's own zone cannot be chosen (today is fine). */
export const checkStartNotPast = (settings: CampaignSettings, metadata: CommandMetadata): void => {
  const today = localDateAt(metadata.now, settings.timeZone);
  if (settings.startDate < today) {
    throw new DomainError(
      'START_DATE_IN_PAST',
      `the start date ${settings.startDate} is before today (${today}) in ${settings.timeZone}`,
      'startDate',
    );
  }
};
