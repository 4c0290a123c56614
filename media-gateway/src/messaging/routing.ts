import type { MessageChannel } from '@ccp/schemas';
import { createOutbox, type Outbox } from './outbox.js';
import type { MessageSender } from './port.js';
import { createSmtpSender, type SmtpMessagingOptions } from './smtp.js';
import { createTwilioSender, type TwilioMessagingOptions } from './twilio.js';

export interface MessagingSettings {
  /** Twilio's Messages API for SMS and WhatsApp; absent: those go to the outbox. */
  readonly twilio?: TwilioMessagingOptions;
  /** An SMTP server for email; absent: email goes to the outbox. */
  readonly smtp?: SmtpMessagingOptions;
  /** SMS and WhatsApp of a tenant that brought its own Twilio account: through that account. */
  readonly tenantTwilio?: (tenantId: string) => Promise<MessageSender | undefined>;
  readonly now: () => Date;
}

export interface MessageRouting {
  /** The sender of a channel for a tenant. */
  readonly senderFor: (channel: MessageChannel, tenantId: string) => Promise<MessageSender>;
  /**
   * The tenant's sender through this provider account, if it is still one the tenant may send through (the
   * platform's, or the tenant's own while its connection is enabled); undefined: that account is gone.
   */
  readonly senderOfAccount: (
    channel: MessageChannel,
    tenantId: string,
    account: string,
  ) => Promise<MessageSender | undefined>;
  /** The embedded outbox (whatever the channels use, it is there for the console). */
  readonly outbox: Outbox;
  readonly close: () => void;
}

/** Picks a sender per channel: SMS and WhatsApp through Twilio, email through SMTP, each only when configured. */
export const messageRouting = (settings: MessagingSettings): MessageRouting => {
  const outbox = createOutbox({ now: settings.now });
  const twilio = settings.twilio ? createTwilioSender(settings.twilio) : undefined;
  const smtp = settings.smtp ? createSmtpSender(settings.smtp) : undefined;
  return {
    senderFor: async (channel, tenantId) => {
      if (channel === 'email') return smtp ?? outbox;
      return (await settings.tenantTwilio?.(tenantId)) ?? twilio ?? outbox;
    },
    senderOfAccount: async (channel, tenantId, account) => {
      if (channel === 'email') return undefined;
      if (twilio?.account === account) return twilio;
      const own = await settings.tenantTwilio?.(tenantId);
      return own?.account === account ? own : undefined;
    },
    outbox,
    close: () => smtp?.close(),
  };
};
