import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { EntityId, TenantId, type Actor } from '@ccp/schemas';
import { CommandRejected, isPassingRefusal, type CommandHandler } from '@ccp/command-service';
import { BodyTooLarge, readRawBody } from '../http/raw-body.js';
import type { Connection, ConnectionsView, Secrets } from './connections.js';
import { FRESHDESK_REF_TAG } from './targets/freshdesk.js';

/*
 * Status back from the helpdesks: when an agent solves, reopens or parks a ticket the platform opened there,
 * the helpdesk tells us and the platform's ticket follows.
 *
 * Zendesk (Admin Center → Apps and integrations → Webhooks, then a trigger "Ticket is updated" + "Tags contain
 * customercare-pro" that notifies it). Endpoint `POST <public URL>/integrations/zendesk/<tenant>/<connection>`,
 * JSON body:
 *   {"ticket_id":"{{ticket.id}}","external_id":"{{ticket.external_id}}","status":"{{ticket.status}}"}
 * Zendesk signs each request (X-Zendesk-Webhook-Signature = base64 HMAC-SHA256 of timestamp + body with the
 * webhook's signing secret, X-Zendesk-Webhook-Signature-Timestamp): paste that signing secret into the
 * connection as `webhookSecret`.
 *
 * Freshdesk (Admin → Automations → Ticket updates, action "Trigger webhook", POST, JSON, custom header
 * `X-CCP-Webhook-Token: <the connection's webhookSecret>`), endpoint `…/integrations/freshdesk/<tenant>/<connection>`:
 *   {"ticket_id":"{{ticket.id}}","tags":"{{ticket.tags}}","status":"{{ticket.status}}"}
 * Freshdesk does not sign its webhooks, so the shared token is the proof; our tickets carry the tag
 * `ccp:<ticket id>`, which names the platform's ticket (Freshdesk has no external id).
 *
 * Statuses: solved/closed (Zendesk), Resolved/Closed or 4/5 (Freshdesk) resolve the ticket; new/open or 2 open
 * it (reopening a resolved one); pending/hold or 3 make it pending; anything else is acknowledged and ignored.
 * Only the connection's own tenant's tickets are touched; an escalation's `call:` ref or a ref that is no ticket
 * of the tenant answers 200 with nothing changed. The deciders make every command idempotent (resolving a
 * resolved ticket, restating a status), so a webhook sent again changes nothing.
 */

export const HELPDESK_WEBHOOK_PATH = /^\/integrations\/(zendesk|freshdesk)\/([^/]+)\/([^/]+)\/?$/;
/** A status change is a few hundred bytes; 64 KB is far more than either helpdesk sends. */
const BODY_LIMIT = 64 * 1024;
/** How old a Zendesk signature's timestamp may be (and how far ahead), against replays. */
export const ZENDESK_TOLERANCE_MS = 5 * 60_000;

export interface HelpdeskWebhooksOptions {
  /** The live connections view (the module's); `catchUp` reads connections created since. */
  readonly connections: Pick<ConnectionsView, 'connection' | 'secretsOf' | 'previousSecretsOf'>;
  readonly catchUp: () => Promise<void>;
  readonly handler: Pick<CommandHandler, 'handleTrusted'>;
  readonly log: (message: string) => void;
  readonly now?: () => Date;
}

type Helpdesk = 'zendesk' | 'freshdesk';
type Change = 'resolved' | 'open' | 'pending';

const Text = z.union([z.string(), z.number()]).transform(String);
const ZendeskBody = z.object({ ticket_id: Text, external_id: Text.optional(), status: Text });
const FreshdeskBody = z.object({
  ticket_id: Text,
  tags: z.union([z.string(), z.array(z.string())]),
  status: Text,
});

const changeOf = (helpdesk: Helpdesk, status: string): Change | undefined => {
  const s = status.trim().toLowerCase();
  if (helpdesk === 'zendesk')
    return s === 'solved' || s === 'closed'
      ? 'resolved'
      : s === 'new' || s === 'open'
        ? 'open'
        : s === 'pending' || s === 'hold' || s === 'on-hold'
          ? 'pending'
          : undefined;
  return s === '4' || s === '5' || s === 'resolved' || s === 'closed'
    ? 'resolved'
    : s === '2' || s === 'open'
      ? 'open'
      : s === '3' || s === 'pending'
        ? 'pending'
        : undefined;
};

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Whether the request carries the connection's secret (current, or the one before a rotation, still valid). */
const verified = (
  helpdesk: Helpdesk,
  ctx: Context,
  raw: Buffer,
  secrets: Secrets[],
  now: Date,
): string | undefined => {
  if (helpdesk === 'freshdesk') {
    const token = ctx.get('x-ccp-webhook-token');
    return secrets.some((s) => s.webhookSecret !== undefined && sameText(token, s.webhookSecret))
      ? undefined
      : 'the X-CCP-Webhook-Token header does not match the connection’s webhook secret';
  }
  const signature = ctx.get('x-zendesk-webhook-signature');
  const timestamp = ctx.get('x-zendesk-webhook-signature-timestamp');
  const at = Date.parse(timestamp);
  if (!signature || Number.isNaN(at)) return 'the Zendesk signature headers are missing';
  if (Math.abs(now.getTime() - at) > ZENDESK_TOLERANCE_MS) return 'the Zendesk signature is stale';
  const signs = (secret: string) =>
    sameText(signature, createHmac('sha256', secret).update(timestamp).update(raw).digest('base64'));
  return secrets.some((s) => s.webhookSecret !== undefined && signs(s.webhookSecret))
    ? undefined
    : 'the Zendesk signature does not match the connection’s webhook secret';
};

/** The platform's ticket a webhook is about: Zendesk's external id, Freshdesk's `ccp:` tag. */
const refOf = (
  helpdesk: Helpdesk,
  raw: Buffer,
): { ref?: string; ticket: string; status: string } | undefined => {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  if (helpdesk === 'zendesk') {
    const parsed = ZendeskBody.safeParse(body);
    if (!parsed.success) return undefined;
    const { ticket_id, external_id, status } = parsed.data;
    return { ticket: ticket_id, status, ...(external_id?.trim() && { ref: external_id.trim() }) };
  }
  const parsed = FreshdeskBody.safeParse(body);
  if (!parsed.success) return undefined;
  const tags = Array.isArray(parsed.data.tags) ? parsed.data.tags : parsed.data.tags.split(/[,\s]+/);
  const tag = tags.map((t) => t.trim()).find((t) => t.startsWith(FRESHDESK_REF_TAG));
  return {
    ticket: parsed.data.ticket_id,
    status: parsed.data.status,
    ...(tag !== undefined && { ref: tag.slice(FRESHDESK_REF_TAG.length) }),
  };
};

const NAMES = { zendesk: 'Zendesk', freshdesk: 'Freshdesk' } as const;

/** One answer for every request not verified, whatever the reason (see helpdeskWebhooks). */
const NOT_VERIFIED = {
  error: 'not verified: check the connection’s address and its webhook secret (token or signing secret)',
} as const;

/** A path segment decoded; undefined when its percent-encoding is malformed (decodeURIComponent throws). */
const decoded = (segment: string | undefined): string | undefined => {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return undefined;
  }
};

/**
 * `POST /integrations/zendesk|freshdesk/:tenantId/:connectionId`: a helpdesk's status change, verified with
 * the connection's webhook secret, applied to the platform's ticket. The body is read (413 over 64 KB) before
 * the connection is looked up, and an unknown, disabled or other-kind connection gets the same 401 as a bad
 * signature or token, so a caller without the secret cannot tell which connection ids exist. A path that is not
 * percent-encoded properly answers 404. Nothing is recorded for any of them.
 * A command that failed for the platform's own reasons answers 500, which the helpdesk retries.
 */
export const helpdeskWebhooks = (options: HelpdeskWebhooksOptions): Middleware => {
  const { connections, handler, log } = options;
  const now = options.now ?? (() => new Date());
  const answer = (ctx: Context, status: number, body: Record<string, unknown>) => {
    ctx.status = status;
    ctx.body = body;
  };

  return async (ctx, next) => {
    const match = HELPDESK_WEBHOOK_PATH.exec(ctx.path);
    if (!match) return next();
    const helpdesk = match[1] as Helpdesk;
    if (ctx.method !== 'POST') {
      ctx.set('Allow', 'POST');
      return answer(ctx, 405, { error: 'POST only' });
    }
    const tenantText = decoded(match[2]);
    const connectionText = decoded(match[3]);
    // Not a path any connection could have: a malformed %-escape names nothing.
    if (tenantText === undefined || connectionText === undefined)
      return answer(ctx, 404, { error: 'not found' });
    const tenantId = TenantId.safeParse(tenantText);
    const connectionId = EntityId.safeParse(connectionText);

    let raw: Buffer;
    try {
      raw = await readRawBody(ctx.req, BODY_LIMIT);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      ctx.set('Connection', 'close');
      return answer(ctx, 413, { error: error.message });
    }
    if (!tenantId.success || !connectionId.success) return answer(ctx, 401, NOT_VERIFIED);
    await options.catchUp();
    const connection: Connection | undefined = connections.connection(tenantId.data, connectionId.data);
    if (!connection || !connection.enabled || connection.kind !== helpdesk)
      return answer(ctx, 401, NOT_VERIFIED);
    const current = connections.secretsOf(connection);
    if (!current) return answer(ctx, 401, NOT_VERIFIED);
    const previous = connections.previousSecretsOf(connection, now());
    const refused = verified(helpdesk, ctx, raw, previous ? [current, previous] : [current], now());
    if (refused !== undefined) {
      // The reason goes to the operator's log only: the caller learns no more than for an unknown connection.
      log(
        `integrations: ${NAMES[helpdesk]} webhook for ${tenantId.data}/${connectionId.data} refused: ${refused}`,
      );
      return answer(ctx, 401, NOT_VERIFIED);
    }
    const update = refOf(helpdesk, raw);
    if (!update)
      return answer(ctx, 400, { error: 'the body is not the documented JSON: ticket_id and status' });
    const change = changeOf(helpdesk, update.status);
    const ticketId = EntityId.safeParse(update.ref);
    // An escalation's `call:` ref, a ticket someone opened in the helpdesk itself, or a status we do not map.
    if (!change || !ticketId.success || update.ref?.startsWith('call:'))
      return answer(ctx, 200, { received: true, ignored: 'not a status change of a platform ticket' });

    const name = `${NAMES[helpdesk]} #${update.ticket}`;
    const actor: Actor = { kind: 'system', id: `${helpdesk}:${connection.connectionId}` };
    const key = { tenantId: tenantId.data, ticketId: ticketId.data };
    const send = (type: string, data: Record<string, unknown>) =>
      handler.handleTrusted(
        type,
        { ...key, ...data },
        { actor, correlationId: `${helpdesk}:${update.ticket}` },
      );
    try {
      if (change === 'resolved') await send('ResolveTicket', { resolution: `Solved in ${name}` });
      else {
        const status = { status: change };
        try {
          await send('UpdateTicket', status);
        } catch (error) {
          // Reopened in the helpdesk after it was resolved here: reopen it, then set the status.
          if (!(error instanceof CommandRejected) || error.code !== 'TICKET_RESOLVED') throw error;
          await send('ReopenTicket', { reason: `Reopened in ${name}` });
          await send('UpdateTicket', status);
        }
      }
    } catch (error) {
      if (error instanceof CommandRejected && !isPassingRefusal(error)) {
        log(`integrations: ${name} → ticket ${ticketId.data} of ${tenantId.data} refused (${error.code})`);
        return answer(ctx, 200, { received: true, ignored: error.code });
      }
      log(`integrations: ${name} → ticket ${ticketId.data} of ${tenantId.data} failed: ${String(error)}`);
      return answer(ctx, 500, { error: 'not recorded; send it again' });
    }
    return answer(ctx, 200, { received: true });
  };
};
