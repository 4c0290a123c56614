import type { Context } from 'koa';
import type { AgentTurn } from '../../conversation/call-session.js';
import type { CallOpening } from '../../gateway.js';
import { mediaPathFor } from '../media-streams.js';
import { menuPrompt, phrase } from '../phrases.js';
import { STREAM_TOKEN_PARAMETER } from '../stream-token.js';
import { formParams } from '../twilio-signature.js';
import {
  enqueueTwiml,
  feedbackTwiml,
  hangUpTwiml,
  listenTwiml,
  menuTwiml,
  streamTwiml,
  type RecordingPreamble,
} from '../twiml.js';
import { RECORDING_CALLBACK } from './action-urls.js';
import { queueExitAction, turnAction } from './action-urls.js';
import type { WebhookContext } from './context.js';

/** The TwiML of what the gateway decided: a call's opening (refusal, queue, menu, greeting) or an AI's turn. */

const speechOf = (turn: AgentTurn) => ({ lines: turn.lines, language: turn.language, voice: turn.voice });

/** The TwiML for what the AI said and what comes next; a gather goes on with the caller's `nextLine`. */
export const renderTurn = async (
  context: WebhookContext,
  callId: string,
  turn: AgentTurn,
  nextLine?: number,
  before?: RecordingPreamble,
): Promise<string> => {
  const { gateway, waiting } = context;
  const session = gateway.session(callId);
  switch (turn.next.kind) {
    case 'listen':
      return listenTwiml(
        speechOf(turn),
        turnAction(nextLine ?? (session?.linesHeard ?? 0) + 1),
        session ? hintsFor(session.setup.agent.settings.name) : [],
        {
          // The consent keys are heard on every turn of a call whose tenant asks for consent.
          keys: session !== undefined && session.setup.tenant.settings.recordingConsent.policy !== 'off',
          ...(before && { before }),
        },
      );
    case 'queue':
      waiting.set(callId, { departmentId: turn.next.departmentId });
      return enqueueTwiml(
        speechOf(turn),
        turn.next.departmentId,
        '/twilio/queue-wait',
        queueExitAction(session?.repliesGiven ?? 0),
      );
    case 'hang_up':
      // The call ends once the caller answered the question (or hung up): /twilio/feedback closes it.
      if (session?.setup.tenant.settings.askFeedback) {
        return feedbackTwiml(
          speechOf(turn),
          {
            lines: [phrase(turn.language, 'feedback_question')],
            language: turn.language,
            voice: turn.voice,
          },
          '/twilio/feedback',
        );
      }
      await gateway.close(callId);
      return hangUpTwiml(speechOf(turn));
  }
};

const renderOpening = async (
  context: WebhookContext,
  callId: string,
  opening: CallOpening,
  mode: 'gather' | 'stream',
  streamUrl: string,
): Promise<string> => {
  const { gateway, options, waiting } = context;
  switch (opening.kind) {
    case 'refused':
      return hangUpTwiml({ lines: opening.lines, language: opening.language, voice: 'Puck' });
    case 'queue':
      waiting.set(callId, { departmentId: opening.departmentId });
      return enqueueTwiml(
        { lines: opening.lines, language: opening.language, voice: 'Puck' },
        opening.departmentId,
        '/twilio/queue-wait',
        queueExitAction(0),
      );
    case 'ivr': {
      const { menu, tenant, language } = opening;
      const departments = menu.options.map((o) => ({
        digit: o.digit,
        label: o.phrases[0] ?? o.digit,
      }));
      const prompt = menuPrompt(
        language,
        tenant.settings.branding.displayName ?? tenant.name,
        menu.greeting,
        departments,
      );
      return menuTwiml(
        { lines: [prompt], language, voice: 'Puck' },
        `/twilio/ivr?attempt=${opening.attempt}${mode === 'stream' ? '&mode=stream' : ''}`,
        menu.options.flatMap((o) => o.phrases),
      );
    }
    case 'agent': {
      const before = preambleOf(opening);
      if (mode === 'stream') {
        gateway.keepForStream(callId, opening.turn);
        return streamTwiml(
          streamUrl,
          { callId, [STREAM_TOKEN_PARAMETER]: options.streamTokens.issue(callId) },
          '/twilio/stream-ended',
          before,
        );
      }
      return renderTurn(context, callId, opening.turn, undefined, before);
    }
  }
};

/** The consent announcement, said before the recording starts and before the greeting. */
const preambleOf = (opening: Extract<CallOpening, { kind: 'agent' }>): RecordingPreamble | undefined =>
  opening.recording && {
    announcement: {
      lines: [opening.recording.announcement],
      language: opening.turn.language,
      voice: opening.turn.voice,
    },
    ...(opening.recording.start && { recordingCallback: RECORDING_CALLBACK }),
  };

const modeOf = (ctx: Context): 'gather' | 'stream' => (ctx.query['mode'] === 'stream' ? 'stream' : 'gather');

const streamUrlFor = (context: WebhookContext, ctx: Context): string => {
  const base = context.options.publicUrl ?? `${ctx.protocol}://${ctx.host}`;
  const accountSid = formParams(ctx)['AccountSid'];
  return `${base.replace(/^http/, 'ws').replace(/\/$/, '')}${mediaPathFor(accountSid)}`;
};

/** The TwiML of a call's opening, carried the way the request asks (`mode=stream`: on a Media Stream). */
export const render = (
  context: WebhookContext,
  ctx: Context,
  callId: string,
  opening: CallOpening,
): Promise<string> => renderOpening(context, callId, opening, modeOf(ctx), streamUrlFor(context, ctx));

const hintsFor = (agentName: string): string[] => [
  agentName,
  'appointment',
  'person',
  'agent',
  'cita',
  'persona',
];
