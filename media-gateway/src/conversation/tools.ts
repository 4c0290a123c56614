import { createHash } from 'node:crypto';
import { z } from 'zod';
import { IsoDateTime, isoWithOffset, type BusinessHours } from '@ccp/schemas';
import { isOpen, nextOpening } from '../routing/business-hours.js';
import type { Directory } from '../directory/directory.js';
import type { ToolSpec } from '../llm/port.js';
import type { SlotHolds } from '../booking/offers.js';
import {
  bookByService,
  findFreeSlots,
  findFreeSlotsArguments,
  rescheduleByService,
} from './booking-tools.js';
import { CommandRefusedError, type CommandSender } from './commands.js';
import type { CrmRecordLookup } from '../integrations/crm-lookup.js';
import type { CrmRecord } from '../integrations/port.js';

/** What the knowledge tool returns for one match. */
export interface KnowledgeHit {
  readonly id: string;
  readonly kind: 'article' | 'objection' | 'script';
  readonly title: string;
  readonly text: string;
  readonly score: number;
  /** The sentence that answers, when the match was by meaning rather than by the caller's words, or translated. */
  readonly passage?: string;
  /** The passage's language when it was translated into the caller's (the article's own is another). */
  readonly passageLanguage?: string;
}

export type KnowledgeSearch = (
  tenantId: string,
  query: string,
  options: { readonly language: string; readonly departmentId: string | undefined },
) => KnowledgeHit[] | Promise<KnowledgeHit[]>;

/** Whether a person can take an escalated call in a department right now. */
export type HumanAvailability = (tenantId: string, departmentId: string | undefined) => boolean;

export interface ToolCallContext {
  readonly tenantId: string;
  readonly callId: string;
  /** The customer's address: the caller of an inbound call, the callee of an outbound one. */
  readonly customer: string;
  readonly agentId: string;
  readonly departmentId: string | undefined;
  readonly language: string;
  readonly timeZone: string;
  /** Outside the hours in which people take calls. */
  readonly afterHours: boolean;
  /** When appointments can be: the practice's opening hours (in timeZone unless they name their own). */
  readonly openingHours: BusinessHours;
  /** The call's clock (the demo's "as if at" time when one was asked for). */
  readonly now: () => Date;
}

export interface ToolDependencies {
  readonly commands: CommandSender;
  readonly directory: Directory;
  readonly searchKnowledge: KnowledgeSearch;
  readonly humansAvailable: HumanAvailability;
  /** Slots offered on the process's live calls, held back from other callers for a few minutes. */
  readonly holds?: SlotHolds;
  /** Brings the directory up to date (a calendar that changed while the caller chose). */
  readonly catchUp?: () => Promise<void>;
  /** The caller's record in the tenant's CRM, when it connected one (undefined: none, or too slow to wait for). */
  readonly crmRecord?: CrmRecordLookup;
}

/** What running a tool did to the call, beyond its result for the model. */
export type ToolEffect =
  | { readonly kind: 'queued'; readonly departmentId: string }
  | { readonly kind: 'end_call'; readonly reason: string }
  | { readonly kind: 'follow_up'; readonly description: string };

export interface ToolOutcome {
  readonly result: Record<string, unknown>;
  readonly status: 'succeeded' | 'failed';
  readonly effects: readonly ToolEffect[];
}

const Reason = z.enum(['caller_request', 'low_confidence', 'negative_sentiment', 'agent_rule', 'keyword']);

const argumentSchemas = {
  search_knowledge_base: z.object({ query: z.string().trim().min(1).max(500) }),
  book_appointment: z.object({
    service: z.string().trim().min(1).max(200),
    startsAt: IsoDateTime,
    customerName: z.string().trim().min(1).max(120),
    resourceId: z.string().min(1).max(80).optional(),
    durationMinutes: z.number().int().min(5).max(480).optional(),
    notes: z.string().max(2000).optional(),
  }),
  reschedule_appointment: z.object({ appointmentId: z.string().min(1).max(80), startsAt: IsoDateTime }),
  cancel_appointment: z.object({
    appointmentId: z.string().min(1).max(80),
    reason: z.string().trim().min(1).max(500),
  }),
  lookup_caller_history: z.object({}),
  open_ticket: z.object({
    subject: z.string().trim().min(1).max(200),
    description: z.string().trim().min(1).max(20_000),
    priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
  }),
  take_message: z.object({
    message: z.string().trim().min(1).max(20_000),
    callerName: z.string().trim().min(1).max(120).optional(),
  }),
  schedule_callback: z.object({ at: IsoDateTime, reason: z.string().trim().min(1).max(500) }),
  escalate_to_human: z.object({ reason: Reason, summary: z.string().trim().min(1).max(20_000) }),
  end_call: z.object({ reason: z.string().trim().min(1).max(500) }),
  add_to_do_not_call: z.object({}),
  find_free_slots: findFreeSlotsArguments,
} as const;

export type ToolName = keyof typeof argumentSchemas;

/** Whether a tool of that name takes these arguments (so that the call would reach the tool itself). */
export const toolArgumentsFit = (name: string, args: Readonly<Record<string, unknown>>): boolean =>
  Object.hasOwn(argumentSchemas, name) && argumentSchemas[name as ToolName].safeParse(args).success;

const object = (properties: Record<string, unknown>, required: string[]) =>
  ({ type: 'object', properties, required, additionalProperties: false }) as const;
const str = (description: string) => ({ type: 'string', description });

/** The tools offered to every model, in the JSON Schema both OpenAI and Anthropic take. */
export const TOOL_SPECS: readonly ToolSpec[] = [
  {
    name: 'search_knowledge_base',
    description:
      "Search the business's published articles and call scripts for an answer to the caller's question.",
    parameters: object({ query: str('The question in the caller’s words') }, ['query']),
  },
  {
    name: 'book_appointment',
    description: 'Book an appointment for the caller once service, date and time, and their name are known.',
    parameters: object(
      {
        service: str('What the appointment is for'),
        startsAt: str('ISO 8601 date and time with offset'),
        customerName: str('The caller’s name'),
        resourceId: str('The resourceId of the time find_free_slots offered, when it offered one'),
        durationMinutes: { type: 'integer', minimum: 5, maximum: 480 },
        notes: str('Anything the business should know'),
      },
      ['service', 'startsAt', 'customerName'],
    ),
  },
  {
    name: 'reschedule_appointment',
    description: 'Move one of the caller’s appointments (ids from lookup_caller_history) to another time.',
    parameters: object({ appointmentId: str('Appointment id'), startsAt: str('ISO 8601 with offset') }, [
      'appointmentId',
      'startsAt',
    ]),
  },
  {
    name: 'cancel_appointment',
    description: 'Cancel one of the caller’s appointments (ids from lookup_caller_history).',
    parameters: object({ appointmentId: str('Appointment id'), reason: str('Why') }, [
      'appointmentId',
      'reason',
    ]),
  },
  {
    name: 'lookup_caller_history',
    description: 'The caller’s earlier calls, appointments and tickets with this business.',
    parameters: object({}, []),
  },
  {
    name: 'open_ticket',
    description: 'Open a support ticket for a problem that needs follow-up by the team.',
    parameters: object(
      {
        subject: str('One line'),
        description: str('What happened and what the caller needs'),
        priority: { type: 'string', enum: ['low', 'normal', 'high', 'urgent'] },
      },
      ['subject', 'description'],
    ),
  },
  {
    name: 'take_message',
    description: 'Take a message for the team when nobody can take the call; it is filed as a ticket.',
    parameters: object({ message: str('The message'), callerName: str('The caller’s name') }, ['message']),
  },
  {
    name: 'schedule_callback',
    description: 'Promise to call the caller back at a given time.',
    parameters: object({ at: str('ISO 8601 with offset'), reason: str('What the call back is about') }, [
      'at',
      'reason',
    ]),
  },
  {
    name: 'escalate_to_human',
    description: 'Hand the call to a person in the department, with a summary so they need not ask again.',
    parameters: object(
      {
        reason: { type: 'string', enum: Reason.options },
        summary: str('What the caller wants and what was tried'),
      },
      ['reason', 'summary'],
    ),
  },
  {
    name: 'end_call',
    description: 'End the call after saying goodbye.',
    parameters: object({ reason: str('Why the call ends') }, ['reason']),
  },
  {
    name: 'add_to_do_not_call',
    description:
      'The person asks never to be called again ("don\'t call me again", "remove me from your list"): put their number on the do-not-call list, confirm, and end the call.',
    parameters: object({}, []),
  },
];

/** Ids derived from the call and tool call, so that a retried tool books one appointment, not two. */
const derivedId = (prefix: string, ...parts: string[]): string =>
  `${prefix}-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24)}`;

const failed = (error: string): ToolOutcome => ({ result: { error }, status: 'failed', effects: [] });

const isPhone = (address: string): boolean => /^\+[1-9]\d{6,14}$/.test(address);

/**
 * Why an appointment cannot start then, by the call's clock and the practice's hours; undefined when it can.
 * The next opening goes with the refusal, so the agent can offer it (a Sunday asks for Monday morning).
 */
const refusedTime = (call: ToolCallContext, startsAt: string): ToolOutcome | undefined => {
  const at = new Date(startsAt);
  const now = call.now();
  const opens = (from: Date) => nextOpening(call.openingHours, call.timeZone, from);
  if (at <= now) {
    const next = opens(now);
    return refusal('that time is in the past', next, call.timeZone);
  }
  // Hours that never open say nothing about when to book; the business decides.
  if (call.openingHours.weekly.length === 0 || isOpen(call.openingHours, call.timeZone, at)) return undefined;
  return refusal('the practice is closed then', opens(at), call.timeZone);
};

const refusal = (error: string, next: Date | undefined, timeZone: string): ToolOutcome => ({
  result: { error, ...(next !== undefined && { nextOpening: isoWithOffset(next, timeZone) }) },
  status: 'failed',
  effects: [],
});

export const runTool = async (
  deps: ToolDependencies,
  call: ToolCallContext,
  toolCallId: string,
  name: string,
  rawArguments: Readonly<Record<string, unknown>>,
): Promise<ToolOutcome> => {
  // Own keys only: the model names the tool, and `in` would take toString or __proto__ for one.
  if (!Object.hasOwn(argumentSchemas, name)) return failed(`unknown tool ${name}`);
  const tool = name as ToolName;
  const parsed = argumentSchemas[tool].safeParse(rawArguments);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return failed(`invalid arguments: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  try {
    return await execute(deps, call, toolCallId, tool, parsed.data);
  } catch (error) {
    // A refusal (a time in the past, an appointment already cancelled) is told to the model to explain.
    if (error instanceof CommandRefusedError) return failed(error.message);
    throw error;
  }
};

const execute = async (
  deps: ToolDependencies,
  call: ToolCallContext,
  toolCallId: string,
  tool: ToolName,
  args: Record<string, unknown>,
): Promise<ToolOutcome> => {
  const { commands, directory } = deps;
  const key = { tenantId: call.tenantId };
  const succeeded = (result: Record<string, unknown>, effects: ToolEffect[] = []): ToolOutcome => ({
    result,
    status: 'succeeded',
    effects,
  });
  switch (tool) {
    case 'search_knowledge_base': {
      const { query } = argumentSchemas.search_knowledge_base.parse(args);
      const results = await deps.searchKnowledge(call.tenantId, query, {
        language: call.language,
        departmentId: call.departmentId,
      });
      return succeeded({ results });
    }
    case 'find_free_slots':
      return findFreeSlots(deps, call, argumentSchemas.find_free_slots.parse(args));
    case 'book_appointment': {
      const a = argumentSchemas.book_appointment.parse(args);
      const appointmentId = derivedId('apt', call.callId, toolCallId);
      // With services, the resources' calendars say when one can book (their hours, not the practice's).
      const byService = await bookByService(
        deps,
        call,
        { appointmentId, contactId: derivedId('ct', call.callId) },
        a,
        isPhone(call.customer),
      );
      if (byService) return byService;
      const refused = refusedTime(call, a.startsAt);
      if (refused) return refused;
      await commands.send('ScheduleAppointment', {
        ...key,
        appointmentId,
        customer: { name: a.customerName, ...(isPhone(call.customer) && { phone: call.customer }) },
        service: a.service,
        startsAt: a.startsAt,
        durationMinutes: a.durationMinutes ?? 30,
        timeZone: call.timeZone,
        agentId: call.agentId,
        callId: call.callId,
        ...(a.notes !== undefined && { notes: a.notes }),
      });
      return succeeded({ appointmentId, startsAt: new Date(a.startsAt).toISOString(), status: 'scheduled' }, [
        { kind: 'follow_up', description: `appointment ${appointmentId} booked` },
      ]);
    }
    case 'reschedule_appointment': {
      const a = argumentSchemas.reschedule_appointment.parse(args);
      if (!callerAppointment(directory, call, a.appointmentId))
        return failed('no such appointment for this caller');
      const byService = await rescheduleByService(deps, call, a.appointmentId, a.startsAt);
      if (byService) return byService;
      const refused = refusedTime(call, a.startsAt);
      if (refused) return refused;
      await commands.send('RescheduleAppointment', {
        ...key,
        appointmentId: a.appointmentId,
        startsAt: a.startsAt,
      });
      return succeeded({ appointmentId: a.appointmentId, startsAt: new Date(a.startsAt).toISOString() });
    }
    case 'cancel_appointment': {
      const a = argumentSchemas.cancel_appointment.parse(args);
      if (!callerAppointment(directory, call, a.appointmentId))
        return failed('no such appointment for this caller');
      await commands.send('CancelAppointment', { ...key, appointmentId: a.appointmentId, reason: a.reason });
      return succeeded({ appointmentId: a.appointmentId, status: 'cancelled' });
    }
    case 'lookup_caller_history': {
      const history = directory.callerHistory(call.tenantId, call.customer);
      const contact = directory.contactByPhone(call.tenantId, call.customer);
      const crm = isPhone(call.customer) ? await deps.crmRecord?.(call.tenantId, call.customer) : undefined;
      return succeeded({
        ...(crm && { crm: crmSummary(crm) }),
        ...(contact && {
          contact: {
            contactId: contact.contactId,
            name: contact.name,
            ...(contact.language !== undefined && { language: contact.language }),
          },
        }),
        calls: history.calls
          .filter((c) => c.callId !== call.callId)
          .slice(0, 10)
          // A call not yet ended or summarized has no outcome or summary: left out, as the result is
          // recorded as JSON (ToolInvoked), where an undefined field is refused.
          .map((c) => ({
            callId: c.callId,
            startedAt: c.startedAt,
            ...(c.outcome !== undefined && { outcome: c.outcome }),
            ...(c.summary !== undefined && { summary: c.summary }),
          })),
        appointments: history.appointments.map((a) => ({
          appointmentId: a.appointmentId,
          service: a.service,
          startsAt: a.startsAt,
          status: a.status,
        })),
        tickets: history.tickets.map((t) => ({ ticketId: t.ticketId, subject: t.subject, status: t.status })),
      });
    }
    case 'open_ticket': {
      const a = argumentSchemas.open_ticket.parse(args);
      const ticketId = derivedId('tkt', call.callId, toolCallId);
      await commands.send('OpenTicket', {
        ...key,
        ticketId,
        subject: a.subject,
        description: a.description,
        priority: a.priority ?? 'normal',
        callId: call.callId,
        ...(isPhone(call.customer) && { customer: { phone: call.customer } }),
        ...(call.departmentId !== undefined && { departmentId: call.departmentId }),
      });
      return succeeded({ ticketId }, [
        { kind: 'follow_up', description: `ticket ${ticketId}: ${a.subject}` },
      ]);
    }
    case 'take_message': {
      const a = argumentSchemas.take_message.parse(args);
      const ticketId = derivedId('tkt', call.callId, toolCallId);
      // Filed as a ticket so that the message waits in the team's queue like any other request.
      await commands.send('OpenTicket', {
        ...key,
        ticketId,
        subject: `Message from ${a.callerName ?? call.customer}`.slice(0, 200),
        description: a.message,
        priority: 'normal',
        category: 'message',
        callId: call.callId,
        customer: {
          ...(a.callerName !== undefined && { name: a.callerName }),
          ...(isPhone(call.customer) && { phone: call.customer }),
        },
        ...(call.departmentId !== undefined && { departmentId: call.departmentId }),
      });
      await commands.send('TakeMessage', {
        ...key,
        callId: call.callId,
        message: a.message,
        ...(a.callerName !== undefined && { callerName: a.callerName }),
        ticketId,
      });
      return succeeded({ ticketId }, [
        { kind: 'follow_up', description: `message filed as ticket ${ticketId}` },
      ]);
    }
    case 'schedule_callback': {
      const a = argumentSchemas.schedule_callback.parse(args);
      // Nobody calls back while the practice is closed: a time then (or already past) becomes the next
      // opening after it, and the result says the time promised, which the agent tells the caller.
      const asked = new Date(Math.max(new Date(a.at).getTime(), call.now().getTime()));
      const opens =
        call.openingHours.weekly.length > 0
          ? nextOpening(call.openingHours, call.timeZone, asked)
          : undefined;
      const when = opens !== undefined ? isoWithOffset(opens, call.timeZone) : a.at;
      await commands.send('ScheduleCallback', {
        ...key,
        callId: call.callId,
        callbackId: derivedId('cb', call.callId, toolCallId),
        at: when,
        number: call.customer,
        reason: a.reason,
      });
      const at = new Date(when).toISOString();
      return succeeded({ callbackAt: at }, [
        { kind: 'follow_up', description: `call back at ${at}: ${a.reason}` },
      ]);
    }
    case 'escalate_to_human': {
      const a = argumentSchemas.escalate_to_human.parse(args);
      await commands.send('RequestEscalation', {
        ...key,
        callId: call.callId,
        reason: a.reason,
        summary: a.summary,
        ...(call.departmentId !== undefined && { departmentId: call.departmentId }),
      });
      if (call.afterHours) return succeeded({ queued: false, reason: 'after_hours' });
      const departmentId = call.departmentId;
      if (departmentId === undefined || !deps.humansAvailable(call.tenantId, departmentId)) {
        return succeeded({ queued: false, reason: 'no_humans_available' });
      }
      await commands.send('QueueCall', { ...key, callId: call.callId, departmentId, queue: departmentId });
      return succeeded({ queued: true, departmentId }, [{ kind: 'queued', departmentId }]);
    }
    case 'end_call': {
      const a = argumentSchemas.end_call.parse(args);
      return succeeded({}, [{ kind: 'end_call', reason: a.reason }]);
    }
    case 'add_to_do_not_call': {
      // The number the person is on: the caller of an inbound call, the callee of a campaign's.
      if (!isPhone(call.customer)) return failed('the number of this call is not known');
      await commands.send('AddToDoNotCall', {
        ...key,
        numbers: [call.customer],
        source: 'caller_request',
        callId: call.callId,
      });
      return succeeded({ listed: call.customer }, [
        { kind: 'follow_up', description: `${call.customer} put on the do-not-call list at their request` },
      ]);
    }
  }
};

/** What the model is told of a CRM record: who the caller is there and what happened lately (JSON-safe). */
const crmSummary = (record: CrmRecord): Record<string, unknown> => ({
  system: record.system,
  ...(record.name !== undefined && { name: record.name }),
  ...(record.company !== undefined && { company: record.company }),
  ...(record.url !== undefined && { url: record.url }),
  recent: record.recent.map((r) => ({ ...(r.at !== undefined && { at: r.at }), text: r.text })),
});

/** The caller's own appointment of that id (a caller moves or cancels no one else's). */
export const callerAppointment = (directory: Directory, call: ToolCallContext, id: unknown) =>
  directory.callerHistory(call.tenantId, call.customer).appointments.find((a) => a.appointmentId === id);
