import type { Middleware } from 'koa';
import {
  createCommandHandler,
  deliveryMetrics,
  type MediaGatewaySettings,
  type PlatformContext,
} from '@ccp/command-service';
import type { LiveDirectory } from '../directory/live-directory.js';
import { messageWebhooks } from '../telephony/message-webhooks.js';
import { startDeliveryWorker, type DeliveryPausePoint, type DeliveryWorker } from './delivery.js';
import type { WebhookAccounts } from '../telephony/twilio-signature.js';
import type { MessageSender } from './port.js';
import { messageRouting, type MessageRouting } from './routing.js';

export interface MessagingHooks {
  /** The clock due times are judged and the messages' commands decided on (tests move it to retry times). */
  readonly clock?: () => Date;
  readonly pollMs?: number;
}

export interface RunningMessaging {
  readonly routing: MessageRouting;
  readonly worker: DeliveryWorker;
  /** Twilio's incoming-message and message-status webhooks. */
  readonly webhooks: Middleware;
  stop(): Promise<void>;
}

/** Raised at a test pause point when the platform stops: the paused attempt goes no further. */
class StoppedAtTestPause extends Error {}

/**
 * The gateway's messaging: senders per channel (Twilio for SMS and WhatsApp when the gateway has a Twilio
 * account, SMTP for email when configured, the embedded outbox otherwise), the delivery worker and the
 * messaging webhooks. Status callbacks name the message in their (signed) URL.
 */
export const startMessaging = async (options: {
  readonly settings: MediaGatewaySettings;
  readonly context: PlatformContext;
  readonly live: LiveDirectory;
  readonly authToken: string;
  /** Tenants' own Twilio accounts: their message webhooks, and the sender of their SMS and WhatsApp. */
  readonly accounts?: WebhookAccounts;
  readonly tenantTwilio?: (tenantId: string) => Promise<MessageSender | undefined>;
  readonly callbackBase: () => string;
  readonly hooks?: MessagingHooks;
}): Promise<RunningMessaging> => {
  const { settings, context, hooks } = options;
  const { log } = context;
  const now = hooks?.clock ?? (() => new Date());
  const messaging = settings.messaging;
  const routing = messageRouting({
    ...(settings.twilio && { twilio: settings.twilio }),
    ...(messaging?.smtpUrl !== undefined && { smtp: { url: messaging.smtpUrl, from: messaging.emailFrom } }),
    ...(options.tenantTwilio && { tenantTwilio: options.tenantTwilio }),
    now,
  });
  const handler = hooks?.clock
    ? createCommandHandler({ store: context.store, routes: [...context.handler.routes.values()], clock: now })
    : context.handler;

  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const pauseAt = messaging?.testPauseAt;
  const testPause =
    pauseAt === undefined
      ? undefined
      : async (point: DeliveryPausePoint, messageId: string) => {
          if (point !== pauseAt) return;
          // TEST HOOK: the crash test kills the process while it waits here.
          log(`messaging test pause: ${point} ${messageId}`);
          await released;
          throw new StoppedAtTestPause(`stopped at the test pause ${point}`);
        };

  const worker = await startDeliveryWorker({
    store: context.store,
    handler,
    senderFor: routing.senderFor,
    senderOfAccount: routing.senderOfAccount,
    ownsNumber: async (tenantId, number) => {
      await options.live.catchUp();
      return options.live.directory.number(number)?.tenantId === tenantId;
    },
    now,
    log,
    statusCallback: (tenantId, messageId) => {
      const base = options.callbackBase();
      if (base === '') return undefined;
      const query = new URLSearchParams({ tenantId, messageId });
      return `${base}/twilio/message-status?${query.toString()}`;
    },
    ...(hooks?.pollMs !== undefined && { pollMs: hooks.pollMs }),
    metrics: deliveryMetrics(context.metrics),
    ...(testPause && { testPause }),
  });
  const webhooks = messageWebhooks({
    handler: context.handler,
    live: options.live,
    authToken: options.authToken,
    ...(options.accounts && { accounts: options.accounts }),
    ...(settings.publicUrl !== undefined && { publicUrl: settings.publicUrl }),
    log,
  });
  return {
    routing,
    worker,
    webhooks,
    stop: async () => {
      release();
      await worker.stop();
      routing.close();
    },
  };
};
