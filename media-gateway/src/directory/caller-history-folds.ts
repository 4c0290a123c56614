import type { CallerHistory, DirectoryEvent, TenantData } from './directory-entries.js';

/**
 * How the directory (directory.ts) folds each caller's history with a tenant: their calls (outcome, summary),
 * the appointments and the tickets filed under them.
 */

const historyOf = (data: TenantData, caller: string): CallerHistory => {
  let history = data.callers.get(caller);
  if (!history) {
    history = { calls: [], appointmentIds: new Set(), ticketIds: new Set() };
    data.callers.set(caller, history);
  }
  return history;
};

export const applyCall = (data: TenantData, callId: string, event: DirectoryEvent): void => {
  if (event.type === 'CallStarted') {
    // The party that is not the business: the caller of an inbound call, the callee of an outbound one.
    const customer = event.data.direction === 'inbound' ? event.data.from : event.data.to;
    data.callCaller.set(callId, customer);
    historyOf(data, customer).calls.push({
      callId,
      startedAt: event.data.startedAt,
      direction: event.data.direction,
      outcome: undefined,
      summary: undefined,
    });
    return;
  }
  const customer = data.callCaller.get(callId);
  if (customer === undefined) return;
  const entry = data.callers.get(customer)?.calls.find((c) => c.callId === callId);
  if (!entry) return;
  if (event.type === 'CallEnded') entry.outcome = event.data.outcome;
  else if (event.type === 'CallSummarized') entry.summary = event.data.summary;
};

export const applyAppointment = (data: TenantData, appointmentId: string, event: DirectoryEvent): void => {
  const appointment = data.appointments.get(appointmentId);
  switch (event.type) {
    case 'AppointmentScheduled': {
      data.appointments.set(appointmentId, {
        appointmentId,
        service: event.data.service,
        startsAt: event.data.startsAt,
        durationMinutes: event.data.durationMinutes,
        status: 'scheduled',
        customerName: event.data.customer.name,
        placement: event.data.placement && {
          resourceId: event.data.placement.resourceId,
          serviceIds: event.data.placement.serviceIds,
        },
      });
      const customer =
        event.data.customer.phone ??
        (event.data.callId !== undefined ? data.callCaller.get(event.data.callId) : undefined);
      if (customer !== undefined) historyOf(data, customer).appointmentIds.add(appointmentId);
      return;
    }
    case 'AppointmentConfirmed':
      if (appointment) appointment.status = 'confirmed';
      return;
    case 'AppointmentRescheduled':
      if (appointment) {
        appointment.startsAt = event.data.to.startsAt;
        appointment.durationMinutes = event.data.to.durationMinutes;
        appointment.status = 'scheduled';
        const resourceId = event.data.to.resourceId;
        if (appointment.placement && resourceId !== undefined)
          appointment.placement = { ...appointment.placement, resourceId };
      }
      return;
    case 'AppointmentCancelled':
      if (appointment) appointment.status = 'cancelled';
      return;
    case 'AppointmentCompleted':
      if (appointment) appointment.status = 'completed';
      return;
    case 'AppointmentNoShow':
      if (appointment) appointment.status = 'no_show';
      return;
  }
};

export const applyTicket = (data: TenantData, ticketId: string, event: DirectoryEvent): void => {
  const ticket = data.tickets.get(ticketId);
  switch (event.type) {
    case 'TicketOpened': {
      data.tickets.set(ticketId, { ticketId, subject: event.data.subject, status: 'open' });
      const customer =
        event.data.customer?.phone ??
        (event.data.callId !== undefined ? data.callCaller.get(event.data.callId) : undefined);
      if (customer !== undefined) historyOf(data, customer).ticketIds.add(ticketId);
      return;
    }
    case 'TicketUpdated':
      if (ticket && event.data.changes.status !== undefined) ticket.status = event.data.changes.status;
      return;
    case 'TicketResolved':
      if (ticket) ticket.status = 'resolved';
      return;
    case 'TicketReopened':
      if (ticket) ticket.status = 'open';
      return;
  }
};
