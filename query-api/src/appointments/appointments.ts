import { z } from 'zod';
import { decodeEvent, E164, EntityId, parseStreamName, streamName } from '@ccp/schemas';
import type { EventStore } from '@ccp/command-service';
import type { QueryParams, ReadStore } from '@ccp/projections';
import {
  decodeInstantKeyset,
  IsoInstant,
  isoFromClickHouse,
  ListPage,
  optional,
  pageOfRows,
} from './paging.js';

export const AppointmentStatus = z.enum(['scheduled', 'confirmed', 'cancelled', 'completed', 'no_show']);

export const Appointment = z.object({
  appointmentId: z.string(),
  status: AppointmentStatus,
  startsAt: z.string(),
  endsAt: z.string(),
  durationMinutes: z.number().int(),
  timeZone: z.string(),
  service: z.string(),
  serviceIds: z.array(z.string()),
  resourceId: z.string().optional(),
  bufferBeforeMinutes: z.number().int(),
  bufferAfterMinutes: z.number().int(),
  customer: z.object({ name: z.string(), phone: z.string().optional(), email: z.string().optional() }),
  contactId: z.string().optional(),
  callId: z.string().optional(),
  agentId: z.string().optional(),
  notes: z.string().optional(),
  bookedAt: z.string(),
  updatedAt: z.string(),
});
export type Appointment = z.infer<typeof Appointment>;

export const AppointmentQuery = z
  .strictObject({
    from: IsoInstant.optional().describe('Appointments that end after this'),
    until: IsoInstant.optional().describe('Appointments that start before this'),
    resourceId: EntityId.optional(),
    status: AppointmentStatus.optional(),
    contactId: EntityId.optional(),
    phone: E164.optional().describe("The customer's number (E.164)"),
    ...ListPage,
  })
  .refine((q) => q.from === undefined || q.until === undefined || q.from < q.until, {
    message: 'until must be after from',
    path: ['until'],
  });

export const AppointmentList = z.object({
  appointments: z.array(Appointment),
  nextCursor: z.string().optional(),
});

export const AppointmentHistoryEntry = z.object({
  type: z.string(),
  occurredAt: z.string(),
  actor: z.string().describe('Who did it: a member, API key or platform id'),
  data: z.record(z.string(), z.unknown()),
});
export const AppointmentDetail = z.object({
  appointment: Appointment,
  history: z.array(AppointmentHistoryEntry),
});

export const APPOINTMENT_COLUMNS = `appointment_id, status, toString(starts_at) AS starts_text,
  toString(ends_at) AS ends_text, duration_minutes, time_zone, service, service_ids, resource_id,
  buffer_before_minutes, buffer_after_minutes, customer_name, customer_phone, customer_email, contact_id, call_id,
  agent_id, notes, toString(booked_at) AS booked_text, toString(updated_at) AS updated_text`;

export const appointmentOf = (r: Record<string, unknown>): Appointment => {
  const phone = optional(r['customer_phone']);
  const email = optional(r['customer_email']);
  const resourceId = optional(r['resource_id']);
  const contactId = optional(r['contact_id']);
  const callId = optional(r['call_id']);
  const agentId = optional(r['agent_id']);
  const notes = optional(r['notes']);
  return {
    appointmentId: String(r['appointment_id']),
    status: AppointmentStatus.parse(r['status']),
    startsAt: isoFromClickHouse(r['starts_text']),
    endsAt: isoFromClickHouse(r['ends_text']),
    durationMinutes: Number(r['duration_minutes']),
    timeZone: String(r['time_zone']),
    service: String(r['service']),
    serviceIds: Array.isArray(r['service_ids']) ? r['service_ids'].map(String) : [],
    ...(resourceId !== undefined && { resourceId }),
    bufferBeforeMinutes: Number(r['buffer_before_minutes']),
    bufferAfterMinutes: Number(r['buffer_after_minutes']),
    customer: {
      name: String(r['customer_name']),
      ...(phone !== undefined && { phone }),
      ...(email !== undefined && { email }),
    },
    ...(contactId !== undefined && { contactId }),
    ...(callId !== undefined && { callId }),
    ...(agentId !== undefined && { agentId }),
    ...(notes !== undefined && { notes }),
    bookedAt: isoFromClickHouse(r['booked_text']),
    updatedAt: isoFromClickHouse(r['updated_text']),
  };
};

/** The WHERE clause of an appointment query, with its parameters; `from`/`until` select overlapping ones. */
const appointmentWhere = (tenantId: string, query: z.output<typeof AppointmentQuery>) => {
  const clauses = ['tenant_id = {tenantId:String}'];
  const params: Record<string, QueryParams[string]> = { tenantId };
  if (query.from !== undefined) {
    clauses.push(`ends_at > {from:DateTime64(3, 'UTC')}`);
    params['from'] = query.from;
  }
  if (query.until !== undefined) {
    clauses.push(`starts_at < {until:DateTime64(3, 'UTC')}`);
    params['until'] = query.until;
  }
  for (const [column, value] of [
    ['resource_id', query.resourceId],
    ['status', query.status],
    ['contact_id', query.contactId],
    ['customer_phone', query.phone],
  ] as const) {
    if (value === undefined) continue;
    clauses.push(`${column} = {${column}:String}`);
    params[column] = value;
  }
  const after = decodeInstantKeyset(query.cursor);
  if (after !== undefined) {
    const [at] = after;
    clauses.push(`(starts_at, appointment_id) > ({afterAt:DateTime64(3, 'UTC')}, {afterId:String})`);
    params['afterAt'] = at;
    params['afterId'] = after[1];
  }
  return { sql: clauses.join(' AND '), params };
};

export const listAppointments = async (
  store: ReadStore,
  tenantId: string,
  query: z.output<typeof AppointmentQuery>,
): Promise<z.infer<typeof AppointmentList>> => {
  const where = appointmentWhere(tenantId, query);
  const rows = await store.query<Record<string, unknown>>(
    `SELECT ${APPOINTMENT_COLUMNS} FROM appointments FINAL WHERE ${where.sql}
      ORDER BY starts_at, appointment_id LIMIT {limit:UInt32}`,
    { ...where.params, limit: query.limit + 1 },
  );
  const page = pageOfRows(rows.map(appointmentOf), query.limit, (a) => [a.startsAt, a.appointmentId]);
  return {
    appointments: page.rows,
    ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
  };
};

/**
 * An appointment with its history from its own stream on the decrypting event store: what was booked, moved,
 * confirmed or cancelled, when and by whom (personal fields as the store reads them, '[erased]' once erased).
 */
export const appointmentDetail = async (
  store: ReadStore,
  events: EventStore,
  tenantId: string,
  appointmentId: string,
): Promise<z.infer<typeof AppointmentDetail> | undefined> => {
  const [row] = await store.query<Record<string, unknown>>(
    `SELECT ${APPOINTMENT_COLUMNS} FROM appointments FINAL
      WHERE tenant_id = {tenantId:String} AND appointment_id = {appointmentId:String}`,
    { tenantId, appointmentId },
  );
  if (row === undefined) return undefined;
  const stream = streamName('appointment', tenantId, appointmentId);
  const history = (await events.readStream(stream)).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    if (!decoded.ok || parseStreamName(recorded.streamId)?.id !== appointmentId) return [];
    const { type, occurredAt, actor, data } = decoded.value;
    return [
      {
        type,
        occurredAt: new Date(occurredAt).toISOString(),
        actor: actor.id,
        data: data as Record<string, unknown>,
      },
    ];
  });
  return { appointment: appointmentOf(row), history };
};
