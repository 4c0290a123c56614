import type { MessageChannel, MessageProvider } from '@ccp/schemas';

/** One outbound message as the provider is given it. */
export interface OutgoingMessage {
  /** The platform's id of the message: the provider's idempotency key or Message-ID where it takes one. */
  readonly messageId: string;
  readonly channel: MessageChannel;
  /** An E.164 number (SMS, WhatsApp) or an email address. */
  readonly to: string;
  /** Our number for SMS/WhatsApp; absent for email (the platform's address). */
  readonly from?: string;
  readonly subject?: string;
  readonly body: string;
  /** Where the provider reports delivery (Twilio's StatusCallback); ignored by providers without one. */
  readonly statusCallback?: string;
}

export interface SentMessage {
  readonly provider: MessageProvider;
  readonly providerMessageId: string;
}

/** What is known of a send that may have happened: where, from, since when, what it said. */
export interface SendHint {
  readonly channel: MessageChannel;
  readonly to: string;
  readonly from?: string;
  readonly after: Date;
  readonly body: string;
}

/**
 * Sends messages to contacts through one provider. `find` answers whether a send for a message already reached
 * the provider (asked after a crash between the provider's answer and RecordMessageSent), so that a message is
 * not handed over twice where the provider can tell.
 */
export interface MessageSender {
  readonly provider: MessageProvider;
  /**
   * The provider account it sends through (a Twilio AccountSid): an interrupted attempt is asked about there
   * and is never sent again through another account. Absent: the channel has only this sender.
   */
  readonly account?: string;
  send(message: OutgoingMessage): Promise<SentMessage>;
  find(messageId: string, hint: SendHint): Promise<{ readonly providerMessageId: string } | undefined>;
}

/** The provider refused the message itself (a bad number, an unknown recipient): trying again will not help. */
export class MessageRejected extends Error {
  override readonly name = 'MessageRejected';
  constructor(
    message: string,
    readonly code?: string,
    /** The provider's HTTP status, where it answered with one. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The provider could not take the message now (down, overloaded, rate limited): worth trying again later. */
export class ProviderUnavailable extends Error {
  override readonly name = 'ProviderUnavailable';
  constructor(
    message: string,
    /** The provider asked to wait this long (HTTP 429 Retry-After), in milliseconds. */
    readonly retryAfterMs?: number,
    /**
     * The provider's HTTP status; absent when no answer came (refused, reset, timed out), in which case the
     * provider may have taken the message before the connection was lost.
     */
    readonly status?: number,
  ) {
    super(message);
  }
}
