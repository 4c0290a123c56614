import type { Context } from 'koa';
import { z } from 'zod';
import { enqueueTwiml, hangUpTwiml } from '../twiml.js';
import { queueExitAction } from './action-urls.js';
import type { WebhookContext } from './context.js';
import { CallSid, parse, twiml } from './request.js';

/** POST /twilio/stream-ended: a call's Media Stream closed; the call goes to the queue or ends. */
export const streamEnded = async (context: WebhookContext, ctx: Context): Promise<void> => {
  const { gateway, waiting } = context;
  const p = parse(z.object({ CallSid }), ctx);
  const next = gateway.afterStream(p.CallSid);
  const session = await gateway.sessionOrResume(p.CallSid);
  const language = session?.currentLanguage ?? 'en';
  const voice = session?.voice ?? 'Puck';
  if (next?.kind === 'queue') {
    waiting.set(p.CallSid, { departmentId: next.departmentId });
    twiml(
      ctx,
      enqueueTwiml(
        { lines: [], language, voice },
        next.departmentId,
        '/twilio/queue-wait',
        queueExitAction(session?.repliesGiven ?? 0),
      ),
    );
    return;
  }
  await gateway.close(p.CallSid, session?.outcome() ?? 'resolved');
  twiml(ctx, hangUpTwiml({ lines: [], language, voice }));
};
