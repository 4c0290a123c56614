import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { rfc2822, sendSignedRequest, twilioSid, type HttpExchange } from './signed-request.js';

/**
 * The LOCAL STAND-IN's part for Twilio's Messages API (2010-04-01 Messages.json), served by the local carrier:
 * create a message (To, From, Body, StatusCallback; the documented JSON answer, status "queued") and list them
 * (To, From, DateSent> filters, newest first, one page in Twilio's list shape). Nothing leaves the machine: what
 * was "sent" is kept for tests, and a StatusCallback, when given, gets a signed "delivered". Tests can make it
 * answer 503, or 429 with Retry-After, as a provider that is down or rate limiting does; refuse the recipient
 * (400, 21211); or take a message and then drop the connection or answer too late, as a lost answer looks.
 */

/** One message the stand-in accepted. */
export interface StandInMessage {
  readonly sid: string;
  readonly to: string;
  readonly from: string;
  readonly body: string;
  readonly dateCreated: Date;
  readonly statusCallback?: string;
  status: 'queued' | 'delivered';
}

/** How the next create requests fail; `times` absent: until cleared. */
export type MessagesFailure = (
  | { readonly status: 503 | 429; readonly retryAfterSeconds?: number }
  /** Twilio's 21211: the recipient refused, its number quoted in the error's text as Twilio does. */
  | { readonly status: 400 }
  /**
   * The message is taken (it is in `sent`), then no answer reaches the client: the connection is dropped, or
   * the answer comes only after `delayMs` (past a short client timeout).
   */
  | { readonly accept: 'then-drop' }
  | { readonly accept: 'then-delay'; readonly delayMs: number }
) & { readonly times?: number };

export interface LocalMessages {
  /** Every message accepted, in order. */
  readonly sent: readonly StandInMessage[];
  /** Delivery status callbacks the stand-in posted. */
  readonly callbacks: readonly HttpExchange[];
  /** Fail create requests from now on (or `undefined`: accept them again). */
  failWith(failure: MessagesFailure | undefined): void;
}

const CreateMessage = z.object({
  To: z.string().min(1),
  From: z.string().min(1),
  Body: z.string().min(1).max(1600),
  StatusCallback: z.url().optional(),
});

const E164_OR_WHATSAPP = /^(whatsapp:)?\+[1-9]\d{6,14}$/;

type Reply = (res: ServerResponse, status: number, body: unknown) => void;
type RestError = (res: ServerResponse, status: number, code: number, message: string) => void;

/** The messages half of the stand-in: `handle` answers Messages.json requests, false for any other path. */
export const localMessages = (options: { readonly accountSid: string; readonly authToken: string }) => {
  const sent: StandInMessage[] = [];
  const callbacks: HttpExchange[] = [];
  let failure: { mode: MessagesFailure; left: number } | undefined;

  const resource = (m: StandInMessage) => {
    const uri = `/2010-04-01/Accounts/${options.accountSid}/Messages/${m.sid}.json`;
    return {
      account_sid: options.accountSid,
      api_version: '2010-04-01',
      body: m.body,
      date_created: rfc2822(m.dateCreated),
      date_sent: rfc2822(m.dateCreated),
      date_updated: rfc2822(m.dateCreated),
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: m.from,
      messaging_service_sid: null,
      num_media: '0',
      num_segments: String(Math.max(1, Math.ceil(m.body.length / 160))),
      price: null,
      price_unit: 'USD',
      sid: m.sid,
      status: m.status,
      subresource_uris: { media: uri.replace('.json', '/Media.json') },
      to: m.to,
      uri,
    };
  };

  const list = (url: URL) => {
    const to = url.searchParams.get('To');
    const from = url.searchParams.get('From');
    const after = url.searchParams.get('DateSent>');
    const since = after !== null ? new Date(after).getTime() : Number.NEGATIVE_INFINITY;
    const pageSize = Number(url.searchParams.get('PageSize') ?? 50);
    const messages = sent
      .filter((m) => (to === null || m.to === to) && (from === null || m.from === from))
      .filter((m) => m.dateCreated.getTime() >= since)
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime())
      .slice(0, pageSize)
      .map(resource);
    const path = `/2010-04-01/Accounts/${options.accountSid}/Messages.json`;
    return {
      messages,
      start: 0,
      end: Math.max(0, messages.length - 1),
      page: 0,
      page_size: pageSize,
      uri: `${path}${url.search}`,
      first_page_uri: `${path}${url.search}`,
      next_page_uri: null,
      previous_page_uri: null,
    };
  };

  const deliver = async (m: StandInMessage) => {
    if (m.statusCallback === undefined) return;
    m.status = 'delivered';
    callbacks.push(
      await sendSignedRequest({
        url: m.statusCallback,
        params: {
          AccountSid: options.accountSid,
          ApiVersion: '2010-04-01',
          MessageSid: m.sid,
          SmsSid: m.sid,
          MessageStatus: 'delivered',
          SmsStatus: 'delivered',
          From: m.from,
          To: m.to,
        },
        authToken: options.authToken,
      }),
    );
  };

  /** Answers a request under /Accounts/{sid}/Messages.json (authorised by the caller); false: not ours. */
  const handle = (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    params: Readonly<Record<string, unknown>>,
    reply: { json: Reply; error: RestError },
  ): boolean => {
    if (!/^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/.test(url.pathname)) return false;
    if (req.method === 'GET') {
      reply.json(res, 200, list(url));
      return true;
    }
    if (req.method !== 'POST') {
      reply.error(res, 405, 20004, 'Method not allowed');
      return true;
    }
    const mode = failure?.mode;
    if (failure) {
      failure.left -= 1;
      if (failure.left <= 0) failure = undefined;
    }
    if (mode && 'status' in mode) {
      if (mode.status === 400) {
        reply.error(res, 400, 21211, `The 'To' number ${String(params['To'])} is not a valid phone number.`);
        return true;
      }
      if (mode.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(mode.retryAfterSeconds));
      if (mode.status === 429) reply.error(res, 429, 20429, 'Too Many Requests');
      else reply.error(res, 503, 20503, 'Service Unavailable');
      return true;
    }
    const parsed = CreateMessage.safeParse(params);
    if (!parsed.success) {
      reply.error(res, 400, 21602, z.prettifyError(parsed.error));
      return true;
    }
    const { To, From, Body, StatusCallback } = parsed.data;
    if (!E164_OR_WHATSAPP.test(To)) {
      reply.error(res, 400, 21211, `The 'To' number ${To} is not a valid phone number.`);
      return true;
    }
    const message: StandInMessage = {
      sid: twilioSid('SM'),
      to: To,
      from: From,
      body: Body,
      dateCreated: new Date(),
      ...(StatusCallback !== undefined && { statusCallback: StatusCallback }),
      status: 'queued',
    };
    sent.push(message);
    if (mode?.accept === 'then-drop') {
      res.socket?.destroy();
      return true;
    }
    if (mode?.accept === 'then-delay') {
      // The client gave up by then; writing to its closed connection is harmless.
      setTimeout(() => reply.json(res, 201, resource(message)), mode.delayMs).unref();
      return true;
    }
    reply.json(res, 201, resource(message));
    // The callback follows the answer, as a carrier's delivery report does.
    setImmediate(() => void deliver(message).catch(() => undefined));
    return true;
  };

  const messages: LocalMessages = {
    sent,
    callbacks,
    failWith: (next) => {
      failure = next === undefined ? undefined : { mode: next, left: next.times ?? Number.POSITIVE_INFINITY };
    },
  };
  return { handle, messages };
};
