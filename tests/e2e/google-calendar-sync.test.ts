import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent, SYSTEM_ACTOR, type EventEnvelope } from '@ccp/schemas';
import { DEMO_TENANT } from '@ccp/infra';
import { startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import {
  startGoogleCalendarStandIn,
  type GoogleCalendarStandIn,
} from '../support/google-calendar-stand-in.js';

/**
 * The two-way Google Calendar sync against a STAND-IN of Google's Calendar API (tests/support), written from its
 * documented wire format: the platform's service-account token exchange, event inserts, patches and deletes,
 * and free/busy. Unverified against Google itself.
 */
const CALENDAR = 'ana@clinic.example';
const DAY = 86_400_000;
let standIn: GoogleCalendarStandIn;
let platform: GatewayPlatform;

const send = (type: string, data: Record<string, unknown>) =>
  platform.test.platform.handler.handleTrusted(
    type,
    { tenantId: DEMO_TENANT, ...data },
    { actor: SYSTEM_ACTOR },
  );

const calendarEvents = async (): Promise<EventEnvelope[]> =>
  (await platform.test.platform.store.readStream(`calendar-${DEMO_TENANT}.ana`)).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    return decoded.ok ? [decoded.value] : [];
  });

const sync = () =>
  platform.gateway.calendarSync()?.syncNow() ?? Promise.reject(new Error('no calendar sync'));

/** Tomorrow or later, at a whole hour UTC (the resource works all day every day). */
const at = (days: number, hour: number) => {
  const day = new Date(Date.now() + days * DAY);
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour)).toISOString();
};
const plus = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  standIn = await startGoogleCalendarStandIn(await exportSPKI(publicKey));
  const keyFile = join(mkdtempSync(join(tmpdir(), 'ccp-google-')), 'service-account.json');
  writeFileSync(
    keyFile,
    JSON.stringify({
      type: 'service_account',
      client_email: 'ccp-sync@clinic-project.iam.gserviceaccount.com',
      private_key: await exportPKCS8(privateKey),
      token_uri: standIn.tokenUrl,
    }),
  );
  platform = await startGatewayPlatform({
    now: () => new Date(),
    env: {
      GOOGLE_SERVICE_ACCOUNT_FILE: keyFile,
      GOOGLE_CALENDAR_API_URL: standIn.apiUrl,
      GOOGLE_CALENDAR_POLL_SECONDS: '3600',
      OUTBOUND_ALLOW: '127.0.0.1/32',
    },
  });
  const allDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({
    day,
    open: '00:00',
    close: '23:59',
  }));
  await send('AddResource', {
    resourceId: 'ana',
    name: 'Dr. Ana Ruiz',
    kind: 'staff',
    timeZone: 'UTC',
    workingHours: allDay,
  });
  await send('DefineService', {
    serviceId: 'cleaning',
    name: 'Cleaning',
    durationMinutes: 45,
    resourceIds: ['ana'],
  });
  await send('LinkExternalCalendar', { resourceId: 'ana', provider: 'google', calendarId: CALENDAR });
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  await standIn?.close();
});

const book = (appointmentId: string, startsAt: string) =>
  send('ScheduleAppointment', {
    appointmentId,
    customer: { name: 'Maria Lopez', phone: '+15551230001' },
    service: 'Cleaning',
    startsAt,
    durationMinutes: 45,
    timeZone: 'UTC',
    placement: { resourceId: 'ana', serviceIds: ['cleaning'] },
  });

describe('Google Calendar two-way sync (against a stand-in of the Calendar API)', () => {
  it('mirrors a booking once, follows its confirmation and move, and deletes it when cancelled', async () => {
    const startsAt = at(2, 10);
    await book('apt-sync-1', startsAt);
    await sync();
    const [mirror, ...others] = standIn.events(CALENDAR);
    expect(others).toEqual([]);
    expect(mirror).toMatchObject({
      summary: 'Cleaning — Maria Lopez',
      status: 'tentative',
      start: { dateTime: startsAt },
      end: { dateTime: plus(startsAt, 45) },
    });
    expect((await calendarEvents()).filter((e) => e.type === 'ExternalEventRecorded')).toHaveLength(1);

    // Pushing again changes nothing at Google: the id is the appointment's.
    await sync();
    expect(standIn.requests.filter((r) => r === 'POST /events')).toHaveLength(1);

    await send('ConfirmAppointment', { appointmentId: 'apt-sync-1' });
    const movedTo = at(3, 14);
    await send('RescheduleAppointment', {
      appointmentId: 'apt-sync-1',
      startsAt: movedTo,
      resourceId: 'ana',
    });
    await sync();
    expect(standIn.events(CALENDAR)).toHaveLength(1);
    expect(standIn.events(CALENDAR)[0]).toMatchObject({ status: 'tentative', start: { dateTime: movedTo } });

    await send('CancelAppointment', { appointmentId: 'apt-sync-1', reason: 'the customer called to cancel' });
    await sync();
    expect(standIn.events(CALENDAR)[0]?.status).toBe('cancelled');
  });

  it('keeps trying a push Google could not take, and then makes it once', async () => {
    const inserts = standIn.requests.filter((r) => r === 'POST /events').length;
    standIn.failNext(1, 503);
    await book('apt-sync-2', at(4, 9));
    // The first push meets the 503 and stays pending; the second one of the same sync makes it.
    await sync();
    expect(standIn.failuresLeft()).toBe(0);
    expect(standIn.requests.filter((r) => r === 'POST /events')).toHaveLength(inserts + 1);
    const mirrors = standIn.events(CALENDAR).filter((e) => e.start.dateTime === at(4, 9));
    expect(mirrors).toHaveLength(1);
    expect(mirrors[0]?.status).toBe('tentative');
  });

  it('turns time blocked in Google into busy time no booking can take, without our own mirrors', async () => {
    const meeting = { from: at(5, 12), until: at(5, 13) };
    standIn.addExternal(CALENDAR, meeting.from, meeting.until);
    await sync();
    const synced = (await calendarEvents()).filter((e) => e.type === 'ExternalBusySynced').at(-1);
    // The mirror of apt-sync-2 is busy at Google too, but it is ours: only the meeting comes back.
    expect((synced?.data as { busy: unknown }).busy).toEqual([meeting]);

    await expect(book('apt-sync-3', plus(meeting.from, 15))).rejects.toMatchObject({
      code: 'SLOT_UNAVAILABLE',
    });
    expect(await platform.test.platform.store.readStream(`appointment-${DEMO_TENANT}.apt-sync-3`)).toEqual(
      [],
    );
  });
});
