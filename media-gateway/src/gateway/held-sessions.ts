import { CallSession, type CallSetup } from '../conversation/call-session.js';
import type { GatewayDependencies } from '../gateway.js';
import { SlotHolds } from '../booking/offers.js';
import { isOpen } from '../routing/business-hours.js';

/**
 * The call sessions this process holds, one per live call that reached an agent, each counted against its
 * agent's concurrency limit until it closes. A call held elsewhere (or before a restart) is resumed from its
 * events.
 */
export class HeldSessions {
  private readonly sessions = new Map<string, CallSession>();
  /** Calls per tenant and agent, against agents' concurrency limits. */
  private readonly active = new Map<string, number>();
  private readonly resuming = new Map<string, Promise<CallSession | undefined>>();
  /** Free slots offered on this process's calls, held back from the other callers while they choose. */
  private readonly holds = new SlotHolds();

  constructor(
    private readonly deps: GatewayDependencies,
    /** Remembers a resumed call's tenant, for the callbacks that come after the call. */
    private readonly remember: (callId: string, tenantId: string) => void,
  ) {}

  get(callId: string): CallSession | undefined {
    return this.sessions.get(callId);
  }

  get size(): number {
    return this.sessions.size;
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
      campaignId?: string;
      leadId?: string;
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
    // A campaign call goes on with the lead's variables in the prompt, as it started.
    const variables =
      start.campaignId !== undefined && start.leadId !== undefined
        ? await this.deps.leadVariables?.(tenant.tenantId, start.campaignId, start.leadId)
        : undefined;
    const session = this.newSession({
      callId,
      tenant,
      agent,
      department,
      customer: start.direction === 'inbound' ? start.from : start.to,
      afterHours: !isOpen(hours, tenant.settings.timeZone, this.deps.now()),
      ...(variables && { variables }),
    });
    session.restore(events);
    this.remember(callId, tenant.tenantId);
    this.deps.log(`call ${callId}: resumed from ${events.length} recorded events`);
    return session;
  }

  activeCalls = (tenantId: string, agentId: string): number => this.active.get(`${tenantId}/${agentId}`) ?? 0;

  /** The call closed: its session is no longer held, nor counted against its agent. */
  release(callId: string, session: CallSession): void {
    this.sessions.delete(callId);
    this.holds.release(callId);
    const key = `${session.setup.tenant.tenantId}/${session.setup.agent.agentId}`;
    const count = (this.active.get(key) ?? 1) - 1;
    if (count <= 0) this.active.delete(key);
    else this.active.set(key, count);
  }

  /** A session held by this process, counted against its agent's concurrency limit until it closes. */
  newSession(setup: CallSetup): CallSession {
    // A known caller is answered in their own language; a campaign call keeps to its lead's.
    const language =
      setup.variables === undefined
        ? this.deps.live.directory.contactByPhone(setup.tenant.tenantId, setup.customer)?.language
        : undefined;
    const session = new CallSession(
      {
        commands: this.deps.commands,
        directory: this.deps.live.directory,
        searchKnowledge: this.deps.searchKnowledge,
        humansAvailable: this.deps.humansAvailable,
        ...(this.deps.crmRecord && { crmRecord: this.deps.crmRecord }),
        holds: this.holds,
        model: this.deps.modelFor?.(setup.tenant.tenantId) ?? this.deps.model,
        ...(this.deps.greeter && { greeter: this.deps.greeter }),
        ...(this.deps.gatherTurnMs !== undefined && { gatherTurnMs: this.deps.gatherTurnMs }),
        ...(this.deps.turnTimeoutMs !== undefined && { turnTimeoutMs: this.deps.turnTimeoutMs }),
        ...(this.deps.fillerMs !== undefined && { fillerMs: this.deps.fillerMs }),
        now: this.deps.now,
        catchUp: () => this.deps.live.catchUp(),
        readCall: () => this.deps.readCall(setup.tenant.tenantId, setup.callId),
        log: this.deps.log,
        ...(this.deps.tracing && { tracing: this.deps.tracing }),
      },
      language !== undefined ? { ...setup, callerLanguage: language } : setup,
    );
    this.sessions.set(setup.callId, session);
    const key = `${setup.tenant.tenantId}/${setup.agent.agentId}`;
    this.active.set(key, (this.active.get(key) ?? 0) + 1);
    return session;
  }
}
