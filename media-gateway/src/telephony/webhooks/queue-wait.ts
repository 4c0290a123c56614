import type { Context } from 'koa';
import { z } from 'zod';
import { phrase } from '../phrases.js';
import { holdTwiml, leaveQueueTwiml } from '../twiml.js';
import type { WebhookContext } from './context.js';
import { CallSid, parse, twiml } from './request.js';

const QueueParams = z.object({ CallSid, QueueTime: z.coerce.number().nonnegative().optional() });

/** POST /twilio/queue-wait: what a queued caller hears while waiting, until the department's longest wait. */
export const queueWait = async (context: WebhookContext, ctx: Context): Promise<void> => {
  const { gateway, options, waiting } = context;
  const p = parse(QueueParams, ctx);
  const session = await gateway.sessionOrResume(p.CallSid);
  const wait = waiting.get(p.CallSid);
  const maxWait =
    session && wait ? gateway.maxQueueWaitSeconds(session.setup.tenant.tenantId, wait.departmentId) : 0;
  if ((p.QueueTime ?? 0) >= maxWait) {
    twiml(ctx, leaveQueueTwiml());
    return;
  }
  const language = session?.currentLanguage ?? 'en';
  twiml(
    ctx,
    holdTwiml(
      { lines: [phrase(language, 'hold')], language, voice: session?.voice ?? 'Puck' },
      Math.max(1, Math.min(options.holdPauseSeconds ?? 10, maxWait - (p.QueueTime ?? 0))),
    ),
  );
};
