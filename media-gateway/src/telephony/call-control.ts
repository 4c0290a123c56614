import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  AgentVoice,
  E164,
  EntityId,
  LanguageTag,
  parseWith,
  TenantId,
  type Actor,
  type EventEnvelope,
  type VoicemailPolicy,
} from '@ccp/schemas';
import {
  CommandRejected,
  authenticate,
  requireCredential,
  tenantOfQuery,
  type ApiState,
  type Auth,
  authorize,
  tenantIdIn,
  type PlanOf,
  type RouteAccess,
} from '@ccp/command-service';
import type { MediaGateway } from '../gateway.js';
import type { LiveDirectory } from '../directory/live-directory.js';
import type { Carrier } from './carrier.js';
import { BoundedMap } from '../bounded-map.js';
import { phrase } from './phrases.js';
import type { HumanPresence } from './presence.js';
import { mulawToPcm } from '../speech/mulaw.js';
import type { TextToSpeech } from '../speech/port.js';
import { pcmToWav } from '../speech/wav.js';
import { conferenceTwiml, hangUpTwiml, humanLegTwiml, listenTwiml, refuseLegTwiml } from './twiml.js';
import { formParams, requireTwilioSignature, type WebhookAccounts } from './twilio-signature.js';
import { answeredBy, turnAction } from './twilio-webhooks.js';

export interface CallControlOptions {
  readonly gateway: MediaGateway;
  readonly live: LiveDirectory;
  readonly carrier: Carrier;
  readonly presence: HumanPresence;
  readonly auth: Auth;
  readonly authToken: string;
  /** Tenants' own Twilio accounts (their webhooks are signed with their tokens). */
  readonly accounts?: WebhookAccounts;
  /** The base URL callbacks are given to the carrier with. */
  readonly callbackBase: () => string;
  readonly publicUrl?: string;
  /** For voice samples: the same text-to-speech the calls use. */
  readonly tts: TextToSpeech;
  /** A campaign call's voicemail policy and lead variables (the dialer's campaign view); absent: none. */
  readonly campaignCall?: (
    tenantId: string,
    campaignId: string,
    leadId: string,
  ) => Promise<CampaignCallInfo | undefined>;
}

export interface CampaignCallInfo {
  readonly voicemail: VoicemailPolicy;
  readonly variables: Readonly<Record<string, string>>;
}

/** What the dialer puts in an outbound call's answer URL (signed by the carrier with the rest of the URL). */
const OutboundQuery = z.object({
  agentId: EntityId,
  tenantId: TenantId.optional(),
  campaignId: EntityId.optional(),
  leadId: EntityId.optional(),
  attemptId: EntityId.optional(),
});

const VoiceSample = z.strictObject({
  voice: AgentVoice,
  language: LanguageTag.default('en'),
  text: z.string().trim().min(1).max(300).optional(),
});

const OutboundCall = z.object({
  tenantId: TenantId,
  agentId: EntityId,
  to: E164,
  /** One of the tenant's numbers; absent, a number assigned to the agent. */
  from: E164.optional(),
  /** The lead the call is for, kept on the call so campaigns can count what their calls achieved. */
  leadId: EntityId.optional(),
  /** The campaign the call is placed for, for conversion and ROI analytics. */
  campaignId: EntityId.optional(),
});
const Presence = z.object({
  tenantId: TenantId,
  available: z.boolean(),
  /** Departments the person takes calls for; absent, all. */
  departmentIds: z.array(EntityId).max(100).optional(),
});

/** The call-control API with what each route asks of a credential (see command-service/src/http/authorize.ts). */
export const CALL_CONTROL_ROUTES = {
  outbound: {
    method: 'post',
    path: '/api/calls/outbound',
    action: 'place outbound calls',
    roles: ['tenant_admin', 'supervisor'],
    scope: 'telephony',
    tenant: 'body',
  },
  setPresence: {
    method: 'put',
    path: '/api/presence',
    action: 'take escalated calls',
    roles: ['tenant_admin', 'supervisor', 'agent'],
    scope: 'telephony',
    tenant: 'body',
  },
  presence: {
    method: 'get',
    path: '/api/presence',
    action: 'see who takes escalated calls',
    roles: ['tenant_admin', 'supervisor', 'agent'],
    scope: 'telephony',
    tenant: 'query',
  },
  voiceSample: {
    method: 'get',
    path: '/api/voices/sample',
    action: 'hear voice samples',
    roles: ['tenant_admin', 'supervisor'],
    scope: 'telephony',
    tenant: 'credential',
  },
} as const satisfies Record<string, RouteAccess>;

const API_PATHS: ReadonlySet<string> = new Set(Object.values(CALL_CONTROL_ROUTES).map((route) => route.path));

// parseWith, as every edge: it also refuses text that is not well-formed (a lone surrogate) anywhere in the body.
const parseBody = <S extends z.ZodType>(schema: S, body: unknown): z.output<S> => {
  const parsed = parseWith(schema, body);
  if (!parsed.ok) throw new CommandRejected(400, parsed.error.code, parsed.error.message, parsed.error.field);
  return parsed.value;
};

/**
 * Authorizes a request by its table entry (the platform's one check), before its body or query is parsed; the
 * tier is asked too, so an API key works only on a tier with API access.
 */
const allow = async (
  state: ApiState,
  route: RouteAccess,
  request: { readonly body?: unknown; readonly query?: Record<string, unknown> },
  planOf: PlanOf,
): Promise<Actor> => {
  const credential = requireCredential(state);
  const tenantId =
    route.tenant === 'body'
      ? tenantIdIn(request.body)
      : route.tenant === 'query'
        ? tenantOfQuery(request.query ?? {}, credential)
        : undefined;
  await authorize(credential, route, { tenantId }, planOf);
  return credential.actor;
};

/**
 * Call control beside the webhooks: placing outbound calls, people saying they are available for escalated
 * calls, and the TwiML for a person's leg when they join a call.
 */
export const callControl = (options: CallControlOptions): Middleware => {
  const { gateway, live, carrier, presence } = options;
  const api = new Router<ApiState>({ prefix: '/api' });
  // The leg of the person talking in each call's conference, whom a whisperer coaches (bounded like the calls).
  const talkers = new BoundedMap<string, string>(10_000);
  api.use(bodyParser({ enableTypes: ['json'], jsonLimit: '16kb', encoding: 'utf-8' }));
  api.use(authenticate(options.auth));

  api.post('/calls/outbound', async (ctx) => {
    await allow(ctx.state, CALL_CONTROL_ROUTES.outbound, ctx.request, options.auth.planOf);
    const body = parseBody(OutboundCall, ctx.request.body);
    await live.catchUp();
    const agent = live.directory.agent(body.tenantId, body.agentId);
    if (!agent || !agent.enabled)
      throw new CommandRejected(404, 'AGENT_NOT_FOUND', 'no enabled agent with this id', 'agentId');
    const from = body.from ?? live.directory.numberOf(body.tenantId, body.agentId);
    if (from === undefined) {
      throw new CommandRejected(
        422,
        'NO_CALLER_ID',
        'the agent has no number to call from: give one',
        'from',
      );
    }
    if (live.directory.number(from)?.tenantId !== body.tenantId) {
      throw new CommandRejected(422, 'NOT_YOUR_NUMBER', 'the tenant does not own this number', 'from');
    }
    const base = options.callbackBase();
    let placed: { callId: string };
    try {
      placed = await carrier.placeCall({
        to: body.to,
        from,
        // The tenant travels in the (signed) answer URL: a call placed before a restart still finds it.
        url: `${base}/twilio/outbound?${new URLSearchParams({ agentId: body.agentId, tenantId: body.tenantId }).toString()}`,
        statusCallback: `${base}/twilio/status`,
        machineDetection: true,
      });
    } catch (error) {
      ctx.status = 502;
      ctx.body = {
        error: { code: 'CARRIER_FAILED', message: `the carrier refused the call: ${String(error)}` },
      };
      return;
    }
    gateway.remember(placed.callId, body.tenantId);
    await gateway.placed(body.tenantId, {
      callId: placed.callId,
      from,
      to: body.to,
      provider: 'twilio',
      direction: 'outbound',
      agentId: body.agentId,
      ...(body.leadId !== undefined && { leadId: body.leadId }),
      ...(body.campaignId !== undefined && { campaignId: body.campaignId }),
    });
    ctx.status = 201;
    ctx.body = {
      callId: placed.callId,
      from,
      to: body.to,
      agentId: body.agentId,
      ...(body.leadId !== undefined && { leadId: body.leadId }),
      ...(body.campaignId !== undefined && { campaignId: body.campaignId }),
    };
  });

  api.put('/presence', async (ctx) => {
    const actor = await allow(ctx.state, CALL_CONTROL_ROUTES.setPresence, ctx.request, options.auth.planOf);
    const body = parseBody(Presence, ctx.request.body);
    presence.set(body.tenantId, actor.id, body.available, body.departmentIds ?? 'all');
    ctx.body = { available: presence.list(body.tenantId) };
  });

  // What an agent's voice sounds like, for the console's agent editor: the configured text-to-speech, as WAV.
  api.get('/voices/sample', async (ctx) => {
    await allow(ctx.state, CALL_CONTROL_ROUTES.voiceSample, ctx.request, options.auth.planOf);
    const query = parseBody(VoiceSample, ctx.query);
    const text =
      query.text ??
      (query.language.startsWith('es')
        ? 'Hola, gracias por llamar. ¿En qué puedo ayudarle hoy?'
        : 'Hello, thank you for calling. How can I help you today?');
    const audio = await options.tts.synthesize(text, { voice: query.voice, language: query.language });
    ctx.set('Content-Type', 'audio/wav');
    ctx.set('X-Voice-Engine', options.tts.name);
    ctx.body = pcmToWav(mulawToPcm(audio), 8000);
  });

  api.get('/presence', async (ctx) => {
    const actor = await allow(
      ctx.state,
      CALL_CONTROL_ROUTES.presence,
      { query: ctx.query },
      options.auth.planOf,
    );
    const tenantId = tenantOfQuery(ctx.query, requireCredential(ctx.state)) ?? actor.tenantId ?? '';
    ctx.body = { available: presence.list(tenantId) };
  });

  const twilio = new Router({ prefix: '/twilio' });
  twilio.use(bodyParser({ enableTypes: ['form'], formLimit: '64kb', encoding: 'utf-8' }));
  twilio.use(requireTwilioSignature(options.authToken, options.publicUrl, options.accounts));

  // Answered outbound call: a person hears the agent; a machine gets the voicemail or nothing.
  twilio.post('/outbound', async (ctx) => {
    const params = formParams(ctx);
    const callId = z
      .string()
      .regex(/^CA[0-9a-f]{32}$/)
      .safeParse(params['CallSid']);
    const query = OutboundQuery.safeParse(ctx.query);
    if (!callId.success || !query.success) {
      ctx.status = 400;
      ctx.body = 'invalid webhook: CallSid and agentId are required';
      return;
    }
    const { agentId, tenantId, campaignId, leadId, attemptId } = query.data;
    // The tenant is in the URL the platform gave the carrier: a call placed before a restart still finds it.
    if (tenantId !== undefined) gateway.remember(callId.data, tenantId);
    const campaign =
      tenantId !== undefined && campaignId !== undefined && leadId !== undefined
        ? await options.campaignCall?.(tenantId, campaignId, leadId)
        : undefined;
    ctx.type = 'text/xml';
    if (answeredBy(params['AnsweredBy']) === 'machine') {
      const { voicemail, language, voice } = await gateway.machineAnswered(
        callId.data,
        agentId,
        campaign && { policy: campaign.voicemail, variables: campaign.variables },
      );
      ctx.body = hangUpTwiml({ lines: voicemail !== undefined ? [voicemail] : [], language, voice });
      return;
    }
    await gateway.answered(callId.data, answeredBy(params['AnsweredBy']));
    const opening = await gateway.open({
      callId: callId.data,
      from: params['From'] ?? '',
      to: params['To'] ?? '',
      provider: 'twilio',
      direction: 'outbound',
      agentId,
      ...(campaignId !== undefined && { campaignId }),
      ...(leadId !== undefined && { leadId }),
      ...(attemptId !== undefined && { attemptId }),
      ...(campaign && { variables: campaign.variables }),
    });
    if (opening.kind !== 'agent') {
      ctx.body = hangUpTwiml({
        lines: opening.kind === 'ivr' ? [] : opening.lines,
        language: 'en',
        voice: 'Puck',
      });
      return;
    }
    const { turn } = opening;
    // The greeting: what follows is the callee's first line (a repeated request gets this same TwiML).
    ctx.body = listenTwiml({ lines: turn.lines, language: turn.language, voice: turn.voice }, turnAction(1));
  });

  /*
   * The TwiML App a person's browser or phone dials to join a call (?callId=CA...). Twilio signs the request
   * and names the person in From as client:<userId> (the identity of their access token); the leg is only
   * let in as what the call's events say that person joined as.
   */
  twilio.post('/human-leg', async (ctx) => {
    const params = formParams(ctx);
    const callId = z
      .string()
      .regex(/^CA[0-9a-f]{32}$/)
      .safeParse(ctx.query['callId'] ?? params['callId']);
    const identity = /^client:(.+)$/.exec(params['From'] ?? '')?.[1];
    const legSid = params['CallSid'];
    if (!callId.success || identity === undefined || legSid === undefined) {
      ctx.status = 400;
      ctx.body = 'invalid webhook: callId, From (client:<userId>) and CallSid are required';
      return;
    }
    const mode = await gateway.joinedAs(callId.data, identity);
    ctx.type = 'text/xml';
    if (mode === undefined) {
      ctx.body = refuseLegTwiml('You have not joined this call, or it has ended.');
      return;
    }
    const conference = conferenceName(callId.data);
    if (mode === 'barge') talkers.set(conference, legSid);
    const coach = talkers.get(conference);
    ctx.body = humanLegTwiml(
      conference,
      mode === 'whisper' ? { mode, ...(coach !== undefined && { coach }) } : { mode },
    );
  });

  const apiRoutes = api.routes() as unknown as Middleware;
  const twilioRoutes = twilio.routes() as unknown as Middleware;
  // Each router's middleware (body parsing, signature, authentication) runs only for its own paths.
  return async (ctx, next) => {
    if (ctx.path === '/twilio/outbound' || ctx.path === '/twilio/human-leg') return twilioRoutes(ctx, next);
    if (API_PATHS.has(ctx.path)) return apiRoutes(ctx, next);
    return next();
  };
};

export const conferenceName = (callId: string): string => `call-${callId}`;

/**
 * Follows the call events people cause through the command API: when someone joins or takes over a call the
 * AI holds, the caller is moved out of the queue into the call's conference, which the person's leg joins; a
 * supervisor's coaching reaches the AI's next turn.
 */
export const humanHandover = (gateway: MediaGateway, carrier: Carrier, log: (message: string) => void) => {
  const moved = new Set<string>();
  return async (event: EventEnvelope): Promise<void> => {
    if (event.type === 'AiCoached') {
      gateway.session(event.correlationId)?.coach((event.data as { note: string }).note);
      return;
    }
    // Only someone who will talk takes the caller off the AI: a listener or whisperer has nobody to hear yet.
    const talks =
      event.type === 'HumanTookOver' ||
      (event.type === 'HumanJoined' && (event.data as { mode: string }).mode === 'barge');
    if (!talks) return;
    const callId = event.correlationId;
    const session = gateway.session(callId);
    if (!session) return;
    if (event.type === 'HumanTookOver') session.handOver();
    if (moved.has(callId)) return;
    moved.add(callId);
    const language = session.currentLanguage;
    try {
      await carrier.redirect(
        callId,
        conferenceTwiml(
          { lines: [phrase(language, 'human_joined')], language, voice: session.voice },
          conferenceName(callId),
        ),
      );
    } catch (error) {
      moved.delete(callId);
      log(`moving call ${callId} to its conference failed: ${String(error)} (${randomUUID()})`);
    }
  };
};
