import type { Context } from 'koa';
import { z } from 'zod';
import { hangUpTwiml } from '../twiml.js';
import { QueueExitQuery } from './action-urls.js';
import type { WebhookContext } from './context.js';
import { renderTurn } from './render.js';
import { CallSid, parse, parseQuery, twiml } from './request.js';

const QueueExitParams = z.object({ CallSid, QueueResult: z.string().max(40).optional() });

/** POST /twilio/queue-exit?reply=N: the call left the queue (bridged, hung up, or nobody came in time). */
export const queueExit = async (context: WebhookContext, ctx: Context): Promise<void> => {
  const { gateway, waiting } = context;
  const p = parse(QueueExitParams, ctx);
  const { reply } = parseQuery(QueueExitQuery, ctx);
  waiting.delete(p.CallSid);
  const session = await gateway.sessionOrResume(p.CallSid);
  if (!session || p.QueueResult === 'bridged' || p.QueueResult === 'redirected') {
    twiml(ctx, hangUpTwiml({ lines: [], language: 'en', voice: 'Puck' }));
    return;
  }
  if (p.QueueResult === 'hangup') {
    await gateway.close(p.CallSid, 'abandoned', 'hung up in the queue');
    twiml(ctx, hangUpTwiml({ lines: [], language: 'en', voice: 'Puck' }));
    return;
  }
  // Nobody came in time: the AI takes the call back and offers a message or a call back, once.
  const turn = await session.takeBack(reply);
  twiml(ctx, await renderTurn(context, p.CallSid, turn));
};
