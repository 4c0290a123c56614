import type { Context } from 'koa';
import { phrase } from '../phrases.js';
import { hangUpTwiml } from '../twiml.js';
import type { WebhookContext } from './context.js';
import { GatherParams, parse, twiml } from './request.js';

/** POST /twilio/feedback: the caller's score (a key from 1 to 5) after the AI's goodbye; the call closes. */
export const feedback = async (context: WebhookContext, ctx: Context): Promise<void> => {
  const { gateway } = context;
  const p = parse(GatherParams, ctx);
  const session = await gateway.sessionOrResume(p.CallSid);
  const language = session?.currentLanguage ?? 'en';
  const score = Number(p.Digits);
  await gateway.close(p.CallSid);
  if (Number.isInteger(score) && score >= 1 && score <= 5) {
    await gateway.feedback(p.CallSid, score);
    twiml(
      ctx,
      hangUpTwiml({
        lines: [phrase(language, 'feedback_thanks')],
        language,
        voice: session?.voice ?? 'Puck',
      }),
    );
    return;
  }
  twiml(
    ctx,
    hangUpTwiml({ lines: [phrase(language, 'goodbye')], language, voice: session?.voice ?? 'Puck' }),
  );
};
