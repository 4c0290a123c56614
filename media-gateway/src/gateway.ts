import type { CallEvent, EventEnvelope, IvrMenu } from '@ccp/schemas';
import { BoundedMap } from './bounded-map.js';
import type { LiveDirectory } from './directory/live-directory.js';
import type { TenantEntry } from './directory/directory.js';
import type { LanguageModel } from './llm/port.js';
import type { GatewayTracing } from './gateway-tracing.js';
import type { AgentTurn, CallSession, NextStep } from './conversation/call-session.js';
import type { CommandSender } from './conversation/commands.js';
import type { HumanAvailability, KnowledgeSearch } from './conversation/tools.js';
import type { CrmRecordLookup } from './integrations/crm-lookup.js';
import { routeNumber, type CallRoute } from './routing/route-call.js';
import { phrase } from './telephony/phrases.js';
import { answerCall } from './gateway/answer-call.js';
import { RECENT_CALLS, type GatewayContext } from './gateway/context.js';
import { DemoClocks } from './gateway/demo-clocks.js';
import { HeldSessions } from './gateway/held-sessions.js';
import { chooseIvr, type PendingIvr } from './gateway/ivr-menu.js';
import { answeredOutbound, machineAnswered, type CampaignVoicemail } from './gateway/outbound-calls.js';
import { repeatOpening } from './gateway/repeat-opening.js';
import { recordConsent, refusedRecording, type ConsentOutcome } from './gateway/call-consent.js';

export interface GatewayDependencies {
  readonly live: LiveDirectory;
  readonly commands: CommandSender;
  readonly model: LanguageModel;
  /**
   * Says the call's first words (the offline dialogue engine: the configured greeting, the closed-hours line, a
   * known caller welcomed back) so that the call's first webhook never waits on a remote model; absent, the
   * conversation model greets.
   */
  readonly greeter?: LanguageModel;
  /** A gather webhook's whole AI turn (LLM_GATHER_TURN_MS) and a media stream's (LLM_TIMEOUT_MS). */
  readonly gatherTurnMs?: number;
  readonly turnTimeoutMs?: number;
  /** On a media stream, the filler line ("One moment.") when the model has said nothing after this long; 0: never. */
  readonly fillerMs?: number;
  /** The model of a tenant's calls (its own provider account when it connected one); `model` when omitted. */
  readonly modelFor?: (tenantId: string) => LanguageModel;
  readonly searchKnowledge: KnowledgeSearch;
  readonly humansAvailable: HumanAvailability;
  /** The caller's record in the tenant's CRM, for lookup_caller_history; none when omitted. */
  readonly crmRecord?: CrmRecordLookup;
  readonly now: () => Date;
  /** Whether a call may ask for its own clock (IncomingCall.demoAt): the embedded demo profile only. */
  readonly demoClock?: boolean;
  readonly log: (message: string) => void;
  /** Spans of the calls' turns and tool calls (gateway-tracing.ts); absent: none. */
  readonly tracing?: GatewayTracing;
  /** The carrier's recording of live calls, for recording consent; absent: recordings are only announced. */
  readonly recorder?: CallRecorder;
  /** The recorded events of a call, decoded: to pick a call up again after a restart. */
  readonly readCall: (tenantId: string, callId: string) => Promise<EventEnvelope[]>;
  /** A campaign lead's variables, for a campaign call picked up again after a restart (the dialer's view). */
  readonly leadVariables?: (
    tenantId: string,
    campaignId: string,
    leadId: string,
  ) => Promise<Readonly<Record<string, string>> | undefined>;
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
  /** For outbound campaign calls: the dial attempt it is, so that its outcome reaches the dialer. */
  readonly attemptId?: string;
  /** For outbound campaign calls: the lead's variables, for the greeting and the prompt ({{first_name}}). */
  readonly variables?: Readonly<Record<string, string>>;
  /** The demo clock: the caller asks that the call run "as if" at this instant (honoured only with demoClock). */
  readonly demoAt?: Date;
}

/** The recording consent announcement of a call's opening (gateway/answer-call.ts). */
export interface RecordingOpening {
  readonly announcement: string;
  readonly start: boolean;
}

/** Starts and stops a live call's recording at the carrier (Twilio's Recordings resource). */
export interface CallRecorder {
  start(callId: string): Promise<void>;
  stop(callId: string): Promise<void>;
  delete(callId: string, recordingId: string): Promise<void>;
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
  | {
      readonly kind: 'agent';
      readonly session: CallSession;
      readonly turn: AgentTurn;
      /** Said before the greeting and before anything is recorded; `start`: the recording starts after it. */
      readonly recording?: RecordingOpening;
    }
  /** The AI is not allowed to answer (its usage cap is reached), but people are there. */
  | {
      readonly kind: 'queue';
      readonly departmentId: string;
      readonly language: string;
      readonly lines: string[];
    }
  | { readonly kind: 'refused'; readonly language: string; readonly lines: string[] };

/**
 * The media gateway's application service: opens calls, runs IVR menus, keeps one CallSession per live call,
 * and closes calls. Telephony adapters (Twilio gather webhooks, Media Streams) translate to and from it. Its
 * parts are in gateway/: the sessions it holds, answering, repeated openings, the IVR menu, outbound calls.
 */
export class MediaGateway {
  private readonly sessions: HeldSessions;
  private readonly ivr = new Map<string, PendingIvr>();
  /** The tenant of recent calls, for callbacks that come after the call (recordings, feedback). */
  private readonly recent = new BoundedMap<string, string>(RECENT_CALLS);
  /** What a call carried on a media stream does once its stream closes. */
  private readonly afterStreams = new Map<string, NextStep>();
  private readonly greetings = new Map<string, AgentTurn>();
  private readonly clocks: DemoClocks;
  /** What the parts in gateway/ share. */
  private readonly context: GatewayContext;

  constructor(private readonly deps: GatewayDependencies) {
    this.sessions = new HeldSessions(deps, (callId, tenantId) => this.remember(callId, tenantId));
    this.clocks = new DemoClocks(deps.now);
    this.context = {
      deps,
      sessions: this.sessions,
      clocks: this.clocks,
      ivr: this.ivr,
      tenantOf: (callId) => this.recent.get(callId),
      send: (tenantId, callId, type, data) => this.send(tenantId, callId, type, data),
    };
  }

  session(callId: string): CallSession | undefined {
    return this.sessions.get(callId);
  }

  /** The call's session, rebuilt from its events when this process does not hold it (HeldSessions). */
  sessionOrResume(callId: string): Promise<CallSession | undefined> {
    return this.sessions.sessionOrResume(callId);
  }

  get liveCalls(): number {
    return this.sessions.size + this.ivr.size;
  }

  /** The calls an agent holds in this process (inbound and outbound): the dialer leaves it lines for more. */
  activeCalls(tenantId: string, agentId: string): number {
    return this.sessions.activeCalls(tenantId, agentId);
  }

  /** Whether this process holds a live conversation on the call. */
  holds(callId: string): boolean {
    return this.sessions.get(callId) !== undefined;
  }

  async open(call: IncomingCall): Promise<CallOpening> {
    const { live } = this.deps;
    await live.catchUp();
    if (this.deps.demoClock === true && call.demoAt !== undefined) this.clocks.ask(call.callId, call.demoAt);
    const context = {
      directory: live.directory,
      now: this.clocks.clockFor(call.callId)(),
      activeCalls: this.sessions.activeCalls,
    };
    let route: CallRoute;
    if (call.direction === 'outbound') {
      // Answered already (the carrier's request made again): the greeting the callee got, nothing run again.
      const answered = await answeredOutbound(this.context, call.callId);
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
      const repeat = await repeatOpening(this.context, call);
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
    return answerCall(this.context, call, route);
  }

  /** The caller's choice in the menu (gateway/ivr-menu.ts). */
  chooseIvr(
    callId: string,
    input: { readonly kind: 'dtmf' | 'speech'; readonly value: string },
    attempt?: number,
  ): Promise<CallOpening | undefined> {
    return chooseIvr(this.context, callId, input, attempt);
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
    this.sessions.release(callId, session);
    this.greetings.delete(callId);
    this.afterStreams.delete(callId);
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

  /** An answering machine picked up an outbound call (gateway/outbound-calls.ts). */
  machineAnswered(
    callId: string,
    agentId: string,
    campaign?: CampaignVoicemail,
  ): Promise<{ readonly voicemail?: string; readonly language: string; readonly voice: string }> {
    return machineAnswered(this.context, callId, agentId, campaign);
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
    if (tenantId === undefined) return;
    if (await refusedRecording(this.deps, tenantId, callId)) {
      // Made before the caller opted out (or as they did): deleted at the carrier, never noted as available.
      await this.deps.recorder?.delete(callId, recording.recordingId);
      this.deps.log(
        `call ${callId}: recording ${recording.recordingId} deleted, the caller refused recording`,
      );
      return;
    }
    await this.send(tenantId, callId, 'MarkRecordingAvailable', { ...recording });
  }

  /** The caller's key or words as an answer to recording consent (gateway/call-consent.ts); none: not one. */
  consent(
    callId: string,
    input: { readonly digits?: string; readonly text?: string },
  ): Promise<ConsentOutcome | undefined> {
    return recordConsent(this.context, callId, input);
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
      ...(call.attemptId !== undefined && { attemptId: call.attemptId }),
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
