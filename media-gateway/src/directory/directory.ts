import type {
  agentEvents,
  appointmentEvents,
  articleEvents,
  callEventsLatest,
  departmentEvents,
  numberEvents,
  scriptEvents,
  tenantEvents,
  ticketEvents,
} from '@ccp/schemas';
import {
  parseStreamName,
  DEFAULT_TENANT_SETTINGS,
  type AgentSettings,
  type DepartmentSettings,
  type EventEnvelope,
  type EventOf,
  type NumberTarget,
  type PlanTier,
  type ScriptObjection,
  type TenantSettings,
} from '@ccp/schemas';

/**
 * What the media gateway must know to answer a call, folded from the event log: tenants and their settings,
 * departments, agents, numbers, the published knowledge, and each caller's history. It is the gateway's own
 * read model (services share events, not tables), kept in memory and caught up before each call.
 */

type DirectoryEvent = EventOf<
  | (typeof tenantEvents)[number]
  | (typeof departmentEvents)[number]
  | (typeof agentEvents)[number]
  | (typeof numberEvents)[number]
  | (typeof articleEvents)[number]
  | (typeof scriptEvents)[number]
  | (typeof appointmentEvents)[number]
  | (typeof ticketEvents)[number]
  | (typeof callEventsLatest)[number]
>;

export interface TenantEntry {
  readonly tenantId: string;
  name: string;
  planTier: PlanTier;
  settings: TenantSettings;
  status: 'active' | 'suspended' | 'disabled';
  /** Periods (YYYY-MM) in which the plan's cap stopped the AI (UsageCapReached with rule block_ai). */
  readonly aiBlockedPeriods: Set<string>;
}

export interface DepartmentEntry {
  readonly departmentId: string;
  settings: DepartmentSettings;
  archived: boolean;
}

export interface AgentEntry {
  readonly agentId: string;
  settings: AgentSettings;
  enabled: boolean;
  /** Creation order, so that "the first agent of a department" is stable. */
  readonly order: number;
}

export interface NumberEntry {
  readonly address: string;
  readonly tenantId: string;
  target: NumberTarget | undefined;
}

export interface ArticleEntry {
  readonly articleId: string;
  title: string;
  body: string;
  tags: readonly string[];
  departmentId: string | undefined;
  language: string;
  published: boolean;
  archived: boolean;
}

export interface ScriptEntry {
  readonly scriptId: string;
  name: string;
  agentType: string | undefined;
  opening: string;
  objections: readonly ScriptObjection[];
  closing: string;
  language: string;
  archived: boolean;
}

export interface CallHistoryEntry {
  readonly callId: string;
  readonly startedAt: string;
  readonly direction: 'inbound' | 'outbound';
  outcome: string | undefined;
  summary: string | undefined;
}

export interface AppointmentEntry {
  readonly appointmentId: string;
  readonly service: string;
  startsAt: string;
  durationMinutes: number;
  status: 'scheduled' | 'confirmed' | 'cancelled' | 'completed' | 'no_show';
  readonly customerName: string;
}

export interface TicketEntry {
  readonly ticketId: string;
  readonly subject: string;
  status: string;
}

interface TenantData {
  readonly tenant: TenantEntry;
  readonly departments: Map<string, DepartmentEntry>;
  readonly agents: Map<string, AgentEntry>;
  readonly articles: Map<string, ArticleEntry>;
  readonly scripts: Map<string, ScriptEntry>;
  /** Keyed by the caller's address (E.164 or SIP): what this business knows of them. */
  readonly callers: Map<string, CallerHistory>;
  /** Where each call and appointment belongs, to file later events under the right caller. */
  readonly callCaller: Map<string, string>;
  readonly appointments: Map<string, AppointmentEntry>;
  readonly tickets: Map<string, TicketEntry>;
}

export interface CallerHistory {
  readonly calls: CallHistoryEntry[];
  readonly appointmentIds: Set<string>;
  readonly ticketIds: Set<string>;
}

/** Knowledge-base content changes are reported so that search indexes can follow incrementally. */
export type KnowledgeChange = {
  readonly tenantId: string;
  readonly kind: 'article' | 'script';
  readonly id: string;
};

export class Directory {
  private readonly tenants = new Map<string, TenantData>();
  private readonly numbers = new Map<string, NumberEntry>();
  /** The tenant of every call: Twilio's callbacks name a call by its CallSid only. */
  private readonly callTenants = new Map<string, string>();
  private agentOrder = 0;
  private readonly knowledgeListeners: ((change: KnowledgeChange) => void)[] = [];

  /** Called after an article or script of a tenant changed in any way. */
  onKnowledgeChange(listener: (change: KnowledgeChange) => void): void {
    this.knowledgeListeners.push(listener);
  }

  tenantOfCall(callId: string): string | undefined {
    return this.callTenants.get(callId);
  }

  tenant(tenantId: string): TenantEntry | undefined {
    return this.tenants.get(tenantId)?.tenant;
  }

  number(address: string): NumberEntry | undefined {
    return this.numbers.get(address);
  }

  /** A number of the tenant that rings the agent (directly or through its department), to call out from. */
  numberOf(tenantId: string, agentId: string): string | undefined {
    const departmentId = this.agent(tenantId, agentId)?.settings.departmentId;
    const owned = [...this.numbers.values()].filter((n) => n.tenantId === tenantId);
    return (
      owned.find((n) => n.target?.kind === 'agent' && n.target.id === agentId) ??
      owned.find((n) => n.target?.kind === 'department' && n.target.id === departmentId)
    )?.address;
  }

  department(tenantId: string, departmentId: string): DepartmentEntry | undefined {
    return this.tenants.get(tenantId)?.departments.get(departmentId);
  }

  departments(tenantId: string): DepartmentEntry[] {
    return [...(this.tenants.get(tenantId)?.departments.values() ?? [])].filter((d) => !d.archived);
  }

  agent(tenantId: string, agentId: string): AgentEntry | undefined {
    return this.tenants.get(tenantId)?.agents.get(agentId);
  }

  /** Enabled agents of the tenant, in the order they were created. */
  agents(tenantId: string): AgentEntry[] {
    return [...(this.tenants.get(tenantId)?.agents.values() ?? [])]
      .filter((a) => a.enabled)
      .sort((a, b) => a.order - b.order);
  }

  articles(tenantId: string): ArticleEntry[] {
    return [...(this.tenants.get(tenantId)?.articles.values() ?? [])];
  }

  article(tenantId: string, articleId: string): ArticleEntry | undefined {
    return this.tenants.get(tenantId)?.articles.get(articleId);
  }

  scripts(tenantId: string): ScriptEntry[] {
    return [...(this.tenants.get(tenantId)?.scripts.values() ?? [])];
  }

  script(tenantId: string, scriptId: string): ScriptEntry | undefined {
    return this.tenants.get(tenantId)?.scripts.get(scriptId);
  }

  appointment(tenantId: string, appointmentId: string): AppointmentEntry | undefined {
    return this.tenants.get(tenantId)?.appointments.get(appointmentId);
  }

  /** The caller's earlier calls (newest first), appointments and tickets with this tenant. */
  callerHistory(
    tenantId: string,
    caller: string,
  ): { calls: CallHistoryEntry[]; appointments: AppointmentEntry[]; tickets: TicketEntry[] } {
    const data = this.tenants.get(tenantId);
    const history = data?.callers.get(caller);
    if (!data || !history) return { calls: [], appointments: [], tickets: [] };
    return {
      calls: [...history.calls].reverse(),
      appointments: [...history.appointmentIds].flatMap((id) => data.appointments.get(id) ?? []),
      tickets: [...history.ticketIds].flatMap((id) => data.tickets.get(id) ?? []),
    };
  }

  apply(envelope: EventEnvelope): void {
    const parts = parseStreamName(envelope.streamId);
    if (!parts) return;
    const event = envelope as unknown as DirectoryEvent;
    if (parts.category === 'number') {
      this.applyNumber(parts.id, event);
      return;
    }
    if (parts.category === 'tenant' && event.type === 'TenantCreated') {
      this.tenants.set(envelope.tenantId, {
        tenant: {
          tenantId: envelope.tenantId,
          name: event.data.name,
          planTier: event.data.planTier,
          settings: { ...DEFAULT_TENANT_SETTINGS, ...event.data.settings },
          status: 'active',
          aiBlockedPeriods: new Set(),
        },
        departments: new Map(),
        agents: new Map(),
        articles: new Map(),
        scripts: new Map(),
        callers: new Map(),
        callCaller: new Map(),
        appointments: new Map(),
        tickets: new Map(),
      });
      return;
    }
    const data = this.tenants.get(envelope.tenantId);
    if (!data) return;
    switch (parts.category) {
      case 'tenant':
        return applyTenant(data.tenant, event);
      case 'department':
        return applyDepartment(data.departments, parts.id, event);
      case 'agent':
        return this.applyAgent(data.agents, parts.id, event);
      case 'article':
        if (applyArticle(data.articles, parts.id, event))
          this.knowledgeChanged(envelope.tenantId, 'article', parts.id);
        return;
      case 'script':
        if (applyScript(data.scripts, parts.id, event))
          this.knowledgeChanged(envelope.tenantId, 'script', parts.id);
        return;
      case 'call':
        if (event.type === 'CallStarted') this.callTenants.set(parts.id, envelope.tenantId);
        return applyCall(data, parts.id, event);
      case 'appointment':
        return applyAppointment(data, parts.id, event);
      case 'ticket':
        return applyTicket(data, parts.id, event);
    }
  }

  private knowledgeChanged(tenantId: string, kind: 'article' | 'script', id: string): void {
    for (const listener of this.knowledgeListeners) listener({ tenantId, kind, id });
  }

  private applyNumber(address: string, event: DirectoryEvent): void {
    switch (event.type) {
      case 'NumberProvisioned':
        this.numbers.set(address, { address, tenantId: event.data.ownerTenantId, target: undefined });
        return;
      case 'NumberAssigned': {
        const entry = this.numbers.get(address);
        if (entry) entry.target = event.data.target;
        return;
      }
      case 'NumberUnassigned': {
        const entry = this.numbers.get(address);
        if (entry) entry.target = undefined;
        return;
      }
      case 'NumberReleased':
        this.numbers.delete(address);
        return;
    }
  }

  private applyAgent(agents: Map<string, AgentEntry>, agentId: string, event: DirectoryEvent): void {
    const agent = agents.get(agentId);
    switch (event.type) {
      case 'AgentCreated':
        agents.set(agentId, { agentId, settings: event.data, enabled: true, order: this.agentOrder++ });
        return;
      case 'AgentUpdated':
        if (agent) agent.settings = withChanges(agent.settings, event.data.changes);
        return;
      case 'AgentEnabled':
        if (agent) agent.enabled = true;
        return;
      case 'AgentDisabled':
        if (agent) agent.enabled = false;
        return;
      case 'AgentDeleted':
        agents.delete(agentId);
        return;
    }
  }
}

/** Applies a partial update where null means "remove the field" (department, business hours). */
const withChanges = <T extends object>(current: T, changes: object): T => {
  const next: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next as T;
};

const applyTenant = (tenant: TenantEntry, event: DirectoryEvent): void => {
  switch (event.type) {
    case 'PlanTierChanged':
      tenant.planTier = event.data.to;
      return;
    case 'TenantSuspended':
      tenant.status = 'suspended';
      return;
    case 'TenantReactivated':
      tenant.status = 'active';
      return;
    case 'TenantDisabled':
    case 'TenantDeletionRequested':
      tenant.status = 'disabled';
      return;
    case 'TenantSettingsUpdated':
      tenant.settings = withChanges(tenant.settings, event.data.settings);
      return;
    case 'UsageCapReached':
      if (event.data.rule === 'block_ai') tenant.aiBlockedPeriods.add(event.data.period);
      return;
  }
};

const applyDepartment = (
  departments: Map<string, DepartmentEntry>,
  departmentId: string,
  event: DirectoryEvent,
): void => {
  const department = departments.get(departmentId);
  switch (event.type) {
    case 'DepartmentCreated':
      departments.set(departmentId, { departmentId, settings: event.data, archived: false });
      return;
    case 'DepartmentUpdated':
      if (department) department.settings = withChanges(department.settings, event.data.changes);
      return;
    case 'DepartmentArchived':
      if (department) department.archived = true;
      return;
  }
};

/** True when what callers may hear changed. */
const applyArticle = (
  articles: Map<string, ArticleEntry>,
  articleId: string,
  event: DirectoryEvent,
): boolean => {
  const article = articles.get(articleId);
  switch (event.type) {
    case 'ArticleCreated':
      articles.set(articleId, {
        articleId,
        title: event.data.title,
        body: event.data.body,
        tags: event.data.tags,
        departmentId: event.data.departmentId,
        language: event.data.language,
        published: false,
        archived: false,
      });
      return true;
    case 'ArticleUpdated':
      if (!article) return false;
      Object.assign(article, withChanges(article, event.data.changes));
      if (event.data.changes.departmentId === null) article.departmentId = undefined;
      return true;
    case 'ArticlePublished':
      if (article) article.published = true;
      return article !== undefined;
    case 'ArticleUnpublished':
      if (article) article.published = false;
      return article !== undefined;
    case 'ArticleArchived':
      if (article) article.archived = true;
      return article !== undefined;
    default:
      return false;
  }
};

const applyScript = (scripts: Map<string, ScriptEntry>, scriptId: string, event: DirectoryEvent): boolean => {
  const script = scripts.get(scriptId);
  switch (event.type) {
    case 'CallScriptCreated':
      scripts.set(scriptId, {
        scriptId,
        name: event.data.name,
        agentType: event.data.agentType,
        opening: event.data.opening,
        objections: event.data.objections,
        closing: event.data.closing,
        language: event.data.language,
        archived: false,
      });
      return true;
    case 'CallScriptUpdated':
      if (!script) return false;
      Object.assign(script, withChanges(script, event.data.changes));
      if (event.data.changes.agentType === null) script.agentType = undefined;
      return true;
    case 'CallScriptArchived':
      if (script) script.archived = true;
      return script !== undefined;
    default:
      return false;
  }
};

const historyOf = (data: TenantData, caller: string): CallerHistory => {
  let history = data.callers.get(caller);
  if (!history) {
    history = { calls: [], appointmentIds: new Set(), ticketIds: new Set() };
    data.callers.set(caller, history);
  }
  return history;
};

const applyCall = (data: TenantData, callId: string, event: DirectoryEvent): void => {
  if (event.type === 'CallStarted') {
    // The party that is not the business: the caller of an inbound call, the callee of an outbound one.
    const customer = event.data.direction === 'inbound' ? event.data.from : event.data.to;
    data.callCaller.set(callId, customer);
    historyOf(data, customer).calls.push({
      callId,
      startedAt: event.data.startedAt,
      direction: event.data.direction,
      outcome: undefined,
      summary: undefined,
    });
    return;
  }
  const customer = data.callCaller.get(callId);
  if (customer === undefined) return;
  const entry = data.callers.get(customer)?.calls.find((c) => c.callId === callId);
  if (!entry) return;
  if (event.type === 'CallEnded') entry.outcome = event.data.outcome;
  else if (event.type === 'CallSummarized') entry.summary = event.data.summary;
};

const applyAppointment = (data: TenantData, appointmentId: string, event: DirectoryEvent): void => {
  const appointment = data.appointments.get(appointmentId);
  switch (event.type) {
    case 'AppointmentScheduled': {
      data.appointments.set(appointmentId, {
        appointmentId,
        service: event.data.service,
        startsAt: event.data.startsAt,
        durationMinutes: event.data.durationMinutes,
        status: 'scheduled',
        customerName: event.data.customer.name,
      });
      const customer =
        event.data.customer.phone ??
        (event.data.callId !== undefined ? data.callCaller.get(event.data.callId) : undefined);
      if (customer !== undefined) historyOf(data, customer).appointmentIds.add(appointmentId);
      return;
    }
    case 'AppointmentConfirmed':
      if (appointment) appointment.status = 'confirmed';
      return;
    case 'AppointmentRescheduled':
      if (appointment) {
        appointment.startsAt = event.data.to.startsAt;
        appointment.durationMinutes = event.data.to.durationMinutes;
        appointment.status = 'scheduled';
      }
      return;
    case 'AppointmentCancelled':
      if (appointment) appointment.status = 'cancelled';
      return;
    case 'AppointmentCompleted':
      if (appointment) appointment.status = 'completed';
      return;
    case 'AppointmentNoShow':
      if (appointment) appointment.status = 'no_show';
      return;
  }
};

const applyTicket = (data: TenantData, ticketId: string, event: DirectoryEvent): void => {
  const ticket = data.tickets.get(ticketId);
  switch (event.type) {
    case 'TicketOpened': {
      data.tickets.set(ticketId, { ticketId, subject: event.data.subject, status: 'open' });
      const customer =
        event.data.customer?.phone ??
        (event.data.callId !== undefined ? data.callCaller.get(event.data.callId) : undefined);
      if (customer !== undefined) historyOf(data, customer).ticketIds.add(ticketId);
      return;
    }
    case 'TicketUpdated':
      if (ticket && event.data.changes.status !== undefined) ticket.status = event.data.changes.status;
      return;
    case 'TicketResolved':
      if (ticket) ticket.status = 'resolved';
      return;
    case 'TicketReopened':
      if (ticket) ticket.status = 'open';
      return;
  }
};
