import type { Context } from 'koa';
import { z } from 'zod';
import type { WebhookContext } from './context.js';
import { render } from './render.js';
import { CallSid, parse, twiml } from './request.js';

const VoiceParams = z.object({
  CallSid,
  AccountSid: z.string().regex(/^AC[0-9a-f]{32}$/, 'AccountSid is AC followed by 32 hex digits'),
  From: z.string().min(1).max(200),
  To: z.string().min(1).max(200),
  Direction: z.string().optional(),
  /** The simulator's demo clock (not Twilio's); the gateway ignores it unless DEMO_CLOCK is on. */
  DemoAt: z.iso.datetime({ offset: true }).optional(),
});

/** POST /twilio/voice: the call rings here; the caller hears a refusal, the queue, the menu or the greeting. */
export const incomingCall = async (context: WebhookContext, ctx: Context): Promise<void> => {
  const { gateway } = context;
  const p = parse(VoiceParams, ctx);
  const opening = await gateway.open({
    callId: p.CallSid,
    from: p.From,
    to: p.To,
    provider: 'twilio',
    direction: 'inbound',
    ...(p.DemoAt !== undefined && { demoAt: new Date(p.DemoAt) }),
  });
  twiml(ctx, await render(context, ctx, p.CallSid, opening));
};
