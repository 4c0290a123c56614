import { z } from 'zod';
import type { ConnectionOf, Secrets } from '../connections.js';
import { MAX_JSON_ANSWER_BYTES } from '../http-result.js';
import type {
  AttemptResult,
  DeliveryContent,
  DeliveryRequest,
  IntegrationTarget,
  TestResult,
} from '../port.js';
import { openTicket, searchTicket, testTicketApi } from './helpdesk-common.js';
import type { TargetDeps } from './index.js';

type Ticket = Extract<DeliveryContent, { kind: 'ticket' }>;

/** Zendesk refuses a comment body longer than this (characters). */
export const ZENDESK_COMMENT_MAX = 65_535;
/** Every ticket the platform opens carries it, so a helpdesk view or trigger can single them out. */
export const HELPDESK_TAG = 'customercare-pro';

/** The ticket's text for a helpdesk: what was asked, the call's summary and its transcript, cut to `max`. */
export const ticketText = (ticket: Ticket, max: number): string => {
  const parts = [ticket.description.trim()];
  if (ticket.summary !== undefined && ticket.summary.trim() !== '') parts.push(`Summary:\n${ticket.summary}`);
  if (ticket.transcript.length > 0)
    parts.push(`Transcript:\n${ticket.transcript.map((line) => `${line.speaker}: ${line.text}`).join('\n')}`);
  if (ticket.callId !== undefined) parts.push(`Call: ${ticket.callId}`);
  const text = parts.join('\n\n');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const Created = z.object({ ticket: z.object({ id: z.union([z.number(), z.string()]) }) });
const Found = z.object({ tickets: z.array(z.object({ id: z.union([z.number(), z.string()]) })) });
const Me = z.object({
  user: z.object({ id: z.union([z.number(), z.string()]).nullable(), role: z.string().optional() }),
});

/**
 * Zendesk Support: `open_ticket` creates a ticket through `POST /api/v2/tickets` with Basic auth
 * (`<agent email>/token:<API token>`), the platform's ticket id (or `call:<id>` for an escalation) as its
 * `external_id`, an internal note holding description, summary and transcript, and the requester when the
 * customer's email or phone is known (Zendesk makes a user of them; with neither, the API's agent is the
 * requester).
 *
 * Once only: the delivery id is sent as `Idempotency-Key`, which Zendesk honours for ticket creation for two
 * hours (the same key with another body is a 400). A later retry (a long outage, a replay) first looks the
 * ticket up by `external_id` and answers with the one it finds, so no attempt opens a second ticket.
 */
export const zendeskTarget = (deps: Pick<TargetDeps, 'fetch' | 'apiUrls'>): IntegrationTarget => {
  const baseOf = (connection: ConnectionOf<'zendesk'>) =>
    (deps.apiUrls.zendesk ?? 'https://{subdomain}.zendesk.com')
      .replace('{subdomain}', connection.settings.subdomain)
      .replace(/\/+$/, '');
  const headersOf = (connection: ConnectionOf<'zendesk'>, secrets: Secrets) => ({
    authorization: basic(`${connection.settings.email}/token`, secrets.apiToken ?? ''),
    accept: 'application/json',
  });

  const existing = (request: DeliveryRequest, connection: ConnectionOf<'zendesk'>, ref: string) =>
    searchTicket(
      deps.fetch,
      `${baseOf(connection)}/api/v2/tickets?external_id=${encodeURIComponent(ref)}`,
      headersOf(connection, request.secrets),
      request.signal,
      request.now,
      (answer) => {
        const found = Found.safeParse(answer);
        const first = found.success ? found.data.tickets[0] : undefined;
        return first === undefined ? undefined : String(first.id);
      },
    );

  return {
    kinds: ['zendesk'],
    actions: ['open_ticket'],
    async deliver(request): Promise<AttemptResult> {
      const { content } = request;
      if (content.kind !== 'ticket' || request.connection.settings.kind !== 'zendesk')
        return { ok: false, errorKind: 'client_error', error: 'not a Zendesk ticket', retryable: false };
      const connection = request.connection as ConnectionOf<'zendesk'>;
      const customer = content.customer;
      const requester =
        customer?.email !== undefined || customer?.phone !== undefined
          ? {
              name: customer.name ?? customer.email ?? customer.phone,
              ...(customer.email !== undefined && { email: customer.email }),
              ...(customer.phone !== undefined && { phone: customer.phone }),
            }
          : undefined;
      const ticket = {
        subject: content.subject,
        comment: { body: ticketText(content, ZENDESK_COMMENT_MAX), public: false },
        priority: content.priority,
        ...(requester !== undefined && { requester }),
        external_id: content.externalRef,
        tags: [HELPDESK_TAG],
      };
      return openTicket(deps.fetch, request, {
        url: `${baseOf(connection)}/api/v2/tickets`,
        headers: {
          ...headersOf(connection, request.secrets),
          'content-type': 'application/json',
          'idempotency-key': request.deliveryId,
        },
        body: JSON.stringify({ ticket }),
        find: () => existing(request, connection, content.externalRef),
        createdId: (answer) => {
          const created = Created.safeParse(answer);
          return created.success ? String(created.data.ticket.id) : undefined;
        },
      });
    },
    async test(connection, secrets, signal): Promise<TestResult> {
      const zendesk = connection as ConnectionOf<'zendesk'>;
      return testTicketApi(
        deps.fetch,
        `${baseOf(zendesk)}/api/v2/users/me`,
        headersOf(zendesk, secrets),
        signal,
        MAX_JSON_ANSWER_BYTES,
        (_result, answer, status) => {
          // Zendesk answers /users/me without a valid login too, as the anonymous user (id null).
          const me = Me.safeParse(answer);
          if (!me.success || me.data.user.id === null)
            return {
              ok: false,
              message: 'Zendesk did not accept the email and API token (it answered as an anonymous user)',
              statusCode: status,
            };
          if (me.data.user.role === 'end-user')
            return {
              ok: false,
              message: `${zendesk.settings.email} is an end user in Zendesk: the token needs an agent or admin`,
              statusCode: status,
            };
          return { ok: true, message: `connected to Zendesk as ${zendesk.settings.email}`, statusCode: 200 };
        },
      );
    },
  };
};
