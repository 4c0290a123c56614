import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  containsText,
  eventually,
  expectAccessible,
  hasText,
  isVisible,
  navLinks,
  shot,
  startConsole,
  type ApiClient,
  type ConsoleHarness,
} from './harness.js';

/*
 * The appointment screens in Chromium against the real platform and its demo clinic: the week calendar with
 * the seeded appointments, a block dragged to a free time (moved, as the API says) and onto a taken one
 * (refused, put back), a service made in the editor, a contact's history, a template with an unknown variable,
 * and the calendar in Spanish. The demo's on-call dentist works around the clock, so the moves are chosen
 * among that calendar's appointments relative to now, at any hour of the run.
 */

let ui: ConsoleHarness;
let admin: ApiClient;
const ZONE = 'America/New_York';
const ON_CALL = 'on-call';
const ON_CALL_NAME = 'Dr. Omar Haddad (on call)';

interface Appointment {
  appointmentId: string;
  status: string;
  startsAt: string;
  resourceId?: string;
  customer: { name: string };
}

const wall = (iso: string): { date: string; minutes: number } => {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: ZONE,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(iso));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
};
const mondayOf = (date: string): string => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
};

const upcoming = async (): Promise<Appointment[]> => {
  const from = new Date().toISOString();
  const until = new Date(Date.now() + 9 * 86_400_000).toISOString();
  const answer = await admin.request<{ appointments: Appointment[] }>(
    'GET',
    `/api/appointments?from=${from}&until=${until}&limit=500`,
  );
  expect(answer.status).toBe(200);
  return answer.body.appointments;
};
const appointment = async (id: string): Promise<Appointment> => {
  const answer = await admin.request<{ appointment: Appointment }>('GET', `/api/appointments/${id}`);
  expect(answer.status).toBe(200);
  return answer.body.appointment;
};

/** Opens the calendar's week view on the week holding `date` (this week or one of the next two). */
const openWeekOf = async (page: Page, date: string): Promise<void> => {
  await page.getByRole('link', { name: 'Calendar', exact: true }).click();
  await hasText(page.getByRole('heading', { level: 1 }), 'Calendar');
  // Once the clinic's zone is read, the week shown is the clinic's (the browser's own may be a day apart).
  await containsText(page.getByText('Appointments in the clinic’s time'), ZONE);
  await isVisible(page.getByTestId('time-grid'));
  // A moment for each week to lay out its columns after its title: checked at once, the title of the next week
  // can show before its columns do, and the week wanted would be clicked past.
  const shown = () =>
    page
      .getByTestId(`column-${date}`)
      .waitFor({ state: 'visible', timeout: 3000 })
      .then(
        () => true,
        () => false,
      );
  for (let i = 0; i < 3 && !(await shown()); i++) {
    const title = await page.getByTestId('calendar-title').innerText();
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await expect.poll(() => page.getByTestId('calendar-title').innerText()).not.toBe(title);
  }
  await isVisible(page.getByTestId(`column-${date}`));
};

/** Drags a block so that it starts at `minutes` past midnight on the column's day. */
const dragTo = async (page: Page, appointmentId: string, date: string, minutes: number): Promise<void> => {
  const column = page.getByTestId(`column-${date}`);
  const start = Number(await column.getAttribute('data-start-minute'));
  const perMinute = Number(await column.getAttribute('data-px-per-minute'));
  const box = await column.boundingBox();
  if (box === null) throw new Error('the column is not laid out');
  await page
    .locator(`[data-appointment="${appointmentId}"]`)
    .dragTo(column, { targetPosition: { x: box.width / 2, y: (minutes - start) * perMinute + 5 } });
};

beforeAll(async () => {
  ui = await startConsole();
  admin = await ui.clientAs('tenant_admin');
}, 240_000);

afterAll(async () => {
  const errors = ui ? [...ui.pageErrors] : [];
  await ui?.close();
  expect(errors).toEqual([]);
}, 60_000);

describe('appointments in the console', () => {
  it(
    'shows the seeded week, moves a block to a free time, puts back one dropped on a taken time, cancels one',
    {
      timeout: 90_000,
    },
    async () => {
      const all = await eventually(upcoming, (list) => expect(list.length).toBeGreaterThan(5));
      const onCall = all.filter((a) => a.resourceId === ON_CALL && a.status !== 'cancelled');
      // A: two hours ahead at least, not the last of its day (its move stays on that day and inside the hours);
      // B: another of the on-call dentist's appointments in the same week, whose time A is dropped on.
      const soon = Date.now() + 2 * 3_600_000;
      let pair: [Appointment, Appointment] | undefined;
      for (const a of onCall) {
        const at = wall(a.startsAt);
        if (Date.parse(a.startsAt) < soon || at.minutes > 20 * 60) continue;
        const b = onCall.find(
          (x) => x.appointmentId !== a.appointmentId && mondayOf(wall(x.startsAt).date) === mondayOf(at.date),
        );
        if (b !== undefined) {
          pair = [a, b];
          break;
        }
      }
      if (pair === undefined) throw new Error('the demo has no two on-call appointments in one week');
      const [a, b] = pair;
      const aAt = wall(a.startsAt);
      const bAt = wall(b.startsAt);

      const page = await ui.newPage({ height: 1800 });
      await ui.signIn(page, 'tenant_admin');
      expect(await navLinks(page)).toEqual(
        expect.arrayContaining(['Calendar', 'Services', 'Staff and rooms', 'Contacts', 'Messages']),
      );
      await openWeekOf(page, aAt.date);
      // Every appointment of the week the API lists is on the page.
      const weekStart = mondayOf(aAt.date);
      const thisWeek = all.filter((x) => mondayOf(wall(x.startsAt).date) === weekStart);
      for (const x of thisWeek) await isVisible(page.locator(`[data-appointment="${x.appointmentId}"]`));
      await shot(page, 'appointments-week');
      await expectAccessible(page, 'calendar, week');

      await page.getByLabel('Staff member', { exact: true }).selectOption({ label: ON_CALL_NAME });
      // A free time: 90 minutes later the same day (the on-call dentist's next booking is hours after).
      const freeAt = aAt.minutes + 90;
      await dragTo(page, a.appointmentId, aAt.date, freeAt);
      const expected = await eventually(
        () => appointment(a.appointmentId),
        (x) => expect(wall(x.startsAt)).toEqual({ date: aAt.date, minutes: freeAt }),
      );
      await expect
        .poll(() => page.locator(`[data-appointment="${a.appointmentId}"]`).getAttribute('data-starts-at'))
        .toBe(expected.startsAt);

      // Onto B's time: the calendar refuses, the page says why and the block goes back.
      await dragTo(page, a.appointmentId, bAt.date, bAt.minutes);
      await isVisible(page.getByTestId('calendar-error'));
      await containsText(page.getByTestId('calendar-error'), 'Not moved');
      await expect
        .poll(() => page.locator(`[data-appointment="${a.appointmentId}"]`).getAttribute('data-starts-at'))
        .toBe(expected.startsAt);
      expect((await appointment(a.appointmentId)).startsAt).toBe(expected.startsAt);
      await shot(page, 'appointments-refused-move');

      // The details drawer, opened by a click.
      await page.locator(`[data-appointment="${b.appointmentId}"]`).click();
      await containsText(page.getByTestId('appointment-details'), b.customer.name);
      await expectAccessible(page, 'appointment details');
      // Cancelled there with a reason: the API says so and the block shows it.
      await page
        .getByTestId('appointment-cancel')
        .getByLabel('Reason for cancelling')
        .fill('The patient is travelling');
      await page.getByTestId('appointment-cancel').getByRole('button', { name: 'Cancel it' }).click();
      await eventually(
        () => appointment(b.appointmentId),
        (x) => expect(x.status).toBe('cancelled'),
      );
      await expect
        .poll(() => page.locator(`[data-appointment="${b.appointmentId}"]`).getAttribute('class'))
        .toContain('appt-cancelled');
    },
  );

  it(
    'books an appointment at a free time of the on-call dentist, for a contact found by name',
    {
      timeout: 45_000,
    },
    async () => {
      const page = await ui.newPage();
      await ui.signIn(page, 'tenant_admin');
      await page.getByRole('link', { name: 'Calendar', exact: true }).click();
      await page.getByRole('button', { name: 'New appointment' }).click();
      const slots = page.getByTestId('booking-slots');
      await slots.getByLabel('Check-up (30 min)').check();
      const tomorrow = wall(new Date(Date.now() + 86_400_000).toISOString()).date;
      await slots.getByLabel('Day', { exact: true }).fill(tomorrow);
      await slots.getByLabel('Staff member', { exact: true }).selectOption({ label: ON_CALL_NAME });
      await slots.getByRole('button', { name: 'Find free times' }).click();
      const slot = page.getByTestId('slot').first();
      await isVisible(slot);
      const startsAt = await slot.getAttribute('data-starts-at');
      await slot.click();
      const form = page.getByTestId('booking-form');
      await form.getByLabel('Search contacts').fill('Okafor');
      await form.getByRole('button', { name: 'Search', exact: true }).click();
      await form.getByRole('button', { name: /Ben Okafor/ }).click();
      await expect.poll(() => form.getByLabel('Name', { exact: true }).inputValue()).toBe('Ben Okafor');
      await expectAccessible(page, 'new appointment');
      await form.getByRole('button', { name: 'Book', exact: true }).click();
      const booked = await eventually(
        () =>
          admin.request<{ appointments: Appointment[] }>(
            'GET',
            '/api/appointments?contactId=ben-okafor&limit=500',
          ),
        (answer) =>
          expect(
            answer.body.appointments.some((a) => a.startsAt === startsAt && a.resourceId === ON_CALL),
          ).toBe(true),
      );
      expect(booked.status).toBe(200);
    },
  );

  it('creates a service served by a staff member', { timeout: 45_000 }, async () => {
    const page = await ui.newPage();
    await ui.signIn(page, 'tenant_admin');
    await page.getByRole('link', { name: 'Services', exact: true }).click();
    await containsText(page.getByTestId('services-table'), 'Whitening');
    await page.getByRole('button', { name: 'New service' }).click();
    const form = page.getByTestId('service-form');
    await form.getByLabel('Name', { exact: true }).fill('Implant consultation');
    await form.getByLabel('Duration (minutes)').fill('40');
    await form.getByLabel('Buffer after (minutes)').fill('5');
    await form.getByLabel('Price', { exact: true }).fill('150');
    await form.getByTestId('service-staff').getByLabel('Dr. Priya Patel').check();
    await expectAccessible(page, 'service editor');
    await form.getByRole('button', { name: 'Save service' }).click();
    await containsText(page.getByTestId('services-table'), 'Implant consultation');
    const services = await admin.request<{ services: Record<string, unknown>[] }>('GET', '/api/services');
    expect(services.body.services.find((s) => s['serviceId'] === 'implant-consultation')).toMatchObject({
      name: 'Implant consultation',
      durationMinutes: 40,
      bufferAfterMinutes: 5,
      price: { amountMinor: 15000, currency: 'USD' },
      resourceIds: ['dr-patel'],
    });
  });

  it(
    'shows a contact’s history, refuses a template naming an unknown variable, and rotates a calendar feed',
    {
      timeout: 45_000,
    },
    async () => {
      const page = await ui.newPage();
      await ui.signIn(page, 'tenant_admin');
      await page.getByRole('link', { name: 'Contacts', exact: true }).click();
      await page.getByLabel('Search contacts').fill('Ana');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByTestId('contacts-table').getByRole('link', { name: 'Ana García' }).click();
      await hasText(page.getByTestId('contact-name'), 'Ana García');
      await isVisible(page.getByTestId('contact-appointments'));
      await expect
        .poll(() => page.getByTestId('contact-appointments').locator('li').count())
        .toBeGreaterThan(0);
      await shot(page, 'appointments-contact');
      await expectAccessible(page, 'contact page');

      await page.getByRole('link', { name: 'Schedule settings', exact: true }).click();
      await page.getByRole('button', { name: 'Add a template' }).click();
      const row = page.getByTestId('template-row').last();
      await row.getByLabel('Text').fill('Hi {{name}}, see you at {{tiem}}');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await containsText(row.getByTestId('field-error'), '{{tiem}}');
      await expectAccessible(page, 'schedule settings');

      // The tenant's feed link, rotated: the old one stops, a new one is shown.
      const feed = page.getByTestId('feed-all').locator('code');
      const before = await feed.innerText();
      expect(before).toContain('/ical/demo/all/');
      await page.getByRole('button', { name: 'Rotate All appointments' }).click();
      await expect.poll(() => feed.innerText()).not.toBe(before);
      expect((await fetch(before)).status).toBe(404);
    },
  );

  it('lists the messages and adds time off to a staff member', { timeout: 45_000 }, async () => {
    const page = await ui.newPage();
    await ui.signIn(page, 'tenant_admin');
    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    await isVisible(page.getByTestId('messages-table').locator('tbody tr').first());
    await page.getByTestId('message-filters').getByLabel('Direction').selectOption({ label: 'Outbound' });
    await page.getByTestId('message-filters').getByRole('button', { name: 'Apply' }).click();
    await containsText(page.getByTestId('messages-table'), 'Bright Smile Dental');
    await expectAccessible(page, 'messages');

    await page.getByRole('link', { name: 'Staff and rooms', exact: true }).click();
    await page.getByRole('button', { name: 'Edit Carmen Rivera' }).click();
    // A day past the seeded week, when nothing is booked.
    const day = wall(new Date(Date.now() + 9 * 86_400_000).toISOString()).date;
    const off = page.getByTestId('time-off-form');
    await off.getByLabel('From', { exact: true }).fill(`${day}T09:00`);
    await off.getByLabel('Until', { exact: true }).fill(`${day}T10:00`);
    await off.getByLabel('Reason').fill('Training');
    await off.getByRole('button', { name: 'Add time off' }).click();
    await containsText(page.getByTestId('time-off'), 'Training');
    await expectAccessible(page, 'staff member editor');
    const resources = await admin.request<{
      resources: { resourceId: string; timeOff: { reason?: string }[] }[];
    }>('GET', '/api/resources');
    expect(resources.body.resources.find((r) => r.resourceId === 'hygienist-rivera')?.timeOff).toEqual([
      expect.objectContaining({ reason: 'Training' }),
    ]);
  });

  it('reads the calendar in Spanish', { timeout: 30_000 }, async () => {
    const page = await ui.newPage();
    await ui.signIn(page, 'tenant_admin');
    await page.getByRole('link', { name: 'Calendar', exact: true }).click();
    await page
      .getByRole('group', { name: 'Language' })
      .getByRole('button', { name: /Español/ })
      .click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Calendario');
    await page.getByLabel('Vista', { exact: true }).selectOption({ label: 'Mes' });
    await isVisible(page.getByTestId('month-grid'));
    // The day view: one column per staff member.
    await page.getByLabel('Vista', { exact: true }).selectOption({ label: 'Día' });
    for (const id of ['dr-patel', 'hygienist-rivera', ON_CALL])
      await isVisible(page.getByTestId(`column-${id}`));
    await page.getByLabel('Vista', { exact: true }).selectOption({ label: 'Mes' });
    await isVisible(page.getByRole('button', { name: 'Nueva cita' }));
    await shot(page, 'appointments-month-es');
    await expectAccessible(page, 'calendar, month, Spanish');
  });
});
