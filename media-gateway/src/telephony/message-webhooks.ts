import { setTimeout as sleep } from 'node:timers/promises';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import { CommandRejected, type CommandHandler } from '@ccp/command-service';
import type { LiveDirectory } from '../directory/live-directory.js';
import { requireTwilioSignature, type WebhookAccounts } from './twilio-signature.js';

export interface MessageWebhookOptions {
  readonly handler: CommandHandler;
  readonly live: LiveDirectory;
  readonly authToken: string;
  /** Tenants' own Twilio accounts (their webhooks are signed with their tokens). */
  readonly accounts?: WebhookAccounts;
  readonly publicUrl?: string;
  readonly log: (message: string) => void;
}

const MessageSid = z
  .string()
  .regex(/^(SM|MM)[0-9a-f]{32}$/, 'MessageSid is SM or MM followed by 32 hex digits');
const Address = z.string().regex(/^(whatsapp:)?\+[1-9]\d{6,14}$/, 'an E.164 number, or whatsapp: and one');

/** Twilio's incoming-message webhook: the parameters the platform reads. */
const Incoming = z.object({
  MessageSid,
  From: Address,
  To: Address,
  Body: z.string().max(1600).default(''),
});

/** A status callback of a message sent from here: the platform's ids are in the URL it gave Twilio. */
const StatusQuery = z.object({
  tenantId: z.string().min(1).max(80),
  messageId: z.string().min(1).max(80),
});
const Status = z.object({
  MessageSid,
  MessageStatus: z.string().min(1).max(40),
  ErrorCode: z.string().max(20).optional(),
});

/** Twilio's message statuses the contract records; the others (queued, sending, sent…) are on the way there. */
const RECORDED: Readonly<Record<string, 'delivered' | 'undelivered' | 'read'>> = {
  delivered: 'delivered',
  read: 'read',
  undelivered: 'undelivered',
  failed: 'undelivered',
};

const NOT_SENT_TRIES = 10;
const NOT_SENT_WAIT_MS = 200;

/** The id of an inbound message: Twilio's SID makes the same message (posted again) the same id. */
export const inboundMessageId = (messageSid: string): string => `in-${messageSid}`;

const number = (address: string) => address.replace(/^whatsapp:/, '');

const refuse = (ctx: Context, status: number, message: string) => {
  ctx.status = status;
  ctx.type = 'text/plain';
  ctx.body = message;
};

const invalid = (ctx: Context, error: z.ZodError) => {
  const issue = error.issues[0];
  refuse(ctx, 400, `invalid webhook: ${issue?.path.join('.') ?? 'body'}: ${issue?.message ?? 'invalid'}`);
};

/**
 * Twilio's messaging webhooks, signature-checked like the voice ones (a forged request is a 403 and records
 * nothing): an incoming message (a reply to a confirmation or reminder) is recorded with ReceiveMessage for the
 * tenant owning the number it was sent to, and answered with empty TwiML (what the reply means is handled from
 * the MessageReceived event); a status callback of a sent message becomes RecordMessageStatus.
 */
export const messageWebhooks = (options: MessageWebhookOptions): Middleware => {
  const { handler, live, log } = options;
  const router = new Router({ prefix: '/twilio' });
  router.use(bodyParser({ enableTypes: ['form'], formLimit: '64kb', encoding: 'utf-8' }));
  router.use(requireTwilioSignature(options.authToken, options.publicUrl, options.accounts));

  router.post('/message', async (ctx) => {
    const parsed = Incoming.safeParse(ctx.request.body);
    if (!parsed.success) return invalid(ctx, parsed.error);
    const { MessageSid: sid, From, To, Body } = parsed.data;
    await live.catchUp();
    const owner = live.directory.number(number(To));
    if (!owner) return refuse(ctx, 404, `no tenant has the number ${number(To)}`);
    const whatsapp = To.startsWith('whatsapp:');
    try {
      await handler.handleTrusted(
        'ReceiveMessage',
        {
          tenantId: owner.tenantId,
          messageId: inboundMessageId(sid),
          channel: whatsapp ? 'whatsapp' : 'sms',
          from: number(From),
          to: number(To),
          body: Body,
          provider: 'twilio',
          providerMessageId: sid,
        },
        { actor: SYSTEM_ACTOR, correlationId: inboundMessageId(sid) },
      );
    } catch (error) {
      if (error instanceof CommandRejected && error.status < 500 && error.status !== 409) {
        log(`messaging: incoming ${sid} refused: ${error.code} ${error.message}`);
        return refuse(ctx, 400, `invalid webhook: ${error.field ?? 'body'}: ${error.message}`);
      }
      throw error;
    }
    ctx.type = 'text/xml';
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
  });

  router.post('/message-status', async (ctx) => {
    const query = StatusQuery.safeParse(ctx.query);
    if (!query.success) return invalid(ctx, query.error);
    const parsed = Status.safeParse(ctx.request.body);
    if (!parsed.success) return invalid(ctx, parsed.error);
    const status = RECORDED[parsed.data.MessageStatus];
    if (status !== undefined) {
      const detail =
        parsed.data.ErrorCode !== undefined ? `Twilio error ${parsed.data.ErrorCode}` : undefined;
      const record = () =>
        handler.handleTrusted(
          'RecordMessageStatus',
          { ...query.data, status, ...(detail !== undefined && { detail }) },
          { actor: SYSTEM_ACTOR, correlationId: query.data.messageId },
        );
      // The callback can overtake the worker's RecordMessageSent (the provider answers, then reports at once):
      // a message not yet recorded as sent is waited for a little.
      for (let tries = 1; ; tries += 1) {
        try {
          await record();
          break;
        } catch (error) {
          if (!(error instanceof CommandRejected)) throw error;
          if (error.code === 'MESSAGE_NOT_SENT' && tries < NOT_SENT_TRIES) {
            await sleep(NOT_SENT_WAIT_MS);
            continue;
          }
          log(`messaging: status ${status} of ${query.data.messageId} not recorded: ${error.code}`);
          break;
        }
      }
    }
    ctx.status = 204;
  });

  return router.routes() as Middleware;
};
