import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { E164, Email, EntityId, LongText, Name, SingleLine, TenantId } from './primitives.js';
import { requireSomeField } from './updates.js';

const category = 'ticket';

export const TicketPriority = z.enum(['low', 'normal', 'high', 'urgent']);
export type TicketPriority = z.infer<typeof TicketPriority>;

export const TicketStatus = z.enum(['open', 'pending', 'in_progress', 'resolved']);
export type TicketStatus = z.infer<typeof TicketStatus>;
/** Statuses an update may set; a ticket is resolved only with a resolution (ResolveTicket). */
export const TicketWorkStatus = TicketStatus.exclude(['resolved']);

export const TicketCustomer = z.object({
  name: Name.optional(),
  phone: E164.optional(),
  email: Email.optional(),
});
export type TicketCustomer = z.infer<typeof TicketCustomer>;

/** What an update may change; a null assignee unassigns the ticket. */
export const TicketChanges = z
  .object({ priority: TicketPriority, assigneeId: EntityId.nullable(), status: TicketWorkStatus })
  .partial();
export type TicketChanges = z.infer<typeof TicketChanges>;

const ticketKey = { tenantId: TenantId, ticketId: EntityId };
const Comment = LongText.trim().min(1).max(5000);
const Reason = LongText.trim().min(1).max(2000);

// Commands

export const OpenTicket = defineCommand(
  category,
  'OpenTicket',
  z.object({
    ...ticketKey,
    subject: SingleLine(200),
    description: LongText,
    priority: TicketPriority.default('normal'),
    category: SingleLine(80).optional(),
    callId: EntityId.optional(),
    customer: TicketCustomer.optional(),
    departmentId: EntityId.optional(),
  }),
  'Open a support ticket, for instance from a call the AI could not settle.',
);
export const UpdateTicket = defineCommand(
  category,
  'UpdateTicket',
  requireSomeField(z.object({ ...ticketKey, ...TicketChanges.shape, comment: Comment.optional() }), [
    'priority',
    'assigneeId',
    'status',
    'comment',
  ]),
  'Change the priority, assignee or status of an unresolved ticket, or add a comment.',
);
export const ResolveTicket = defineCommand(
  category,
  'ResolveTicket',
  z.object({ ...ticketKey, resolution: Reason }),
  'Resolve a ticket, saying how.',
);
export const ReopenTicket = defineCommand(
  category,
  'ReopenTicket',
  z.object({ ...ticketKey, reason: Reason }),
  'Reopen a resolved ticket, saying why.',
);

// Events

export const TicketOpened = defineEvent(
  category,
  'TicketOpened',
  1,
  z.object({
    subject: z.string(),
    description: LongText,
    priority: TicketPriority,
    category: z.string().optional(),
    callId: EntityId.optional(),
    customer: TicketCustomer.optional(),
    departmentId: EntityId.optional(),
  }),
);
export const TicketUpdated = defineEvent(
  category,
  'TicketUpdated',
  1,
  z.object({ changes: TicketChanges, comment: z.string().optional() }),
);
export const TicketResolved = defineEvent(
  category,
  'TicketResolved',
  1,
  z.object({ resolution: z.string() }),
);
export const TicketReopened = defineEvent(category, 'TicketReopened', 1, z.object({ reason: z.string() }));

export const ticketCommands = [OpenTicket, UpdateTicket, ResolveTicket, ReopenTicket] as const;
export const ticketEvents = [TicketOpened, TicketUpdated, TicketResolved, TicketReopened] as const;
