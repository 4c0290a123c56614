import { billingPeriodOf, type CallEvent, type EventEnvelope, type IvrMenu } from '@ccp/schemas';
import { BoundedMap } from './bounded-map.js';
import type { LiveDirectory } from './directory/live-directory.js';
import type { TenantEntry } from './directory/directory.js';
import type { LanguageModel } from './llm/port.js';
import { CallSession, type AgentTurn, type CallSetup, type NextStep } from './conversation/call-session.js';
import { isOpen } from './routing/business-hours.js';
import { CommandRefusedError, type CommandSender } from './conversation/commands.js';
import type { HumanAvailability, KnowledgeSearch } from './conversation/tools.js';
import { matchIvrOption, routeDepartment, routeNumber, type CallRoute } from './routing/route-call.js';
import { phrase, type PhraseKey } from './telephony/phrases.js';

export interface GatewayDependencies {
  readonly live: LiveDirectory;
  readonly commands: CommandSender;
  readonly model: LanguageModel;
  readonly searchKnowledge: KnowledgeSearch;
  readonly humansAvailable: HumanAvailability;
  readonly now: () => Date;
  /** Whether a call may ask for its own clock (IncomingCall.demoAt): the embedded demo profile only. */
  readonly demoClock?: boolean;
  readonly log: (message: string) => void;
  /** The recorded events of a call, decoded: to pick a call up again after a restart. */
  readonly readCall: (tenantId: string, callId: string) => Promise<EventEnvelope[]>;
}

export interface IncomingCall {
  readonly callId: string;
  readonly from: string;
  readonly to: string;
  readonly provider: 'twilio' | 'simulator';
  readonly direction: 'inbound' | 'outbound';
  /** For outbound calls: the agent placing it. */
  readonly agentId?: string;
  /** For outbound calls: the lead it is placed for. */
  readonly leadId?: string;
  /** For outbound calls: the campaign it is placed for. */
  readonly campaignId?: string;
  /** The demo clock: the caller asks that the call run "as if" at this instant (honoured only with demoClock). */
  readonly demoAt?: Date;
}

/** What the caller hears first, whichever way the call is carried (gather webhooks or a media stream). */
export type CallOpening =
  | {
      readonly kind: 'ivr';
      readonly tenant: TenantEntry;
      readonly menu: IvrMenu;
      readonly language: string;
      /** The number of the caller's next try at the menu (the first is 1). */
      readonly attempt: number;
    }
  | { readonly kind: 'agent'; readonly session: CallSession; readonly turn: AgentTurn }
  /** The AI is not allowed to answer (its usage cap is reached), but people are there. */
  | {
      readonly kind: 'queue';
      readonly departmentId: string;
      readonly language: string;
      readonly lines: string[];
    }
  | { readonly kind: 'refused'; readonly language: string; readonly lines: string[] };

interface PendingIvr {
  readonly call: IncomingCall;
  readonly tenant: TenantEntry;
  readonly menu: IvrMenu;
  attempts: number;
}

/** Wrong or no choice this many times: the caller goes to the menu's first department rather than round again. */
const MAX_IVR_ATTEMPTS = 2;

const voicemailText = (language: string, agent: string, business: string): string =>
  language.startsWith('es')
    ? `Hola, soy ${agent} de ${business}. Le llamábamos por su solicitud. Le volveremos a llamar, o puede devolvernos la llamada a este número. ¡Gracias!`
    : `Hi, this is ${agent} from ${business}, calling about your request. We will try you again, or you can call us back at this number. Thank you!`;
/** Why a call the AI may not answer ended, as recorded. */
const USAGE_CAP_REASON = 'AI usage cap reached';
/** A call refused as it rang ends with one of these reasons, each the key of what the caller was told. */
const REFUSALS: Readonly<Record<string, PhraseKey>> = {
  unassigned: 'unassigned',
  tenant_inactive: 'tenant_inactive',
  no_agent: 'no_agent',
  all_agents_busy: 'all_agents_busy',
  [USAGE_CAP_REASON]: 'usage_cap',
};
/** Late callbacks (recording, feedback) come within minutes; this many calls cover hours of a busy tenant. */
const RECENT_CALLS = 50_000;

/**
 * The media gateway's application service: opens calls, runs IVR menus, keeps one CallSession per live call,
 * and closes calls. Telephony adapters (Twilio gather webhooks, Media Streams) translate to and from it.
 */
export class MediaGateway {
  private readonly sessions = new Map<string, CallSession>();
  private readonly ivr = new Map<string, PendingIvr>();
  /** Calls per tenant and agent, against agents' concurrency limits. */
  private readonly active = new Map<string, number>();
  /** The tenant of recent calls, for callbacks that come after the call (recordings, feedback). */
  private readonly recent = new BoundedMap<string, string>(RECENT_CALLS);
  /** What a call carried on a media stream does once its stream closes. */
  private readonly afterStreams = new Map<string, NextStep>();
  private readonly greetings = new Map<string, AgentTurn>();
  private readonly resuming = new Map<string, Promise<CallSession | undefined>>();

  /** Demo clocks: how far a call asked to be shifted from the real clock (ms), by call id. */
  private readonly clocks = new BoundedMap<string, number>(RECENT_CALLS);

  constructor(private readonly deps: GatewayDependencies) {}

  /**
   * A call's clock: the gateway's, shifted by the call's demo clock when it asked for one (DEMO_CLOCK only).
   * It judges business hours and "tomorrow"; events keep the real time they happened.
   */
  private clockFor(callId: string): () => Date {
    return () => new Date(this.deps.now().getTime() + (this.clocks.get(callId) ?? 0));
  }

  session(callId: string): CallSession | undefined {
    return this.sessions.get(callId);
  }

  /**
   * The call's session, rebuilt from its events when this process does not hold it (the platform restarted
   * mid-call, or another gateway instance answered): the caller goes on where they were. Undefined for calls
   * that ended or that never reached an agent.
   */
  sessionOrResume(callId: string): Promise<CallSession | undefined> {
    const held = this.sessions.get(callId);
    if (held) return Promise.resolve(held);
    // Requests for the call at once (a retry racing the original) share one resumed session.
    const resuming = this.resuming.get(callId);
    if (resuming) return resuming;
    const resumed = this.resume(callId).finally(() => this.resuming.delete(callId));
    this.resuming.set(callId, resumed);
    return resumed;
  }

  private async resume(callId: string): Promise<CallSession | undefined> {
    const { live } = this.deps;
    await live.catchUp();
    const tenantId = live.directory.tenantOfCall(callId);
    const tenant = tenantId !== undefined ? live.directory.tenant(tenantId) : undefined;
    if (!tenant) return undefined;
    const events = await this.deps.readCall(tenant.tenantId, callId);
    const started = events.find((e) => e.type === 'CallStarted');
    if (!started || events.some((e) => e.type === 'CallEnded')) return undefined;
    const start = started.data as {
      direction: 'inbound' | 'outbound';
      from: string;
      to: string;
      agentId?: string;
    };
    const transferred = events
      .filter((e) => e.type === 'CallTransferred')
      .map((e) => (e.data as { to: { kind: string; id: string } }).to)
      .filter((to) => to.kind === 'agent')
      .at(-1);
    const agentId = transferred?.id ?? start.agentId;
    const agent = agentId !== undefined ? live.directory.agent(tenant.tenantId, agentId) : undefined;
    if (!agent) return undefined;
    const department =
      agent.settings.departmentId !== undefined
        ? live.directory.department(tenant.tenantId, agent.settings.departmentId)
        : undefined;
    const hours = department?.settings.escalation.businessHours ?? tenant.settings.businessHours;
    const session = this.newSession({
      callId,
      tenant,
      agent,
      department,
      customer: start.direction === 'inbound' ? start.from : start.to,
      afterHours: !isOpen(hours, tenant.settings.timeZone, this.deps.now()),
    });
    session.restore(events);
    this.remember(callId, tenant.tenantId);
    this.deps.log(`call ${callId}: resumed from ${events.length} recorded events`);
    return session;
  }

  get liveCalls(): number {
    return this.sessions.size + this.ivr.size;
  }

  async open(call: IncomingCall): Promise<CallOpening> {
    const { live } = this.deps;
    await live.catchUp();
    // Kept from the first answer: the same webhook asked again must not move the call's clock.
    if (this.deps.demoClock === true && call.demoAt !== undefined && !this.clocks.has(call.callId))
      this.clocks.set(call.callId, call.demoAt.getTime() - this.deps.now().getTime());
    const context = {
      directory: live.directory,
      now: this.clockFor(call.callId)(),
      activeCalls: this.activeCalls,
    };
    let route: CallRoute;
    if (call.direction === 'outbound') {
      // Answered already (the carrier's request made again): the greeting the callee got, nothing run again.
      const answered = await this.answeredOutbound(call.callId);
      if (answered) return { kind: 'agent', session: answered, turn: answered.answerOf(0) };
      // Placed by placeOutbound, which recorded the call's tenant and agent.
      const tenantId = this.recent.get(call.callId);
      const tenant = tenantId !== undefined ? live.directory.tenant(tenantId) : undefined;
      const agent =
        tenant && call.agentId !== undefined
          ? live.directory.agent(tenant.tenantId, call.agentId)
          : undefined;
      route =
        tenant && agent
          ? {
              kind: 'agent',
              tenant,
              agent,
              department:
                agent.settings.departmentId !== undefined
                  ? live.directory.department(tenant.tenantId, agent.settings.departmentId)
                  : undefined,
              afterHours: false,
            }
          : { kind: 'unavailable', tenant, reason: 'no_agent' };
    } else {
      // Rung before (Twilio asking again because its first answer was lost, or a replay): answered from its events.
      const repeat = await this.repeatOpening(call);
      if (repeat) return repeat;
      route = routeNumber(context, call.to);
    }
    if (route.kind === 'unavailable') {
      const language = route.tenant?.settings.languages[0] ?? 'en';
      // Calls to numbers nobody owns are not recorded: there is no tenant to record them for.
      if (route.tenant) {
        if (call.direction === 'inbound') await this.start(route.tenant.tenantId, call, undefined, undefined);
        await this.send(route.tenant.tenantId, call.callId, 'EndCall', {
          outcome: 'failed',
          reason: route.reason,
        });
      }
      return { kind: 'refused', language, lines: [phrase(language, route.reason)] };
    }
    if (route.kind === 'ivr') {
      await this.start(route.tenant.tenantId, call, undefined, undefined);
      this.ivr.set(call.callId, { call, tenant: route.tenant, menu: route.menu, attempts: 0 });
      return {
        kind: 'ivr',
        tenant: route.tenant,
        menu: route.menu,
        language: route.tenant.settings.languages[0] ?? 'en',
        attempt: 1,
      };
    }
    // An outbound call was started when it was placed; an inbound one starts as it rings here.
    if (call.direction === 'inbound') {
      await this.start(
        route.tenant.tenantId,
        call,
        route.agent.agentId,
        route.department?.departmentId,
        route.agent.settings.languages[0],
      );
    }
    return this.answer(call, route);
  }

  /**
   * The caller's choice in the menu: the chosen department's agent answers, or the menu is said again. Each try
   * is numbered (`attempt`, from the webhook's URL): a try made again records nothing and gets the menu again.
   */
  async chooseIvr(
    callId: string,
    input: { readonly kind: 'dtmf' | 'speech'; readonly value: string },
    attempt?: number,
  ): Promise<CallOpening | undefined> {
    const pending = this.ivr.get(callId);
    if (!pending) return undefined;
    const { tenant, menu, call } = pending;
    const language = tenant.settings.languages[0] ?? 'en';
    if (attempt !== undefined && attempt !== pending.attempts + 1) {
      return { kind: 'ivr', tenant, menu, language, attempt: attempt + 1 };
    }
    // Counted before anything is awaited, so that the same try arriving twice at once is one try.
    pending.attempts += 1;
    const value = input.value.trim();
    const option = value === '' ? undefined : matchIvrOption(menu, input);
    if (value !== '') {
      await this.send(tenant.tenantId, callId, 'ChooseIvrOption', {
        menu: menu.id,
        input: input.kind,
        value:
          input.kind === 'dtmf' ? value.replace(/[^0-9*#]/g, '').slice(0, 32) || '#' : value.slice(0, 500),
        ...(option && { departmentId: option.departmentId }),
      });
    }
    const chosen = option ?? (pending.attempts >= MAX_IVR_ATTEMPTS ? menu.options[0] : undefined);
    if (!chosen) return { kind: 'ivr', tenant, menu, language, attempt: pending.attempts + 1 };
    this.ivr.delete(callId);
    const department = this.deps.live.directory.department(tenant.tenantId, chosen.departmentId);
    const route: CallRoute = department
      ? routeDepartment(
          {
            directory: this.deps.live.directory,
            now: this.clockFor(callId)(),
            activeCalls: this.activeCalls,
          },
          tenant,
          department,
        )
      : { kind: 'unavailable', tenant, reason: 'no_agent' };
    if (route.kind !== 'agent') {
      await this.send(tenant.tenantId, callId, 'EndCall', { outcome: 'failed', reason: 'no_agent' });
      return {
        kind: 'refused',
        language,
        lines: [phrase(language, route.kind === 'unavailable' ? route.reason : 'no_agent')],
      };
    }
    await this.send(tenant.tenantId, callId, 'TransferCall', {
      to: { kind: 'agent', id: route.agent.agentId },
      reason: `IVR choice ${chosen.digit}`,
    });
    return this.answer(call, route);
  }

  /** The call is over as the carrier says (hang-up, completed, failed). */
  async close(
    callId: string,
    outcome?: 'resolved' | 'escalated' | 'abandoned' | 'voicemail' | 'failed' | 'busy' | 'no_answer',
    reason?: string,
  ): Promise<void> {
    const pending = this.ivr.get(callId);
    if (pending) {
      this.ivr.delete(callId);
      await this.send(pending.tenant.tenantId, callId, 'EndCall', {
        outcome: outcome ?? 'abandoned',
        reason: reason ?? 'hung up in the menu',
      });
      return;
    }
    const session = await this.sessionOrResume(callId);
    if (!session) {
      // An outbound call nobody answered (busy, no answer, failed) has no conversation to close.
      const tenantId = this.recent.get(callId);
      if (tenantId !== undefined && outcome !== undefined) {
        await this.send(tenantId, callId, 'EndCall', { outcome, ...(reason !== undefined && { reason }) });
      }
      return;
    }
    this.sessions.delete(callId);
    this.greetings.delete(callId);
    this.afterStreams.delete(callId);
    this.release(session);
    if (outcome === 'busy' || outcome === 'no_answer') {
      await this.send(session.setup.tenant.tenantId, callId, 'EndCall', {
        outcome,
        ...(reason !== undefined && { reason }),
      });
      return;
    }
    await session.end(outcome ?? session.outcome(), reason);
  }

  /** Records an outbound call the carrier accepted to place, before anyone answers. */
  async placed(tenantId: string, call: IncomingCall): Promise<void> {
    await this.start(tenantId, call, call.agentId, undefined);
  }

  /** An answering machine picked up an outbound call: leave the agent's voicemail, or hang up. */
  async machineAnswered(
    callId: string,
    agentId: string,
  ): Promise<{ readonly voicemail?: string; readonly language: string; readonly voice: string }> {
    const tenantId = this.recent.get(callId);
    const tenant = tenantId !== undefined ? this.deps.live.directory.tenant(tenantId) : undefined;
    const agent = tenant ? this.deps.live.directory.agent(tenant.tenantId, agentId) : undefined;
    const language = agent?.settings.languages[0] ?? 'en';
    if (!tenant || !agent) return { language, voice: 'Puck' };
    await this.send(tenant.tenantId, callId, 'AnswerCall', { answeredBy: 'machine' });
    if (agent.settings.fallback !== 'voicemail') {
      await this.send(tenant.tenantId, callId, 'EndCall', {
        outcome: 'voicemail',
        reason: 'answering machine: hung up',
      });
      return { language, voice: agent.settings.voice };
    }
    const voicemail = voicemailText(
      language,
      agent.settings.name,
      tenant.settings.branding.displayName ?? tenant.name,
    );
    await this.send(tenant.tenantId, callId, 'LeaveVoicemail', { text: voicemail });
    await this.send(tenant.tenantId, callId, 'EndCall', { outcome: 'voicemail', reason: 'voicemail left' });
    return { voicemail, language, voice: agent.settings.voice };
  }

  /** An outbound call was picked up (by a person or a machine, as machine detection says). */
  async answered(callId: string, answeredBy: 'human' | 'machine' | 'unknown'): Promise<void> {
    const tenantId = this.recent.get(callId);
    if (tenantId !== undefined) await this.send(tenantId, callId, 'AnswerCall', { answeredBy });
  }

  async feedback(callId: string, score: number): Promise<void> {
    const tenantId = this.recent.get(callId);
    if (tenantId !== undefined) await this.send(tenantId, callId, 'GiveFeedback', { score });
  }

  async recording(
    callId: string,
    recording: { readonly recordingId: string; readonly url: string; readonly durationSeconds: number },
  ): Promise<void> {
    const tenantId = this.recent.get(callId);
    if (tenantId !== undefined) await this.send(tenantId, callId, 'MarkRecordingAvailable', { ...recording });
  }

  /** How long callers wait in a department's queue before the AI takes the call back. */
  maxQueueWaitSeconds(tenantId: string, departmentId: string): number {
    return (
      this.deps.live.directory.department(tenantId, departmentId)?.settings.routing.maxQueueWaitSeconds ?? 0
    );
  }

  /** The greeting of a call answered on a media stream waits for the stream to open. */
  keepForStream(callId: string, turn: AgentTurn): void {
    this.greetings.set(callId, turn);
  }

  takeForStream(callId: string): AgentTurn | undefined {
    const turn = this.greetings.get(callId);
    this.greetings.delete(callId);
    return turn;
  }

  setAfterStream(callId: string, next: NextStep): void {
    this.afterStreams.set(callId, next);
  }

  /** Kept until the call closes: the stream's end reported again must not find the call's next step gone. */
  afterStream(callId: string): NextStep | undefined {
    return this.afterStreams.get(callId);
  }

  tenantOf(callId: string): string | undefined {
    return this.recent.get(callId);
  }

  /**
   * What an inbound call that rang before hears when its first webhook comes again, decided from its events and
   * recording nothing: the refusal, the queue, the menu (its next try) or the greeting as recorded. The model is
   * asked only when the greeting was never recorded (the process stopped before it); the session answers that
   * request once. Undefined for a call not seen before; the same call id with other parties is refused.
   */
  private async repeatOpening(call: IncomingCall): Promise<CallOpening | undefined> {
    const { directory } = this.deps.live;
    const tenantId = directory.tenantOfCall(call.callId);
    if (tenantId === undefined) return undefined;
    const tenant = directory.tenant(tenantId);
    const events = tenant ? await this.deps.readCall(tenant.tenantId, call.callId) : [];
    const started = events.find((e) => e.type === 'CallStarted');
    if (!tenant || !started) return undefined;
    const start = started.data as { from: string; to: string; agentId?: string; language?: string };
    if (start.from !== call.from || start.to !== call.to) {
      throw new CommandRefusedError(
        'CALL_EXISTS',
        `call ${call.callId} already exists, between other parties`,
        'CallSid',
      );
    }
    const calls = events as unknown as CallEvent[];
    const tenantLanguage = tenant.settings.languages[0] ?? 'en';
    const language = start.language ?? tenantLanguage;
    const aiSpoke = calls.some((e) => e.type === 'AiReplied');
    const ended = calls.find((e) => e.type === 'CallEnded');
    if (ended) {
      // Refused as it rang: the same words. Ended later: nothing to say, the call is over.
      const refusal = aiSpoke || ended.data.reason === undefined ? undefined : REFUSALS[ended.data.reason];
      const said = refusal === 'usage_cap' ? language : tenantLanguage;
      return { kind: 'refused', language: said, lines: refusal ? [phrase(said, refusal)] : [] };
    }
    const queued = calls.find((e) => e.type === 'CallQueued');
    if (queued && !aiSpoke) {
      // The AI may not answer (its usage cap): the call went straight to people.
      return {
        kind: 'queue',
        departmentId: queued.data.departmentId,
        language,
        lines: [phrase(language, 'connecting')],
      };
    }
    const toAgent = calls.some((e) => e.type === 'CallTransferred' && e.data.to.kind === 'agent');
    if (start.agentId === undefined && !toAgent) {
      // Rang the menu: a process that restarted since learns the tries made from the events.
      let pending = this.ivr.get(call.callId);
      if (!pending) {
        const route = routeNumber(
          { directory, now: this.deps.now(), activeCalls: this.activeCalls },
          call.to,
        );
        if (route.kind !== 'ivr') return { kind: 'refused', language: tenantLanguage, lines: [] };
        pending = {
          call,
          tenant,
          menu: route.menu,
          attempts: calls.filter((e) => e.type === 'IvrOptionChosen').length,
        };
        this.ivr.set(call.callId, pending);
      }
      return {
        kind: 'ivr',
        tenant,
        menu: pending.menu,
        language: tenantLanguage,
        attempt: pending.attempts + 1,
      };
    }
    const session = await this.sessionOrResume(call.callId);
    if (!session) return { kind: 'refused', language, lines: [phrase(language, 'no_agent')] };
    return { kind: 'agent', session, turn: await session.greet() };
  }

  /** The session of an outbound call the AI already answered (its greeting is in the call's events). */
  private async answeredOutbound(callId: string): Promise<CallSession | undefined> {
    const held = this.sessions.get(callId);
    if (held) return held;
    const tenantId = this.recent.get(callId);
    if (tenantId === undefined) return undefined;
    const events = await this.deps.readCall(tenantId, callId);
    return events.some((e) => e.type === 'AiReplied') ? this.sessionOrResume(callId) : undefined;
  }

  private activeCalls = (tenantId: string, agentId: string): number =>
    this.active.get(`${tenantId}/${agentId}`) ?? 0;

  private release(session: CallSession): void {
    const key = `${session.setup.tenant.tenantId}/${session.setup.agent.agentId}`;
    const count = (this.active.get(key) ?? 1) - 1;
    if (count <= 0) this.active.delete(key);
    else this.active.set(key, count);
  }

  private async answer(
    call: IncomingCall,
    route: Extract<CallRoute, { kind: 'agent' }>,
  ): Promise<CallOpening> {
    const { tenant, agent, department } = route;
    const language = agent.settings.languages[0] ?? tenant.settings.languages[0] ?? 'en';
    if (tenant.aiBlockedPeriods.has(billingPeriodOf(this.deps.now()))) {
      // The plan's AI allowance is used up: people may still answer; the AI may not.
      const departmentId = department?.departmentId;
      if (
        departmentId !== undefined &&
        !route.afterHours &&
        this.deps.humansAvailable(tenant.tenantId, departmentId)
      ) {
        await this.send(tenant.tenantId, call.callId, 'RequestEscalation', {
          reason: 'agent_rule',
          summary: 'AI usage cap reached this month: the call goes straight to a person.',
          departmentId,
        });
        await this.send(tenant.tenantId, call.callId, 'QueueCall', { departmentId, queue: departmentId });
        return { kind: 'queue', departmentId, language, lines: [phrase(language, 'connecting')] };
      }
      await this.send(tenant.tenantId, call.callId, 'EndCall', {
        outcome: 'failed',
        reason: USAGE_CAP_REASON,
      });
      return { kind: 'refused', language, lines: [phrase(language, 'usage_cap')] };
    }
    const session = this.newSession({
      callId: call.callId,
      tenant,
      agent,
      department,
      customer: call.direction === 'inbound' ? call.from : call.to,
      afterHours: route.afterHours,
      ...(this.clocks.has(call.callId) && { now: this.clockFor(call.callId) }),
    });
    return { kind: 'agent', session, turn: await session.greet() };
  }

  /** A session held by this process, counted against its agent's concurrency limit until it closes. */
  private newSession(setup: CallSetup): CallSession {
    const session = new CallSession(
      {
        commands: this.deps.commands,
        directory: this.deps.live.directory,
        searchKnowledge: this.deps.searchKnowledge,
        humansAvailable: this.deps.humansAvailable,
        model: this.deps.model,
        now: this.deps.now,
        catchUp: () => this.deps.live.catchUp(),
        readCall: () => this.deps.readCall(setup.tenant.tenantId, setup.callId),
        log: this.deps.log,
      },
      setup,
    );
    this.sessions.set(setup.callId, session);
    const key = `${setup.tenant.tenantId}/${setup.agent.agentId}`;
    this.active.set(key, (this.active.get(key) ?? 0) + 1);
    return session;
  }

  private async start(
    tenantId: string,
    call: IncomingCall,
    agentId: string | undefined,
    departmentId: string | undefined,
    language?: string,
  ): Promise<void> {
    this.remember(call.callId, tenantId);
    await this.send(tenantId, call.callId, 'StartCall', {
      direction: call.direction,
      from: call.from,
      to: call.to,
      provider: call.provider,
      ...(agentId !== undefined && { agentId }),
      ...(departmentId !== undefined && { departmentId }),
      ...(language !== undefined && { language }),
      ...(call.leadId !== undefined && { leadId: call.leadId }),
      ...(call.campaignId !== undefined && { campaignId: call.campaignId }),
    });
  }

  /** Remembers a call's tenant; the oldest are forgotten first, so memory stays bounded. */
  remember(callId: string, tenantId: string): void {
    this.recent.set(callId, tenantId);
  }

  /** How a person last joined a live call, as its events say; undefined when they did not or it ended. */
  async joinedAs(callId: string, userId: string): Promise<'listen' | 'whisper' | 'barge' | undefined> {
    await this.deps.live.catchUp();
    const tenantId = this.deps.live.directory.tenantOfCall(callId);
    if (tenantId === undefined) return undefined;
    let mode: 'listen' | 'whisper' | 'barge' | undefined;
    for (const event of await this.deps.readCall(tenantId, callId)) {
      const e = event as unknown as CallEvent;
      if (e.type === 'CallEnded') return undefined;
      if (e.type === 'HumanJoined' && e.data.userId === userId) mode = e.data.mode;
      // Whoever took the call over talks, whatever they joined as.
      if (e.type === 'HumanTookOver' && e.data.userId === userId) mode = 'barge';
    }
    return mode;
  }

  private async send(
    tenantId: string,
    callId: string,
    type: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.deps.commands.send(type, { tenantId, callId, ...data }, { correlationId: callId });
  }
}
