import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import {
  MessageRejected,
  ProviderUnavailable,
  type MessageSender,
  type OutgoingMessage,
  type SendHint,
} from './port.js';

export interface TwilioMessagingOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** Another base URL for Twilio's REST API (the local carrier's stand-in); absent: api.twilio.com. */
  readonly apiUrl?: string;
  /** The sender when a message names none (a platform-wide messaging number). */
  readonly defaultFrom?: string;
  /** How long a request may take before it is given up (the official client's default: 30 s). */
  readonly requestTimeoutMs?: number;
}

/** Twilio's Retry-After: seconds, or an HTTP date. */
const retryAfterMs = (header: unknown): number | undefined => {
  if (typeof header !== 'string' || header === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
};

/**
 * The official client's HTTP layer with two changes: requests may go to another base URL (as the carrier's
 * client does), and a 429 or 5xx answer becomes a ProviderUnavailable carrying Retry-After, which the client's
 * RestException drops with the headers.
 */
class MessagingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly base: URL | undefined,
    timeout: number | undefined,
  ) {
    super(timeout !== undefined ? { timeout } : {});
  }

  override async request<TData>(options: RequestClient.RequestOptions<TData>) {
    let uri = options.uri;
    if (this.base) {
      const rebased = new URL(options.uri);
      rebased.protocol = this.base.protocol;
      rebased.host = this.base.host;
      uri = rebased.href;
    }
    let response;
    try {
      response = await super.request<TData>({ ...options, uri });
    } catch (error) {
      // No answer at all (refused, reset, timed out): the provider is unreachable, not the message wrong.
      throw new ProviderUnavailable(
        `Twilio unreachable: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (response.statusCode === 429 || response.statusCode >= 500) {
      const headers = (response.headers ?? {}) as Record<string, unknown>;
      throw new ProviderUnavailable(
        `Twilio answered HTTP ${response.statusCode}`,
        retryAfterMs(headers['retry-after']),
        response.statusCode,
      );
    }
    return response;
  }
}

const addressOf = (channel: OutgoingMessage['channel'], number: string) =>
  channel === 'whatsapp' && !number.startsWith('whatsapp:') ? `whatsapp:${number}` : number;

/** A refusal of the message itself, as Twilio's RestException says (4xx with an error code). */
const rejectionOf = (error: unknown): MessageRejected | ProviderUnavailable | undefined => {
  if (!(error instanceof Error) || !('status' in error) || typeof error.status !== 'number') return undefined;
  if (error.status < 400 || error.status >= 500) return undefined;
  // Credentials refused: the account is misconfigured, not the message wrong; worth trying once it is fixed.
  if (error.status === 401 || error.status === 403) {
    return new ProviderUnavailable(
      `Twilio refused the credentials (HTTP ${error.status}): ${error.message}`,
      undefined,
      error.status,
    );
  }
  const code = 'code' in error && error.code !== undefined ? String(error.code) : undefined;
  return new MessageRejected(
    `Twilio refused the message (HTTP ${error.status}): ${error.message}`,
    code,
    error.status,
  );
};

/**
 * SMS and WhatsApp through Twilio's Messages API with the official client (`messages.create`, `messages.list`).
 * WhatsApp numbers are `whatsapp:`-prefixed on both ends. The Messages API takes no idempotency key, so `find`
 * looks for a message to the same number from the same sender, created since the attempt started, with the
 * same text: what a crash between Twilio's answer and RecordMessageSent leaves behind.
 */
export const createTwilioSender = (options: TwilioMessagingOptions): MessageSender => {
  const client = twilio(options.accountSid, options.authToken, {
    httpClient: new MessagingRequestClient(
      options.apiUrl !== undefined ? new URL(options.apiUrl) : undefined,
      options.requestTimeoutMs,
    ),
  });
  const senderOf = (message: { channel: OutgoingMessage['channel']; from?: string }) => {
    const from = message.from ?? options.defaultFrom;
    if (from === undefined) throw new MessageRejected('no number to send from', 'no_sender');
    return addressOf(message.channel, from);
  };
  return {
    provider: 'twilio',
    account: options.accountSid,
    send: async (message) => {
      if (message.channel === 'email')
        throw new MessageRejected('Twilio messaging sends no email', 'channel');
      const from = senderOf(message);
      try {
        const created = await client.messages.create({
          to: addressOf(message.channel, message.to),
          from,
          body: message.body,
          ...(message.statusCallback !== undefined && { statusCallback: message.statusCallback }),
        });
        return { provider: 'twilio', providerMessageId: created.sid };
      } catch (error) {
        if (error instanceof ProviderUnavailable) throw error;
        throw rejectionOf(error) ?? error;
      }
    },
    find: async (_messageId: string, hint: SendHint) => {
      if (hint.channel === 'email') return undefined;
      const from = senderOf(hint);
      const listed = await client.messages.list({
        to: addressOf(hint.channel, hint.to),
        from,
        limit: 50,
      });
      // The resource's dates have whole seconds: the second the attempt started in counts.
      const found = listed.find(
        (m) => m.dateCreated.getTime() >= hint.after.getTime() - 1000 && m.body === hint.body,
      );
      return found ? { providerMessageId: found.sid } : undefined;
    },
  };
};
