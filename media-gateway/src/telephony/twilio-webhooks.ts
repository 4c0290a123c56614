import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { CommandRefusedError } from '../conversation/commands.js';
import type { MediaGateway } from '../gateway.js';
import type { StreamTokens } from './stream-token.js';
import { requireTwilioSignature, type WebhookAccounts } from './twilio-signature.js';
import type { WebhookContext } from './webhooks/context.js';
import { feedback } from './webhooks/feedback.js';
import { incomingCall } from './webhooks/incoming-call.js';
import { ivrChoice } from './webhooks/ivr-choice.js';
import { queueExit } from './webhooks/queue-exit.js';
import { queueWait } from './webhooks/queue-wait.js';
import { recordingCallback } from './webhooks/recording-callback.js';
import { BadWebhook } from './webhooks/request.js';
import { speechTurn } from './webhooks/speech-turn.js';
import { statusCallback } from './webhooks/status-callback.js';
import { streamEnded } from './webhooks/stream-ended.js';

export { turnAction } from './webhooks/action-urls.js';
export { answeredBy } from './webhooks/status-callback.js';

export interface TwilioWebhookOptions {
  readonly gateway: MediaGateway;
  readonly authToken: string;
  /** Tenants' own Twilio accounts (their webhooks are signed with their tokens). */
  readonly accounts?: WebhookAccounts;
  /** Issues the token that binds a media stream to its call (checked by the Media Streams socket). */
  readonly streamTokens: StreamTokens;
  /** The URL Twilio reaches this platform at, when it differs from the Host it sends (tunnels, proxies). */
  readonly publicUrl?: string;
  /** How long a hold message pauses before Twilio asks again (seconds). */
  readonly holdPauseSeconds?: number;
  readonly log: (message: string) => void;
  /** Told how long each webhook took inside the platform (benchmarks). */
  readonly onWebhookTime?: (path: string, ms: number) => void;
}

/**
 * Twilio's voice webhooks: the call rings here, the menu and each spoken turn come back through <Gather>, and
 * status and recording callbacks report how it went. Every request is signature-checked before anything else.
 * Each endpoint is its own module under webhooks/, given the context the endpoints share.
 */
export const twilioWebhooks = (options: TwilioWebhookOptions): Middleware => {
  const { gateway } = options;
  const router = new Router({ prefix: '/twilio' });
  const waiting = new Map<string, { departmentId: string }>();
  const context: WebhookContext = { gateway, options, waiting };

  router.use(async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
      options.onWebhookTime?.(ctx.path, performance.now() - started);
    } catch (error) {
      // A webhook the domain refuses (e.g. a caller that is no address) is as malformed as a bad parameter.
      if (error instanceof CommandRefusedError) {
        ctx.status = 400;
        ctx.type = 'text/plain';
        ctx.body = `invalid webhook: ${error.field ?? 'body'}: ${error.message}`;
        return;
      }
      if (!(error instanceof BadWebhook)) throw error;
      ctx.status = 400;
      ctx.type = 'text/plain';
      ctx.body = `invalid webhook: ${error.message}`;
    }
  });
  router.use(bodyParser({ enableTypes: ['form'], formLimit: '64kb', encoding: 'utf-8' }));
  router.use(requireTwilioSignature(options.authToken, options.publicUrl, options.accounts));

  router.post('/voice', (ctx) => incomingCall(context, ctx));
  router.post('/ivr', (ctx) => ivrChoice(context, ctx));
  router.post('/turn', (ctx) => speechTurn(context, ctx));
  router.post('/queue-wait', (ctx) => queueWait(context, ctx));
  router.post('/queue-exit', (ctx) => queueExit(context, ctx));
  router.post('/feedback', (ctx) => feedback(context, ctx));
  router.post('/stream-ended', (ctx) => streamEnded(context, ctx));
  router.post('/status', (ctx) => statusCallback(context, ctx));
  router.post('/recording', (ctx) => recordingCallback(context, ctx));

  return router.routes() as Middleware;
};
