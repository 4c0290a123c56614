import type { Context } from 'koa';
import { z } from 'zod';
import type { WebhookContext } from './context.js';
import { CallSid, parse } from './request.js';

const StatusParams = z.object({
  CallSid,
  CallStatus: z.enum([
    'queued',
    'initiated',
    'ringing',
    'in-progress',
    'answered',
    'completed',
    'busy',
    'no-answer',
    'failed',
    'canceled',
  ]),
  AnsweredBy: z.string().max(40).optional(),
  CallDuration: z.coerce.number().nonnegative().optional(),
});

/** POST /twilio/status: the carrier's word on the call (answered, completed, busy, failed…). */
export const statusCallback = async (context: WebhookContext, ctx: Context): Promise<void> => {
  const { gateway } = context;
  const p = parse(StatusParams, ctx);
  switch (p.CallStatus) {
    case 'in-progress':
    case 'answered':
      await gateway.answered(p.CallSid, answeredBy(p.AnsweredBy));
      break;
    case 'completed':
      await gateway.close(p.CallSid);
      break;
    case 'busy':
      await gateway.close(p.CallSid, 'busy');
      break;
    case 'no-answer':
      await gateway.close(p.CallSid, 'no_answer');
      break;
    case 'failed':
    case 'canceled':
      await gateway.close(p.CallSid, 'failed', `carrier: ${p.CallStatus}`);
      break;
    default:
      break;
  }
  ctx.status = 204;
};

export const answeredBy = (value: string | undefined): 'human' | 'machine' | 'unknown' =>
  value === undefined || value === 'unknown'
    ? 'unknown'
    : value.startsWith('machine') || value === 'fax'
      ? 'machine'
      : 'human';
