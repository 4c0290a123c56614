import { describe, expect, it } from 'vitest';
import {
  busyWithoutOurs,
  externalEventIdOf,
  mirrorEventOf,
  wantsMirror,
  type MirroredAppointment,
} from './mirror.js';

const appointment: MirroredAppointment = {
  tenantId: 'acme',
  appointmentId: 'apt-1',
  resourceId: 'dr-ana',
  status: 'scheduled',
  startsAt: '2026-12-10T15:00:00.000Z',
  durationMinutes: 45,
  timeZone: 'America/New_York',
  service: 'Cleaning',
  customerName: 'Maria Lopez',
};

describe('the mirror of an appointment in an external calendar', () => {
  it('has an id Google accepts (base32hex), the same every time and different per tenant', () => {
    const id = externalEventIdOf('acme', 'apt-1');
    expect(id).toMatch(/^[a-v0-9]{5,1024}$/);
    expect(externalEventIdOf('acme', 'apt-1')).toBe(id);
    expect(externalEventIdOf('other', 'apt-1')).not.toBe(id);
  });

  it('spans the appointment in its time zone, tentative until confirmed', () => {
    const event = mirrorEventOf(appointment);
    expect(event.start).toEqual({ dateTime: '2026-12-10T15:00:00.000Z', timeZone: 'America/New_York' });
    expect(event.end.dateTime).toBe('2026-12-10T15:45:00.000Z');
    expect(event.summary).toBe('Cleaning — Maria Lopez');
    expect(event.status).toBe('tentative');
    expect(mirrorEventOf({ ...appointment, status: 'confirmed' }).status).toBe('confirmed');
  });

  it('is wanted for open appointments only, and not for ones long past', () => {
    const now = new Date('2026-12-09T00:00:00Z');
    expect(wantsMirror(appointment, now)).toBe(true);
    expect(wantsMirror({ ...appointment, status: 'cancelled' }, now)).toBe(false);
    expect(wantsMirror(appointment, new Date('2026-12-12T00:00:00Z'))).toBe(false);
  });
});

describe('busy time without our own mirrors', () => {
  const r = (from: string, until: string) => ({
    from: `2026-12-10T${from}:00.000Z`,
    until: `2026-12-10T${until}:00.000Z`,
  });

  it('cuts our appointments out of merged busy blocks and keeps what others put there', () => {
    // Google merged our 10:00-10:45 with someone's 10:45-12:00 meeting.
    expect(busyWithoutOurs([r('10:00', '12:00')], [r('10:00', '10:45')])).toEqual([r('10:45', '12:00')]);
    expect(busyWithoutOurs([r('09:00', '12:00')], [r('10:00', '10:30')])).toEqual([
      r('09:00', '10:00'),
      r('10:30', '12:00'),
    ]);
    expect(busyWithoutOurs([r('10:00', '10:45')], [r('10:00', '10:45')])).toEqual([]);
    expect(busyWithoutOurs([r('13:00', '14:00')], [r('10:00', '10:45')])).toEqual([r('13:00', '14:00')]);
  });
});
