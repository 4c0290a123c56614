import nodemailer from 'nodemailer';
import { MessageRejected, ProviderUnavailable, type MessageSender } from './port.js';

export interface SmtpMessagingOptions {
  /** smtp://user:pass@host:port or smtps://… */
  readonly url: string;
  /** The platform's address messages come from. */
  readonly from: string;
}

/** What nodemailer's errors carry: the server's reply code, or a connection error code. */
const failureOf = (error: unknown): Error => {
  if (!(error instanceof Error)) return new ProviderUnavailable(String(error));
  const responseCode = 'responseCode' in error ? Number(error.responseCode) : undefined;
  // 5xx: the server refused this message or recipient for good; 4xx and no reply at all: try again later.
  if (responseCode !== undefined && responseCode >= 500 && responseCode < 600) {
    return new MessageRejected(`the mail server refused the message: ${error.message}`, String(responseCode));
  }
  return new ProviderUnavailable(`mail server unavailable: ${error.message}`);
};

/** `<messageId@domain>`: the same message gets the same Message-ID on every attempt. */
export const messageIdHeader = (messageId: string, from: string): string =>
  `<${messageId}@${from.split('@')[1] ?? 'customercare.local'}>`;

/**
 * Email through an SMTP server with nodemailer. SMTP has no way to ask a server what it accepted earlier, so
 * `find` always answers "not found": email is delivered at least once. A resend after a crash carries the same
 * Message-ID (derived from the message id), so mail clients and the recipient's server can recognise the copy.
 */
export const createSmtpSender = (options: SmtpMessagingOptions): MessageSender & { close(): void } => {
  const transport = nodemailer.createTransport(options.url);
  return {
    provider: 'smtp',
    send: async (message) => {
      if (message.channel !== 'email') throw new MessageRejected('SMTP sends email only', 'channel');
      const messageId = messageIdHeader(message.messageId, options.from);
      try {
        await transport.sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject ?? message.body.split('\n')[0]?.slice(0, 120) ?? '',
          text: message.body,
          messageId,
        });
      } catch (error) {
        throw failureOf(error);
      }
      return { provider: 'smtp', providerMessageId: messageId };
    },
    find: () => Promise.resolve(undefined),
    close: () => transport.close(),
  };
};
