import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntityId, ScheduleMessage, ScheduleSettings } from '@ccp/schemas';
import { localDateTimeAt } from './local-time.js';
import {
  appointmentMessageId,
  planAppointmentMessages,
  planCancellationNotice,
  type AppointmentToPlan,
  type PlanInput,
} from './plan.js';
import { insideQuietHours } from './quiet-hours.js';

const NY = 'America/New_York';
// Thursday 2026-03-05 15:00 in New York (EST).
const START = '2026-03-05T20:00:00.000Z';

const appointment = (over: Partial<AppointmentToPlan> = {}): AppointmentToPlan => ({
  tenantId: 'demo',
  appointmentId: 'apt-1',
  startsAt: START,
  durationMinutes: 30,
  timeZone: NY,
  service: 'Cleaning',
  customer: { name: 'Ana Ruiz', phone: '+12125550147', email: 'ana@example.com' },
  revision: 0,
  ...over,
});

const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  appointment: appointment(),
  business: { name: 'Bright Smile Dental', senderNumber: '+15550100001' },
  now: new Date('2026-03-02T15:00:00Z'),
  ...over,
});

describe('planAppointmentMessages', () => {
  it('plans a confirmation now and reminders a day and two hours before, by SMS, with the defaults', () => {
    const planned = planAppointmentMessages(input());
    expect(planned.map((m) => [m.purpose, m.channel, m.dueAt, m.messageId])).toEqual([
      ['confirmation', 'sms', '2026-03-02T15:00:00.000Z', 'apt-apt-1-r0-confirmation-sms'],
      ['reminder', 'sms', '2026-03-04T20:00:00.000Z', 'apt-apt-1-r0-reminder-1440-sms'],
      ['reminder', 'sms', '2026-03-05T18:00:00.000Z', 'apt-apt-1-r0-reminder-120-sms'],
    ]);
    for (const message of planned) {
      expect(message).toMatchObject({
        to: '+12125550147',
        from: '+15550100001',
        language: 'en',
        expiresAt: START,
      });
      // Every planned message is a valid ScheduleMessage.
      expect(ScheduleMessage.data.safeParse(message).success).toBe(true);
    }
    expect(planned[0]?.body).toBe(
      'Bright Smile Dental: Cleaning booked for Thursday, March 5 at 3:00 PM. Reply C to confirm, R to reschedule, STOP to opt out.',
    );
  });

  it('speaks the contact’s language and zone, with Spanish built-in templates', () => {
    const [confirmation] = planAppointmentMessages(
      input({
        contact: {
          name: 'Ana',
          phones: ['+12125550147'],
          emails: [],
          language: 'es-MX',
          timeZone: 'America/Mexico_City',
          consent: {},
        },
      }),
    );
    expect(confirmation?.language).toBe('es');
    // 20:00 UTC is 14:00 in Mexico City.
    expect(confirmation?.body).toContain('jueves, 5 de marzo a las 14:00');
  });

  it('falls back to the appointment’s language, then English', () => {
    const spanish = planAppointmentMessages(input({ appointment: appointment({ language: 'es' }) }));
    expect(spanish[0]?.language).toBe('es');
    const french = planAppointmentMessages(input({ appointment: appointment({ language: 'fr' }) }));
    expect(french[0]?.language).toBe('en');
  });

  it('uses the tenant’s template for that purpose, channel and language, and the service’s own offsets', () => {
    const settings = ScheduleSettings.parse({
      templates: [
        { purpose: 'reminder', channel: 'sms', language: 'en', body: 'See you {{date}}, {{name}}!' },
      ],
    });
    const planned = planAppointmentMessages(
      input({ settings, service: { reminders: { offsetsMinutes: [60] } } }),
    );
    expect(planned.map((m) => m.messageId)).toEqual([
      'apt-apt-1-r0-confirmation-sms',
      'apt-apt-1-r0-reminder-60-sms',
    ]);
    expect(planned[1]?.body).toBe('See you Thursday, March 5, Ana Ruiz!');
  });

  it('never meets a template with an unknown variable: the settings refuse it when it is saved', () => {
    const refused = ScheduleSettings.safeParse({
      templates: [{ purpose: 'reminder', channel: 'sms', language: 'en', body: 'See you at {{tiem}}' }],
    });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toContain('unknown template variable {{tiem}}');
  });

  it('sends email with a subject when the settings put it first', () => {
    const settings = ScheduleSettings.parse({ channels: ['email', 'sms'], confirmations: false });
    const planned = planAppointmentMessages(input({ settings }));
    expect(planned).toHaveLength(2);
    expect(planned[0]).toMatchObject({ channel: 'email', to: 'ana@example.com' });
    expect(planned[0]?.subject).toBe('Reminder: Cleaning on Thursday, March 5 at 3:00 PM');
    expect(planned[0]).not.toHaveProperty('from');
  });

  it('skips a channel whose consent was withdrawn, and WhatsApp without explicit consent', () => {
    const settings = ScheduleSettings.parse({ channels: ['whatsapp', 'sms', 'email'] });
    const contact = { name: 'Ana', phones: ['+12125550147'], emails: ['ana@example.com'] };
    const withdrawn = planAppointmentMessages(
      input({ settings, contact: { ...contact, consent: { sms: false } } }),
    );
    expect(new Set(withdrawn.map((m) => m.channel))).toEqual(new Set(['email']));
    const agreed = planAppointmentMessages(
      input({ settings, contact: { ...contact, consent: { whatsapp: true } } }),
    );
    expect(new Set(agreed.map((m) => m.channel))).toEqual(new Set(['whatsapp']));
    // Without an address of the contact's, the booking's own is used; with neither, nothing is planned.
    const nowhere = planAppointmentMessages(
      input({
        settings,
        appointment: appointment({ customer: { name: 'Ana Ruiz', phone: '+12125550147' } }),
        contact: { ...contact, emails: [], consent: { sms: false } },
      }),
    );
    expect(nowhere).toEqual([]);
  });

  it('moves messages out of quiet hours and drops a reminder that would then be after the start', () => {
    // Friday 2026-03-06 at 08:30 New York: the 2 h reminder (06:30) waits until 08:00.
    const early = planAppointmentMessages(
      input({ appointment: appointment({ startsAt: '2026-03-06T13:30:00.000Z' }) }),
    );
    expect(early.find((m) => m.messageId.endsWith('-120-sms'))?.dueAt).toBe('2026-03-06T13:00:00.000Z');
    // At 08:00 sharp the 2 h reminder could only go at the start: none.
    const atEight = planAppointmentMessages(
      input({ appointment: appointment({ startsAt: '2026-03-06T13:00:00.000Z' }) }),
    );
    expect(atEight.map((m) => m.purpose)).toEqual(['confirmation', 'reminder']);
    // Booked at 23:00 local: the confirmation goes at 08:00.
    const late = planAppointmentMessages(input({ now: new Date('2026-03-03T04:00:00Z') }));
    expect(late[0]?.dueAt).toBe('2026-03-03T13:00:00.000Z');
  });

  it('drops reminders whose offset is longer than the time left, and plans nothing for a past start', () => {
    const soon = planAppointmentMessages(input({ now: new Date('2026-03-05T17:00:00Z') }));
    expect(soon.map((m) => m.messageId)).toEqual([
      'apt-apt-1-r0-confirmation-sms',
      'apt-apt-1-r0-reminder-120-sms',
    ]);
    expect(planAppointmentMessages(input({ now: new Date('2026-03-05T20:00:00Z') }))).toEqual([]);
    expect(planAppointmentMessages(input({ appointment: appointment({ status: 'cancelled' }) }))).toEqual([]);
    expect(
      planAppointmentMessages(input({ appointment: appointment({ status: 'confirmed' }) })),
    ).toHaveLength(3);
  });

  it('plans the same messages twice alike, and a moved appointment’s apart under its new revision', () => {
    expect(planAppointmentMessages(input())).toEqual(planAppointmentMessages(input()));
    const moved = planAppointmentMessages(input({ appointment: appointment({ revision: 1 }) }));
    expect(moved[0]).toMatchObject({ purpose: 'rescheduled', messageId: 'apt-apt-1-r1-rescheduled-sms' });
    expect(moved[0]?.body).toContain('was rescheduled to Thursday, March 5 at 3:00 PM');
  });

  it('keeps derived ids inside an EntityId for the longest appointment ids', () => {
    const id = appointmentMessageId('a'.repeat(80), 12, 'reminder', 'whatsapp', 20_160);
    expect(id.length).toBeLessThanOrEqual(80);
    expect(EntityId.safeParse(id).success).toBe(true);
    expect(appointmentMessageId('a'.repeat(80), 12, 'reminder', 'whatsapp', 20_160)).toBe(id);
    expect(appointmentMessageId('a'.repeat(80), 12, 'reminder', 'whatsapp', 10_080)).not.toBe(id);
  });

  it('plans a cancellation notice while the appointment is ahead and confirmations are on', () => {
    const notice = planCancellationNotice(input());
    expect(notice).toMatchObject({ purpose: 'cancellation', messageId: 'apt-apt-1-r0-cancellation-sms' });
    expect(notice?.body).toContain('was cancelled');
    expect(
      planCancellationNotice(input({ settings: ScheduleSettings.parse({ confirmations: false }) })),
    ).toBe(undefined);
  });

  it('property: every message is due from now to before the start, outside quiet hours, with a unique id', () => {
    const zones = ['America/New_York', 'Europe/Madrid', 'Asia/Kolkata', 'America/Los_Angeles'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-01T00:00:00Z') }),
        fc.integer({ min: 1, max: 20 * 24 * 60 }),
        fc.array(fc.integer({ min: 5, max: 14 * 24 * 60 }), { maxLength: 5 }),
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 23 }),
        (now, minutesAhead, offsets, zone, from, until) => {
          const quietHours = {
            from: `${String(from).padStart(2, '0')}:00`,
            until: `${String(until).padStart(2, '0')}:00`,
          };
          const settings = ScheduleSettings.parse({ reminderOffsetsMinutes: offsets, quietHours });
          const startsAt = new Date(now + minutesAhead * 60_000).toISOString();
          const planned = planAppointmentMessages(
            input({ settings, now: new Date(now), appointment: appointment({ startsAt, timeZone: zone }) }),
          );
          expect(new Set(planned.map((m) => m.messageId)).size).toBe(planned.length);
          for (const message of planned) {
            const due = Date.parse(message.dueAt);
            expect(due).toBeGreaterThanOrEqual(now);
            expect(due).toBeLessThan(Date.parse(startsAt));
            expect(insideQuietHours(quietHours, localDateTimeAt(due, zone).minute)).toBe(false);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
