import { describe, expect, it } from 'vitest';
import { OpenTicket, ReopenTicket, ResolveTicket, UpdateTicket, parseWith } from '@ccp/schemas';
import { fold } from './decider.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';
import { ticketDecider, type TicketCommand, type TicketEvent } from './ticket.js';

const given = DeciderSpecification.for(ticketDecider);
// Emmett's then() matches a subset and cannot compare nulls or empty objects; these cases need exact events.
const decided = (events: TicketEvent[], c: TicketCommand) =>
  ticketDecider.decide(c, fold(ticketDecider, events));

const key = { tenantId: 'acme', ticketId: 't-42' };
const report = { subject: 'Router keeps rebooting', description: 'Since Monday, every hour.' };
const opened: TicketEvent = { type: 'TicketOpened', data: { ...report, priority: 'normal' } };
const resolved: TicketEvent = { type: 'TicketResolved', data: { resolution: 'Firmware updated.' } };

describe('ticket decider', () => {
  describe('OpenTicket', () => {
    it('opens a ticket with normal priority by default', () =>
      expect(decided([], command(OpenTicket, { ...key, ...report }))).toStrictEqual([opened]));

    it('keeps the call, customer, category and department it came with', () =>
      given([])
        .when(
          command(OpenTicket, {
            ...key,
            ...report,
            priority: 'urgent',
            category: 'hardware',
            callId: 'CA123',
            customer: { name: 'Ana Ruiz', phone: '+34600111222', email: 'Ana@Example.com' },
            departmentId: 'support',
          }),
        )
        .then([
          {
            type: 'TicketOpened',
            data: {
              ...report,
              priority: 'urgent',
              category: 'hardware',
              callId: 'CA123',
              customer: { name: 'Ana Ruiz', phone: '+34600111222', email: 'ana@example.com' },
              departmentId: 'support',
            },
          },
        ]));

    it('refuses a ticket id that is taken', () =>
      given([opened])
        .when(command(OpenTicket, { ...key, ...report }))
        .thenThrows(refusedWith('TICKET_EXISTS')));
  });

  describe('UpdateTicket', () => {
    it('records only the fields that change', () =>
      given([opened])
        .when(command(UpdateTicket, { ...key, priority: 'high', assigneeId: 'u-bob', status: 'open' }))
        .then([{ type: 'TicketUpdated', data: { changes: { priority: 'high', assigneeId: 'u-bob' } } }]));

    it('moves the work status', () =>
      given([opened])
        .when(command(UpdateTicket, { ...key, status: 'in_progress', comment: 'Looking into it.' }))
        .then([
          {
            type: 'TicketUpdated',
            data: { changes: { status: 'in_progress' }, comment: 'Looking into it.' },
          },
        ]));

    it('adds a comment alone', () =>
      expect(
        decided([opened], command(UpdateTicket, { ...key, comment: 'Customer called again.' })),
      ).toStrictEqual([{ type: 'TicketUpdated', data: { changes: {}, comment: 'Customer called again.' } }]));

    it('unassigns with a null assignee', () => {
      const assigned: TicketEvent = { type: 'TicketUpdated', data: { changes: { assigneeId: 'u-bob' } } };
      const unassigned: TicketEvent = { type: 'TicketUpdated', data: { changes: { assigneeId: null } } };
      expect(decided([opened, assigned], command(UpdateTicket, { ...key, assigneeId: null }))).toStrictEqual([
        unassigned,
      ]);
      given([opened, assigned, unassigned])
        .when(command(UpdateTicket, { ...key, assigneeId: null }))
        .thenNothingHappened();
    });

    it('treats restating the current values as already done', () =>
      given([opened, { type: 'TicketUpdated', data: { changes: { status: 'pending' } } }])
        .when(command(UpdateTicket, { ...key, status: 'pending', priority: 'normal' }))
        .thenNothingHappened());

    it('refuses to update a resolved ticket', () =>
      given([opened, resolved])
        .when(command(UpdateTicket, { ...key, comment: 'One more thing' }))
        .thenThrows(refusedWith('TICKET_RESOLVED')));

    it('updates a reopened ticket', () =>
      given([opened, resolved, { type: 'TicketReopened', data: { reason: 'still rebooting' } }])
        .when(command(UpdateTicket, { ...key, priority: 'urgent' }))
        .then([{ type: 'TicketUpdated', data: { changes: { priority: 'urgent' } } }]));

    it('refuses an update that names nothing to change', () =>
      expect(parseWith(UpdateTicket.data, key)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED', field: '' },
      }));

    it('refuses to resolve through an update', () =>
      expect(parseWith(UpdateTicket.data, { ...key, status: 'resolved' })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED', field: 'status' },
      }));
  });

  describe('ResolveTicket', () => {
    it('resolves a ticket', () =>
      given([opened, { type: 'TicketUpdated', data: { changes: { status: 'in_progress' } } }])
        .when(command(ResolveTicket, { ...key, resolution: 'Firmware updated.' }))
        .then([resolved]));

    it('resolving twice is one resolution', () =>
      given([opened, resolved])
        .when(command(ResolveTicket, { ...key, resolution: 'Again' }))
        .thenNothingHappened());
  });

  describe('ReopenTicket', () => {
    it('reopens a resolved ticket', () =>
      given([opened, resolved])
        .when(command(ReopenTicket, { ...key, reason: 'still rebooting' }))
        .then([{ type: 'TicketReopened', data: { reason: 'still rebooting' } }]));

    it('reopening an unresolved ticket is already done', () =>
      given([opened])
        .when(command(ReopenTicket, { ...key, reason: 'still rebooting' }))
        .thenNothingHappened());
  });

  const toMissing: TicketCommand[] = [
    command(UpdateTicket, { ...key, priority: 'low' }),
    command(ResolveTicket, { ...key, resolution: 'x' }),
    command(ReopenTicket, { ...key, reason: 'x' }),
  ];
  it.each(toMissing.map((c) => [c.type, c] as const))('refuses %s to a ticket that does not exist', (_, c) =>
    given([]).when(c).thenThrows(refusedWith('TICKET_NOT_FOUND')),
  );
});
