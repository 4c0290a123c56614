import { describe, expect, it } from 'vitest';
import { ConfigureSchedule, RotateCalendarFeed, ScheduleSettings } from '@ccp/schemas';
import { fold } from './decider.js';
import { scheduleDecider, TENANT_FEED, type ScheduleEvent } from './schedule.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(scheduleDecider);
const tenant = { tenantId: 'acme' };
const defaults = ScheduleSettings.parse({});
const smsReminder = {
  purpose: 'reminder',
  channel: 'sms',
  language: 'en',
  body: 'Hi {{name}}, see you {{date}} at {{time}}.',
} as const;
const emailReminder = {
  purpose: 'reminder',
  channel: 'email',
  language: 'en',
  subject: 'Your {{service}} on {{date}}',
  body: 'Hi {{name}}, see you at {{time}}.',
} as const;
const configured = (settings: Partial<ScheduleSettings> = {}): ScheduleEvent => ({
  type: 'ScheduleConfigured',
  data: { ...defaults, ...settings },
});

describe('schedule settings decider', () => {
  describe('ConfigureSchedule', () => {
    it('stores the settings with the defaults filled in, even when they are the defaults', () =>
      given([]).when(command(ConfigureSchedule, tenant)).then(configured()));

    it('stores a change', () =>
      given([configured()])
        .when(command(ConfigureSchedule, { ...tenant, noShowGraceMinutes: 30, templates: [smsReminder] }))
        .then(configured({ noShowGraceMinutes: 30, templates: [smsReminder] })));

    it('stores nothing when the settings are the ones already there', () =>
      given([configured({ templates: [smsReminder, emailReminder] })])
        .when(command(ConfigureSchedule, { ...tenant, templates: [smsReminder, emailReminder] }))
        .thenNothingHappened());

    it('refuses a reminder offset given twice', () =>
      given([])
        .when(command(ConfigureSchedule, { ...tenant, reminderOffsetsMinutes: [1440, 120, 1440] }))
        .thenThrows(refusedWith('SCHEDULE_INVALID', 'reminderOffsetsMinutes')));

    it('refuses a channel listed twice', () =>
      given([])
        .when(command(ConfigureSchedule, { ...tenant, channels: ['sms', 'sms'] }))
        .thenThrows(refusedWith('SCHEDULE_INVALID', 'channels')));

    it('refuses two templates for one purpose, channel and language, naming the second', () =>
      given([])
        .when(
          command(ConfigureSchedule, {
            ...tenant,
            templates: [smsReminder, emailReminder, { ...smsReminder, body: 'Reminder: {{date}}' }],
          }),
        )
        .thenThrows(refusedWith('SCHEDULE_INVALID', 'templates.2')));

    it('takes the same text in another language or for another purpose', () =>
      given([])
        .when(
          command(ConfigureSchedule, {
            ...tenant,
            templates: [
              smsReminder,
              { ...smsReminder, language: 'es' },
              { ...smsReminder, purpose: 'confirmation' },
            ],
          }),
        )
        .then(
          configured({
            templates: [
              smsReminder,
              { ...smsReminder, language: 'es' },
              { ...smsReminder, purpose: 'confirmation' },
            ],
          }),
        ));

    it('refuses an email template without a subject', () => {
      const { subject: _subject, ...noSubject } = emailReminder;
      given([])
        .when(command(ConfigureSchedule, { ...tenant, templates: [smsReminder, noSubject] }))
        .thenThrows(refusedWith('SCHEDULE_INVALID', 'templates.1.subject'));
    });
  });

  describe('RotateCalendarFeed', () => {
    it('rotates the tenant’s feed or a resource’s every time it is asked', () => {
      const rotated: ScheduleEvent = { type: 'CalendarFeedRotated', data: {} };
      given([rotated]).when(command(RotateCalendarFeed, tenant)).then(rotated);
      given([rotated])
        .when(command(RotateCalendarFeed, { ...tenant, resourceId: 'dr-lee' }))
        .then({ type: 'CalendarFeedRotated', data: { resourceId: 'dr-lee' } });
    });

    it('counts the rotations of each feed', () => {
      const state = fold(scheduleDecider, [
        { type: 'CalendarFeedRotated', data: {} },
        { type: 'CalendarFeedRotated', data: { resourceId: 'dr-lee' } },
        { type: 'CalendarFeedRotated', data: {} },
      ]);
      expect(state.feedRotations).toStrictEqual({ [TENANT_FEED]: 2, 'dr-lee': 1 });
      expect(state.settings).toBeNull();
    });
  });
});
