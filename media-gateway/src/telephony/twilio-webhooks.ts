import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { AgentTurn } from '../conversation/call-session.js';
import { CommandRefusedError } from '../conversation/commands.js';
import type { CallOpening, MediaGateway } from '../gateway.js';
import { menuPrompt, phrase } from './phrases.js';
import {
  enqueueTwiml,
  feedbackTwiml,
  hangUpTwiml,
  holdTwiml,
  leaveQueueTwiml,
  listenTwiml,
  menuTwiml,
  streamTwiml,
} from './twiml.js';
import { STREAM_TOKEN_PARAMETER, type StreamTokens } from './stream-token.js';
import { formParams, requireTwilioSignature } from './twilio-signature.js';

export interface TwilioWebhookOptions {
  readonly gateway: MediaGateway;
  readonly authToken: string;
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

const CallSid = z.string().regex(/^CA[0-9a-f]{32}$/, 'CallSid is CA followed by 32 hex digits');
const VoiceParams = z.object({
  CallSid,
  AccountSid: z.string().regex(/^AC[0-9a-f]{32}$/, 'AccountSid is AC followed by 32 hex digits'),
  From: z.string().min(1).max(200),
  To: z.string().min(1).max(200),
  Direction: z.string().optional(),
  /** The simulator's demo clock (not Twilio's); the gateway ignores it unless DEMO_CLOCK is on. */
  DemoAt: z.iso.datetime({ offset: true }).optional(),
});
const GatherParams = z.object({
  CallSid,
  SpeechResult: z.string().max(5000).optional(),
  Confidence: z.coerce.number().min(0).max(1).optional(),
  Digits: z.string().max(64).optional(),
});
const QueueParams = z.object({ CallSid, QueueTime: z.coerce.number().nonnegative().optional() });
const QueueExitParams = z.object({ CallSid, QueueResult: z.string().max(40).optional() });
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
const RecordingParams = z.object({
  CallSid,
  RecordingSid: z.string().regex(/^RE[0-9a-f]{32}$/, 'RecordingSid is RE followed by 32 hex digits'),
  RecordingUrl: z.url().max(2000),
  RecordingDuration: z.coerce.number().nonnegative(),
  RecordingStatus: z.string().max(40).optional(),
});

/*
 * Which request of the call a webhook answers travels in its action URL, which Twilio signs: the caller's line
 * (`/twilio/turn?turn=N`, with `quiet=K` silences before it), the IVR attempt (`/twilio/ivr?attempt=N`) and the
 * AI's replies when the call was queued (`/twilio/queue-exit?reply=N`). A request made again — Twilio retrying,
 * or anyone replaying a signed request — is answered as the first was, and nothing is recorded or run twice.
 */
/** Silences in a row before the AI says goodbye: a caller who left without hanging up must not hold a line. */
const MAX_SILENCES = 2;
const Count = (max: number) => z.coerce.number().int().min(0).max(max);
// A turn without a number comes from TwiML of an older version (a call in flight across a deploy).
const TurnQuery = z.object({
  turn: Count(100_000).min(1).optional(),
  quiet: Count(MAX_SILENCES).default(0),
});
const IvrQuery = z.object({ attempt: Count(100).min(1) });
const QueueExitQuery = z.object({ reply: Count(100_000) });

/** The action of a gather that hears the caller's `line`-th line, after `quiet` silences. */
export const turnAction = (line: number, quiet = 0): string =>
  `/twilio/turn?turn=${line}${quiet > 0 ? `&quiet=${quiet}` : ''}`;

class BadWebhook extends Error {}

const parse = <S extends z.ZodType>(schema: S, ctx: Context): z.output<S> => {
  const parsed = schema.safeParse(formParams(ctx));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadWebhook(`${issue?.path.join('.') ?? 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
};

const parseQuery = <S extends z.ZodType>(schema: S, ctx: Context): z.output<S> => {
  const parsed = schema.safeParse(ctx.query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadWebhook(`${issue?.path.join('.') ?? 'query'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
};

const twiml = (ctx: Context, body: string): void => {
  ctx.type = 'text/xml';
  ctx.body = body;
};

/**
 * Twilio's voice webhooks: the call rings here, the menu and each spoken turn come back through <Gather>, and
 * status and recording callbacks report how it went. Every request is signature-checked before anything else.
 */
export const twilioWebhooks = (options: TwilioWebhookOptions): Middleware => {
  const { gateway } = options;
  const router = new Router({ prefix: '/twilio' });
  const waiting = new Map<string, { departmentId: string }>();

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
  router.use(requireTwilioSignature(options.authToken, options.publicUrl));

  const speechOf = (turn: AgentTurn) => ({ lines: turn.lines, language: turn.language, voice: turn.voice });

  const queueExit = (repliesGiven: number) => `/twilio/queue-exit?reply=${repliesGiven}`;

  /** The TwiML for what the AI said and what comes next; a gather goes on with the caller's `nextLine`. */
  const renderTurn = async (callId: string, turn: AgentTurn, nextLine?: number): Promise<string> => {
    const session = gateway.session(callId);
    switch (turn.next.kind) {
      case 'listen':
        return listenTwiml(
          speechOf(turn),
          turnAction(nextLine ?? (session?.linesHeard ?? 0) + 1),
          session ? hintsFor(session.setup.agent.settings.name) : [],
        );
      case 'queue':
        waiting.set(callId, { departmentId: turn.next.departmentId });
        return enqueueTwiml(
          speechOf(turn),
          turn.next.departmentId,
          '/twilio/queue-wait',
          queueExit(session?.repliesGiven ?? 0),
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
    callId: string,
    opening: CallOpening,
    mode: 'gather' | 'stream',
    streamUrl: string,
  ): Promise<string> => {
    switch (opening.kind) {
      case 'refused':
        return hangUpTwiml({ lines: opening.lines, language: opening.language, voice: 'Puck' });
      case 'queue':
        waiting.set(callId, { departmentId: opening.departmentId });
        return enqueueTwiml(
          { lines: opening.lines, language: opening.language, voice: 'Puck' },
          opening.departmentId,
          '/twilio/queue-wait',
          queueExit(0),
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
      case 'agent':
        if (mode === 'stream') {
          gateway.keepForStream(callId, opening.turn);
          return streamTwiml(
            streamUrl,
            { callId, [STREAM_TOKEN_PARAMETER]: options.streamTokens.issue(callId) },
            '/twilio/stream-ended',
          );
        }
        return renderTurn(callId, opening.turn);
    }
  };

  const modeOf = (ctx: Context): 'gather' | 'stream' =>
    ctx.query['mode'] === 'stream' ? 'stream' : 'gather';

  const streamUrlFor = (ctx: Context): string => {
    const base = options.publicUrl ?? `${ctx.protocol}://${ctx.host}`;
    return `${base.replace(/^http/, 'ws').replace(/\/$/, '')}/twilio/media`;
  };

  const render = (ctx: Context, callId: string, opening: CallOpening): Promise<string> =>
    renderOpening(callId, opening, modeOf(ctx), streamUrlFor(ctx));

  router.post('/voice', async (ctx) => {
    const p = parse(VoiceParams, ctx);
    const opening = await gateway.open({
      callId: p.CallSid,
      from: p.From,
      to: p.To,
      provider: 'twilio',
      direction: 'inbound',
      ...(p.DemoAt !== undefined && { demoAt: new Date(p.DemoAt) }),
    });
    twiml(ctx, await render(ctx, p.CallSid, opening));
  });

  router.post('/ivr', async (ctx) => {
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
      const body = await render(ctx, p.CallSid, opening);
      // Said again, after "sorry, I didn't catch that".
      twiml(ctx, body.replace('<Gather', `<Say>${phrase(opening.language, 'ivr_retry')}</Say><Gather`));
      return;
    }
    twiml(ctx, await render(ctx, p.CallSid, opening));
  });

  router.post('/turn', async (ctx) => {
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
        listenTwiml({ ...speech, lines: [phrase(speech.language, 'still_there')] }, turnAction(line, count)),
      );
      return;
    }
    const turn = await session.hearLine(line, { text, confidence: p.Confidence ?? 0.9 });
    twiml(ctx, await renderTurn(p.CallSid, turn, line + 1));
  });

  router.post('/queue-wait', async (ctx) => {
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
  });

  router.post('/queue-exit', async (ctx) => {
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
    twiml(ctx, await renderTurn(p.CallSid, turn));
  });

  router.post('/feedback', async (ctx) => {
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
  });

  router.post('/stream-ended', async (ctx) => {
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
          queueExit(session?.repliesGiven ?? 0),
        ),
      );
      return;
    }
    await gateway.close(p.CallSid, session?.outcome() ?? 'resolved');
    twiml(ctx, hangUpTwiml({ lines: [], language, voice }));
  });

  router.post('/status', async (ctx) => {
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
  });

  router.post('/recording', async (ctx) => {
    const p = parse(RecordingParams, ctx);
    await gateway.recording(p.CallSid, {
      recordingId: p.RecordingSid,
      url: p.RecordingUrl,
      durationSeconds: p.RecordingDuration,
    });
    ctx.status = 204;
  });

  return router.routes() as Middleware;
};

export const answeredBy = (value: string | undefined): 'human' | 'machine' | 'unknown' =>
  value === undefined || value === 'unknown'
    ? 'unknown'
    : value.startsWith('machine') || value === 'fax'
      ? 'machine'
      : 'human';

const hintsFor = (agentName: string): string[] => [
  agentName,
  'appointment',
  'person',
  'agent',
  'cita',
  'persona',
];
