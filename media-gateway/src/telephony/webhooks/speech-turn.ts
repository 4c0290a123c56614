import type { Context } from 'koa';
import { phrase } from '../phrases.js';
import { hangUpTwiml, listenTwiml } from '../twiml.js';
import { MAX_SILENCES, TurnQuery, turnAction } from './action-urls.js';
import type { WebhookContext } from './context.js';
import { renderTurn } from './render.js';
import { BadWebhook, GatherParams, parse, parseQuery, twiml } from './request.js';

/** POST /twilio/turn?turn=N: the caller's line (or a silence) and the AI's answer to it. */
export const speechTurn = async (context: WebhookContext, ctx: Context): Promise<void> => {
  const { gateway } = context;
  const p = parse(GatherParams, ctx);
  const { turn: numbered, quiet } = parseQuery(TurnQuery, ctx);
  const session = await gateway.sessionOrResume(p.CallSid);
  if (!session) {
    twiml(ctx, hangUpTwiml({ lines: [], language: 'en', voice: 'Puck' }));
    return;
  }
  if (numbered !== undefined) session.markNumbered();
  const line = numbered ?? session.unnumberedLine();
  if (line === undefined) throw new BadWebhook('turn: required once the call goes on with numbered turns');
  const text = (p.SpeechResult ?? '').trim();
  const keys = session.setup.tenant.settings.recordingConsent.policy !== 'off';
  // A consent key or phrase is answered here and goes no further; the caller's line is still to come.
  const consent = await gateway.consent(p.CallSid, {
    ...(p.Digits !== undefined && { digits: p.Digits }),
    text,
  });
  if (consent) {
    twiml(ctx, listenTwiml({ ...consent, lines: [consent.line] }, turnAction(line, 0), [], { keys }));
    return;
  }
  if (text === '') {
    // The silences so far are counted in the URL, so the same silence again counts as one.
    const count = quiet + 1;
    const speech = { language: session.currentLanguage, voice: session.voice };
    if (count > MAX_SILENCES) {
      await gateway.close(p.CallSid, 'abandoned', 'caller silent');
      twiml(ctx, hangUpTwiml({ ...speech, lines: [phrase(speech.language, 'goodbye')] }));
      return;
    }
    twiml(
      ctx,
      listenTwiml(
        { ...speech, lines: [phrase(speech.language, 'still_there')] },
        turnAction(line, count),
        [],
        {
          keys,
        },
      ),
    );
    return;
  }
  const turn = await session.hearLine(line, { text, confidence: p.Confidence ?? 0.9 });
  twiml(ctx, await renderTurn(context, p.CallSid, turn, line + 1));
};
