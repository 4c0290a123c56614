import { describe, expect, it } from 'vitest';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { DEFAULT_RETRY_POLICY, SYSTEM_ACTOR } from '@ccp/schemas';
import { as, eventually, test, useQueryPlatform, validate } from '../support/query-platform.js';

// The appointments read side: commands through the HTTP command API, the scheduling, contacts and messages
// processors, the query API's routes and the iCalendar feeds.
useQueryPlatform();

/** The demo calls come from this number (tests/support/calls.ts): Carla's, so her record links them. */
const CARLA_PHONE = '+15550001111';
const DAY = 24 * 3_600_000;
const today = new Date(Math.floor(Date.now() / DAY) * DAY);
/** Midnight UTC `n` days from today, plus `hours`. */
const at = (n: number, hours = 0) => new Date(today.getTime() + n * DAY + hours * 3_600_000).toISOString();
/** Longer than a content line (75 octets), with letters of two and three octets in UTF-8. */
const LONG_SERVICE = `Revisión completa — ${'limpieza y pulido '.repeat(6)}`.trim();
const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const send = async (type: string, data: Record<string, unknown>) => {
  const response = await as('tenant_admin').command(type, { tenantId: DEMO_TENANT, ...data });
  expect(response.status, `${type}: ${JSON.stringify(response.body)}`).toBe(200);
};
const get = async <T = Record<string, unknown>>(role: string, path: string) =>
  as(role).request<T>('GET', path);

interface Listed {
  appointments: { appointmentId: string; status: string; resourceId?: string }[];
  nextCursor?: string;
}
const ids = (list: Listed) => list.appointments.map((a) => a.appointmentId);
const booked = (n: number, hours: number, placement?: Record<string, unknown>, extra = {}) => ({
  appointmentId: `ap-${n}`,
  service: 'Cleaning',
  startsAt: at(1, hours),
  durationMinutes: 30,
  timeZone: 'UTC',
  ...(placement && { placement }),
  ...extra,
});

/** The lines of an iCalendar text, unfolded (RFC 5545 3.1), after checking each physical line's form. */
const unfold = (text: string): string[] => {
  expect(text.endsWith('\r\n')).toBe(true);
  const physical = text.slice(0, -2).split('\r\n');
  for (const line of physical) {
    expect(Buffer.byteLength(line), line).toBeLessThanOrEqual(75);
    expect(line).not.toMatch(/[\r\n]/);
  }
  return physical.reduce<string[]>((lines, line) => {
    if (line.startsWith(' ')) lines[lines.length - 1] += line.slice(1);
    else lines.push(line);
    return lines;
  }, []);
};

/** The VEVENTs of a feed, each as its properties by name (parameters dropped). */
const eventsOf = (text: string): Record<string, string>[] => {
  const lines = unfold(text);
  expect(lines[0]).toBe('BEGIN:VCALENDAR');
  expect(lines.at(-1)).toBe('END:VCALENDAR');
  expect(lines).toContain('VERSION:2.0');
  const events: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT') {
      events.push(current ?? {});
      current = undefined;
    } else if (current) {
      const colon = line.indexOf(':');
      current[line.slice(0, colon).split(';')[0] as string] = line.slice(colon + 1);
    }
  }
  return events;
};

/** A feed read as a calendar app reads it: no session, no key, only the URL. */
const fetchFeed = (url: string) => fetch(url.replace(/^https?:\/\/[^/]+/, test.url));

describe('appointments read side', () => {
  it(
    'projects services, calendars, appointments, contacts, tickets, leads and messages',
    { timeout: 60_000 },
    async () => {
      await send('DefineService', {
        serviceId: 'svc-clean',
        name: 'Cleaning',
        durationMinutes: 30,
        bufferAfterMinutes: 15,
        resourceIds: ['res-ana'],
        price: { amountMinor: 6000, currency: 'USD' },
      });
      await send('DefineService', {
        serviceId: 'svc-xray',
        name: 'X-ray',
        durationMinutes: 15,
        resourceIds: ['res-ana'],
      });
      await send('AddResource', {
        resourceId: 'res-ana',
        name: 'Dr Ana Stone',
        kind: 'staff',
        timeZone: 'UTC',
        workingHours: WEEK.map((day) => ({ day, open: '08:00', close: '18:00' })),
        breaks: WEEK.map((day) => ({ day, open: '12:00', close: '13:00' })),
        languages: ['en', 'es'],
      });
      await send('CreateContact', {
        contactId: 'ct-carla',
        name: 'Carla Ruiz',
        phones: [CARLA_PHONE],
        emails: ['carla@example.com'],
        tags: ['vip'],
        consent: ['sms'],
      });
      await send('CreateContact', {
        contactId: 'ct-dan',
        name: 'Dan Brown',
        phones: ['+15550002222'],
        consent: [],
      });
      await send('CreateContact', {
        contactId: 'ct-gone',
        name: 'Gone Carlsson',
        phones: ['+15550003333'],
        consent: [],
      });
      await send('DeleteContact', { contactId: 'ct-gone' });

      const placement = { resourceId: 'res-ana', serviceIds: ['svc-clean'], bufferAfterMinutes: 15 };
      await send('ScheduleAppointment', {
        ...booked(1, 8, placement),
        customer: { name: 'Carla Ruiz', phone: CARLA_PHONE },
        contactId: 'ct-carla',
        notes: 'Sensitive teeth',
      });
      await send('ConfirmAppointment', { appointmentId: 'ap-1' });
      // Two services back to back; the summary's comma and semicolon must come out escaped in the feed.
      await send('ScheduleAppointment', {
        ...booked(2, 9, { resourceId: 'res-ana', serviceIds: ['svc-clean', 'svc-xray'] }),
        durationMinutes: 45,
        service: 'Cleaning, X-ray; both',
        customer: { name: 'Dan Brown' },
        contactId: 'ct-dan',
      });
      // No calendar: linked to Carla by her number only. Its long summary is folded in the feed.
      await send('ScheduleAppointment', {
        ...booked(3, 34),
        service: LONG_SERVICE,
        customer: { name: 'Walk-in', phone: CARLA_PHONE },
      });
      await send('ScheduleAppointment', { ...booked(4, 14, placement), customer: { name: 'Eve' } });
      await send('CancelAppointment', { appointmentId: 'ap-4', reason: 'Changed plans' });

      await send('ScheduleMessage', {
        messageId: 'msg-1',
        channel: 'sms',
        to: CARLA_PHONE,
        purpose: 'confirmation',
        language: 'en',
        body: 'See you tomorrow at 08:00',
        contactId: 'ct-carla',
        appointmentId: 'ap-1',
        dueAt: at(5),
      });
      await send('ScheduleMessage', {
        messageId: 'msg-2',
        channel: 'email',
        to: 'carla@example.com',
        subject: 'Your visit',
        purpose: 'reminder',
        language: 'en',
        body: 'A reminder of your visit',
        dueAt: at(6),
      });
      await send('OpenTicket', {
        ticketId: 'tk-1',
        subject: 'Crown fell off',
        description: 'Needs a call back',
        customer: { phone: CARLA_PHONE },
      });
      await send('CreateCampaign', {
        campaignId: 'recall-ap',
        name: 'Recall for appointments',
        agentId: 'sofia',
        callerIds: [DEMO_NUMBER],
        startDate: at(1).slice(0, 10),
        timeZone: 'UTC',
        windows: [{ days: WEEK, start: 540, end: 1020 }],
        holidays: [],
        retry: DEFAULT_RETRY_POLICY,
        pacing: { maxConcurrentCalls: 1, callsPerSecond: 1, inboundReserve: 0 },
        voicemail: { action: 'hang_up' },
      });
      const trusted = (type: string, data: Record<string, unknown>) =>
        test.platform.handler.handleTrusted(
          type,
          { tenantId: DEMO_TENANT, campaignId: 'recall-ap', ...data },
          { actor: SYSTEM_ACTOR },
        );
      await trusted('StageLeads', {
        importId: 'imp-1',
        chunk: 0,
        leads: [
          {
            leadId: 'lead-0000000000000001',
            phone: CARLA_PHONE,
            name: 'Carla',
            timeZones: [],
            variables: {},
          },
        ],
      });
      await trusted('CommitLeadImport', {
        importId: 'imp-1',
        chunks: 1,
        rows: 1,
        skippedDoNotCall: 0,
        source: 'csv',
      });

      await eventually(async () => {
        const list = await get<Listed>('tenant_admin', '/api/appointments?resourceId=res-ana');
        expect(ids(list.body)).toEqual(['ap-1', 'ap-2', 'ap-4']);
        expect(list.body.appointments.at(-1)?.status).toBe('cancelled');
        const contact = await get<{ tickets: unknown[]; leads: unknown[] }>(
          'tenant_admin',
          '/api/contacts/ct-carla',
        );
        expect(contact.body.tickets).toHaveLength(1);
        expect(contact.body.leads).toHaveLength(1);
        const messages = await get<{ messages: unknown[] }>(
          'tenant_admin',
          '/api/messages?contactId=ct-carla',
        );
        expect(messages.body.messages).toHaveLength(1);
      });

      const services = await get<{ services: { serviceId: string }[] }>('agent', '/api/services');
      expect(validate('listServices', 200, services.body)).toEqual([]);
      expect(services.body.services.find((s) => s.serviceId === 'svc-clean')).toMatchObject({
        name: 'Cleaning',
        durationMinutes: 30,
        bufferBeforeMinutes: 0,
        bufferAfterMinutes: 15,
        price: { amountMinor: 6000, currency: 'USD' },
        resourceIds: ['res-ana'],
        retired: false,
      });
      const resources = await get<{ resources: { resourceId: string }[] }>('analyst', '/api/resources');
      expect(validate('listResources', 200, resources.body)).toEqual([]);
      expect(resources.body.resources.find((r) => r.resourceId === 'res-ana')).toMatchObject({
        name: 'Dr Ana Stone',
        kind: 'staff',
        timeZone: 'UTC',
        languages: ['en', 'es'],
        removed: false,
        timeOff: [],
      });
    },
  );

  it('lists appointments by range, status, contact and number, a page at a time', async () => {
    const list = async (query: string) => {
      const response = await get<Listed>('agent', `/api/appointments?${query}`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(validate('listAppointments', 200, response.body)).toEqual([]);
      return response.body;
    };
    // Overlapping the range: ap-1 (08:00-08:30) overlaps [08:15, 09:00), ap-2 starts at 09:00.
    expect(ids(await list(`from=${at(1, 8.25)}&until=${at(1, 9)}`))).toEqual(['ap-1']);
    expect(ids(await list(`from=${at(1)}&until=${at(2)}&resourceId=res-ana&status=scheduled`))).toEqual([
      'ap-2',
    ]);
    expect(ids(await list(`phone=${encodeURIComponent(CARLA_PHONE)}`))).toEqual(['ap-1', 'ap-3']);
    expect(ids(await list('contactId=ct-dan'))).toEqual(['ap-2']);

    const first = await list('resourceId=res-ana&limit=2');
    expect(ids(first)).toEqual(['ap-1', 'ap-2']);
    const second = await list(`resourceId=res-ana&limit=2&cursor=${first.nextCursor ?? ''}`);
    expect(ids(second)).toEqual(['ap-4']);
    expect(second.nextCursor).toBeUndefined();

    const [ap1] = (await list('contactId=ct-carla')).appointments;
    expect(ap1).toMatchObject({
      appointmentId: 'ap-1',
      status: 'confirmed',
      startsAt: at(1, 8),
      endsAt: at(1, 8.5),
      durationMinutes: 30,
      serviceIds: ['svc-clean'],
      resourceId: 'res-ana',
      bufferAfterMinutes: 15,
      customer: { name: 'Carla Ruiz', phone: CARLA_PHONE },
      notes: 'Sensitive teeth',
    });

    const detail = await get<{ history: { type: string; actor: string }[] }>(
      'analyst',
      '/api/appointments/ap-1',
    );
    expect(validate('getAppointment', 200, detail.body)).toEqual([]);
    expect(detail.body.history.map((h) => h.type)).toEqual(['AppointmentScheduled', 'AppointmentConfirmed']);
    expect(detail.body.history.map((h) => h.actor)).toEqual(['demo-admin', 'demo-admin']);
    expect((await get('agent', '/api/appointments/ap-none')).status).toBe(404);
  });

  it('offers free slots without the reserved ones', async () => {
    const slots = async (query: string) => {
      const response = await get<{ slots: { startsAt: string; resourceId: string }[] }>(
        'agent',
        `/api/availability?${query}`,
      );
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(validate('availability', 200, response.body)).toEqual([]);
      return response.body.slots.map((s) => s.startsAt);
    };
    const day1 = await slots(`serviceIds=svc-clean&from=${at(1)}&until=${at(2)}&resourceId=res-ana`);
    // ap-1 holds 08:00-08:30 and its 15 minutes after; ap-2 09:00-09:45; the break 12:00-13:00.
    expect(day1.slice(0, 3)).toEqual([at(1, 9.75), at(1, 10), at(1, 10.25)]);
    expect(day1).not.toContain(at(1, 12));
    expect(day1).toContain(at(1, 13));
    // The cancelled ap-4 gave its 14:00 back (the reservation is released by a reaction).
    await eventually(async () =>
      expect(await slots(`serviceIds=svc-clean&from=${at(1, 14)}&until=${at(1, 15)}`)).toContain(at(1, 14)),
    );
    const both = await slots(`serviceIds=svc-clean,svc-xray&from=${at(1, 17)}&until=${at(1, 18)}`);
    // 45 minutes back to back end by 18:00.
    expect(both).toEqual([at(1, 17), at(1, 17.25)]);
  });

  it('lists contacts and reads one with what is linked to it', async () => {
    const list = async (query: string) => {
      const response = await get<{ contacts: { contactId: string }[]; nextCursor?: string }>(
        'supervisor',
        `/api/contacts?${query}`,
      );
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(validate('listContacts', 200, response.body)).toEqual([]);
      return response.body;
    };
    const contactIds = (body: { contacts: { contactId: string }[] }) => body.contacts.map((c) => c.contactId);
    // The deleted Gone Carlsson is left out.
    expect(contactIds(await list('q=CARL'))).toEqual(['ct-carla']);
    expect(contactIds(await list('q=example.com'))).toEqual(['ct-carla']);
    expect(contactIds(await list(`phone=${encodeURIComponent(CARLA_PHONE)}`))).toEqual(['ct-carla']);
    expect(contactIds(await list('phone=%2B15550003333'))).toEqual([]);
    expect(contactIds(await list('tag=vip'))).toContain('ct-carla');
    const first = await list('q=r&limit=1');
    const second = await list(`q=r&limit=1&cursor=${first.nextCursor ?? ''}`);
    expect([...contactIds(first), ...contactIds(second)]).toEqual(['ct-carla', 'ct-dan']);

    const detail = await get<Record<string, { [key: string]: unknown }[]> & { contact: unknown }>(
      'agent',
      '/api/contacts/ct-carla',
    );
    expect(validate('getContact', 200, detail.body)).toEqual([]);
    expect(detail.body.contact).toMatchObject({
      name: 'Carla Ruiz',
      phones: [CARLA_PHONE],
      emails: ['carla@example.com'],
      tags: ['vip'],
      consent: { sms: true },
      doNotCall: false,
    });
    expect(detail.body['calls']?.map((c) => c['callId']).sort()).toEqual([
      'CA-q-1',
      'CA-q-2',
      'CA-q-3',
      'CA-q-4',
    ]);
    expect(detail.body['appointments']?.map((a) => a['appointmentId'])).toEqual(['ap-3', 'ap-1']);
    expect(detail.body['tickets']).toMatchObject([
      { ticketId: 'tk-1', subject: 'Crown fell off', status: 'open' },
    ]);
    expect(detail.body['leads']).toEqual([
      { campaignId: 'recall-ap', campaignName: 'Recall for appointments', status: 'pending' },
    ]);
    // msg-2 went to her address without naming her.
    expect(detail.body['messages']?.map((m) => m['messageId'])).toEqual(['msg-2', 'msg-1']);
    expect((await get('agent', '/api/contacts/ct-gone')).status).toBe(404);
  });

  it('lists the outbox newest first, by channel, contact and appointment', async () => {
    const list = async (query: string) => {
      const response = await get<{ messages: { messageId: string }[] }>('agent', `/api/messages?${query}`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(validate('listMessages', 200, response.body)).toEqual([]);
      return response.body.messages;
    };
    const mine = (await list('status=scheduled')).filter((m) => m.messageId.startsWith('msg-'));
    expect(mine.map((m) => m.messageId)).toEqual(['msg-2', 'msg-1']);
    expect(await list('channel=email&direction=outbound')).toMatchObject([
      {
        messageId: 'msg-2',
        to: 'carla@example.com',
        subject: 'Your visit',
        status: 'scheduled',
        attempts: 0,
        dueAt: at(6),
      },
    ]);
    expect((await list('appointmentId=ap-1')).map((m) => m.messageId)).toEqual(['msg-1']);
  });

  it('refuses roles without access, keeps other tenants out and says which parameter is wrong', async () => {
    const viewerPaths = [
      '/api/services',
      '/api/resources',
      '/api/schedule-settings',
      '/api/appointments',
      '/api/appointments/ap-1',
      `/api/availability?serviceIds=svc-clean&from=${at(1)}&until=${at(2)}`,
      '/api/contacts',
      '/api/contacts/ct-carla',
      '/api/messages',
    ];
    for (const path of viewerPaths) expect((await get('viewer', path)).status, path).toBe(403);
    expect((await get('analyst', '/api/contacts')).status).toBe(403);
    expect((await get('analyst', '/api/messages')).status).toBe(403);
    expect((await get('analyst', '/api/appointments')).status).toBe(200);

    const other = async <T>(path: string) => (await get<T>('other', path)).body;
    expect(await other('/api/appointments')).toEqual({ appointments: [] });
    expect(await other('/api/services')).toEqual({ services: [] });
    expect(await other('/api/resources')).toEqual({ resources: [] });
    expect(await other('/api/contacts')).toEqual({ contacts: [] });
    expect(await other('/api/messages')).toEqual({ messages: [] });
    expect((await get('other', '/api/appointments/ap-1')).status).toBe(404);
    expect((await get('other', '/api/contacts/ct-carla')).status).toBe(404);
    expect((await get('tenant_admin', '/api/appointments?tenantId=globex')).status).toBe(403);

    const refused = async (path: string, field: string, code?: string) => {
      const response = await get<{ error: { code: string; message: string; field?: string } }>(
        'tenant_admin',
        path,
      );
      expect(response.status, path).toBe(400);
      expect(response.body.error.field, path).toBe(field);
      if (code !== undefined) expect(response.body.error.code).toBe(code);
    };
    await refused('/api/appointments?from=yesterday', 'from');
    await refused(`/api/appointments?from=${at(2)}&until=${at(1)}`, 'until');
    await refused('/api/appointments?limit=0', 'limit');
    await refused('/api/appointments?limit=501', 'limit');
    await refused('/api/appointments?cursor=not-a-cursor', 'cursor', 'INVALID_CURSOR');
    await refused('/api/appointments?status=lost', 'status');
    expect((await get('tenant_admin', '/api/appointments?colour=red')).status).toBe(400);
    await refused('/api/contacts?phone=555', 'phone');
    await refused('/api/messages?direction=sideways', 'direction');
    await refused(`/api/availability?serviceIds=svc-clean&from=${at(1)}&until=${at(40)}`, 'until');
    await refused(`/api/availability?from=${at(1)}&until=${at(2)}`, 'serviceIds');
  });

  it(
    'serves the iCalendar feeds behind secret URLs that a rotation replaces',
    { timeout: 30_000 },
    async () => {
      type Settings = {
        reminderOffsetsMinutes: number[];
        feeds?: { tenant: string; resources: Record<string, string> };
      };
      const settings = await get<Settings>('tenant_admin', '/api/schedule-settings');
      expect(validate('scheduleSettings', 200, settings.body)).toEqual([]);
      // Never configured: the defaults.
      expect(settings.body.reminderOffsetsMinutes).toEqual([1440, 120]);
      const feeds = settings.body.feeds;
      if (feeds === undefined) throw new Error('a tenant admin gets the feed URLs');
      expect((await get<Settings>('supervisor', '/api/schedule-settings')).body.feeds).toBeUndefined();

      const tenantFeed = await fetchFeed(feeds.tenant);
      expect(tenantFeed.status).toBe(200);
      expect(tenantFeed.headers.get('content-type')).toMatch(/^text\/calendar/);
      const events = eventsOf(await tenantFeed.text());
      const byUid = new Map(events.map((e) => [e['UID'], e]));
      expect(byUid.get(`ap-1@${DEMO_TENANT}.ccp`)).toMatchObject({
        SUMMARY: 'Cleaning — Carla Ruiz',
        DTSTART: at(1, 8).replace(/[-:]|\.000/g, ''),
        DTEND: at(1, 8.5).replace(/[-:]|\.000/g, ''),
        STATUS: 'CONFIRMED',
      });
      expect(byUid.get(`ap-2@${DEMO_TENANT}.ccp`)).toMatchObject({
        SUMMARY: 'Cleaning\\, X-ray\\; both — Dan Brown',
        STATUS: 'TENTATIVE',
      });
      expect(byUid.get(`ap-3@${DEMO_TENANT}.ccp`)?.['SUMMARY']).toBe(`${LONG_SERVICE} — Walk-in`);
      // Cancelled: not in the feed.
      expect(byUid.has(`ap-4@${DEMO_TENANT}.ccp`)).toBe(false);

      const anaUrl = feeds.resources['res-ana'];
      if (anaUrl === undefined) throw new Error('a feed for each resource');
      const anaFeed = eventsOf(await (await fetchFeed(anaUrl)).text());
      expect(anaFeed.map((e) => e['UID'])).toEqual([`ap-1@${DEMO_TENANT}.ccp`, `ap-2@${DEMO_TENANT}.ccp`]);

      const wrong = [
        feeds.tenant.replace(/[A-Za-z0-9_-]{10}\.ics$/, 'AAAAAAAAAA.ics'),
        feeds.tenant.replace(`/ical/${DEMO_TENANT}/`, '/ical/globex/'),
        feeds.tenant.replace('/all/', '/res-ana/'),
        `${test.url}/ical/no-such-tenant/all/x.ics`,
      ];
      for (const url of wrong) {
        const response = await fetchFeed(url);
        expect(response.status, url).toBe(404);
        expect(await response.text()).not.toMatch(/token|secret|rotation/i);
      }

      await send('RotateCalendarFeed', {});
      let rotated = feeds.tenant;
      await eventually(async () => {
        rotated = (await get<Settings>('tenant_admin', '/api/schedule-settings')).body.feeds?.tenant ?? '';
        expect(rotated).not.toBe(feeds.tenant);
      });
      expect((await fetchFeed(feeds.tenant)).status).toBe(404);
      expect((await fetchFeed(rotated)).status).toBe(200);
      // Rotating the tenant's feed leaves the resource's as it was.
      expect((await fetchFeed(anaUrl)).status).toBe(200);

      // A removed staff member's feed ends with them.
      await send('AddResource', {
        resourceId: 'res-temp',
        name: 'Locum',
        kind: 'staff',
        timeZone: 'UTC',
        workingHours: [{ day: 'mon', open: '08:00', close: '12:00' }],
      });
      let tempUrl = '';
      await eventually(async () => {
        tempUrl =
          (await get<Settings>('tenant_admin', '/api/schedule-settings')).body.feeds?.resources['res-temp'] ??
          '';
        expect((await fetchFeed(tempUrl)).status).toBe(200);
      });
      await send('RemoveResource', { resourceId: 'res-temp' });
      await eventually(async () => expect((await fetchFeed(tempUrl)).status).toBe(404));
    },
  );
});
