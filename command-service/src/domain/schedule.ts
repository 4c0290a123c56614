import { isDeepStrictEqual } from 'node:util';
import type {
  CommandOf,
  EventOf,
  MessageTemplate,
  ScheduleSettings,
  scheduleCommands,
  scheduleEvents,
} from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type ScheduleCommand = CommandOf<(typeof scheduleCommands)[number]>;
export type ScheduleEvent = EventOf<(typeof scheduleEvents)[number]>;

/** The key of the tenant's own feed among the rotations (a resource's is its id). */
export const TENANT_FEED = '';

export interface ScheduleState {
  /** null until the tenant configures its schedule: the schema's defaults apply. */
  readonly settings: ScheduleSettings | null;
  /** How many times each feed was rotated, by resource id (TENANT_FEED for the tenant's own). */
  readonly feedRotations: Readonly<Record<string, number>>;
}

/** Two settings are the same when they say the same: an absent optional field equals one sent as undefined. */
export const sameSettings = (a: unknown, b: unknown): boolean =>
  isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));

/**
 * The rules a list of templates must follow beyond each template's own schema: one template per purpose,
 * channel and language (two would leave the choice to chance), and a subject on every email.
 */
export const checkTemplates = (templates: readonly MessageTemplate[], field: string, code: string): void => {
  const seen = new Map<string, number>();
  templates.forEach((template, index) => {
    const key = `${template.purpose}/${template.channel}/${template.language}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new DomainError(
        code,
        `templates ${first} and ${index} are both for ${template.purpose} by ${template.channel} in ` +
          `${template.language}`,
        `${field}.${index}`,
      );
    }
    seen.set(key, index);
    if (template.channel === 'email' && template.subject === undefined) {
      throw new DomainError(code, 'an email template needs a subject', `${field}.${index}.subject`);
    }
  });
};

/** Reminder offsets say when before the start; two equal ones would send one reminder twice. */
export const checkOffsets = (offsets: readonly number[], field: string, code: string): void => {
  const duplicate = offsets.find((offset, index) => offsets.indexOf(offset) !== index);
  if (duplicate !== undefined) {
    throw new DomainError(code, `the reminder offset ${duplicate} minutes is given twice`, field);
  }
};

export const decide = (command: ScheduleCommand, state: ScheduleState): ScheduleEvent[] => {
  switch (command.type) {
    case 'ConfigureSchedule': {
      const { tenantId: _tenantId, ...settings } = command.data;
      checkOffsets(settings.reminderOffsetsMinutes, 'reminderOffsetsMinutes', 'SCHEDULE_INVALID');
      const channels = settings.channels;
      if (new Set(channels).size !== channels.length) {
        throw new DomainError('SCHEDULE_INVALID', 'a channel is listed twice', 'channels');
      }
      checkTemplates(settings.templates, 'templates', 'SCHEDULE_INVALID');
      if (state.settings !== null && sameSettings(state.settings, settings)) return [];
      return [{ type: 'ScheduleConfigured', data: settings }];
    }
    case 'RotateCalendarFeed': {
      // Every rotation is news: whoever holds the old URL must lose it, even if it was rotated a moment ago.
      const { resourceId } = command.data;
      return [{ type: 'CalendarFeedRotated', data: resourceId === undefined ? {} : { resourceId } }];
    }
  }
};

export const evolve = (state: ScheduleState, event: ScheduleEvent): ScheduleState => {
  switch (event.type) {
    case 'ScheduleConfigured':
      return { ...state, settings: event.data };
    case 'CalendarFeedRotated': {
      const feed = event.data.resourceId ?? TENANT_FEED;
      return {
        ...state,
        feedRotations: { ...state.feedRotations, [feed]: (state.feedRotations[feed] ?? 0) + 1 },
      };
    }
  }
};

export const scheduleDecider: Decider<ScheduleCommand, ScheduleEvent, ScheduleState> = {
  initialState: () => ({ settings: null, feedRotations: {} }),
  decide,
  evolve,
};
