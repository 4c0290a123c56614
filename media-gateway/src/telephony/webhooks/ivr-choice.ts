import type { Context } from 'koa';
import { phrase } from '../phrases.js';
import { hangUpTwiml } from '../twiml.js';
import { IvrQuery } from './action-urls.js';
import type { WebhookContext } from './context.js';
import { render } from './render.js';
import { GatherParams, parse, parseQuery, twiml } from './request.js';

/** POST /twilio/ivr?attempt=N: the caller's choice in the menu (a key or a spoken department). */
export const ivrChoice = async (context: WebhookContext, ctx: Context): Promise<void> => {
  const { gateway } = context;
  const p = parse(GatherParams, ctx);
  const { attempt } = parseQuery(IvrQuery, ctx);
  const input =
    p.Digits !== undefined && p.Digits !== ''
      ? { kind: 'dtmf' as const, value: p.Digits }
      : { kind: 'speech' as const, value: p.SpeechResult ?? '' };
  const opening = await gateway.chooseIvr(p.CallSid, input, attempt);
  if (!opening) {
    twiml(ctx, hangUpTwiml({ lines: [], language: 'en', voice: 'Puck' }));
    return;
  }
  if (opening.kind === 'ivr') {
    const body = await render(context, ctx, p.CallSid, opening);
    // Said again, after "sorry, I didn't catch that".
    twiml(ctx, body.replace('<Gather', `<Say>${phrase(opening.language, 'ivr_retry')}</Say><Gather`));
    return;
  }
  twiml(ctx, await render(context, ctx, p.CallSid, opening));
};
