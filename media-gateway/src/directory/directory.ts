import { parseStreamName, DEFAULT_TENANT_SETTINGS, type EventEnvelope } from '@ccp/schemas';
import { calendarViewOf, type CalendarView } from '@ccp/command-service';
import { applyAppointment, applyCall, applyTicket } from './caller-history-folds.js';
import {
  applyAgent,
  applyArticle,
  applyDepartment,
  applyNumber,
  applyScript,
  applyTenant,
} from './configuration-folds.js';
import { applyCalendar, applyContact, applyService } from './scheduling-folds.js';
import type {
  AgentEntry,
  AppointmentEntry,
  ArticleEntry,
  CallHistoryEntry,
  ContactEntry,
  DepartmentEntry,
  DirectoryEvent,
  KnowledgeChange,
  NumberEntry,
  ScriptEntry,
  ServiceEntry,
  TenantData,
  TenantEntry,
  TicketEntry,
} from './directory-entries.js';

export type {
  AgentEntry,
  AppointmentEntry,
  ArticleEntry,
  CallerHistory,
  CallHistoryEntry,
  ContactEntry,
  DepartmentEntry,
  KnowledgeChange,
  NumberEntry,
  ScriptEntry,
  ServiceEntry,
  TenantEntry,
  TicketEntry,
} from './directory-entries.js';

/**
 * What the media gateway must know to answer a call, folded from the event log: tenants and their settings,
 * departments, agents, numbers, the published knowledge, and each caller's history. It is the gateway's own
 * read model (services share events, not tables), kept in memory and caught up before each call.
 */

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

  /** The services callers can book (retired ones left out). */
  services(tenantId: string): ServiceEntry[] {
    return [...(this.tenants.get(tenantId)?.services.values() ?? [])].filter((s) => !s.retired);
  }

  /** The calendars of the tenant's resources, as availability reads them (removed ones left out). */
  calendars(tenantId: string): CalendarView[] {
    return [...(this.tenants.get(tenantId)?.calendars.entries() ?? [])].flatMap(([resourceId, state]) => {
      const view = calendarViewOf(resourceId, state);
      return view && !view.removed ? [view] : [];
    });
  }

  contact(tenantId: string, contactId: string): ContactEntry | undefined {
    return this.tenants.get(tenantId)?.contacts.get(contactId);
  }

  /** The contact a number belongs to; with several, the one created first. */
  contactByPhone(tenantId: string, phone: string): ContactEntry | undefined {
    const data = this.tenants.get(tenantId);
    const [first] = data?.contactsByPhone.get(phone) ?? [];
    return first !== undefined ? data?.contacts.get(first) : undefined;
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
      applyNumber(this.numbers, parts.id, event);
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
        services: new Map(),
        calendars: new Map(),
        contacts: new Map(),
        contactsByPhone: new Map(),
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
        return applyAgent(data.agents, parts.id, event, () => this.agentOrder++);
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
      case 'service':
        return applyService(data.services, parts.id, event);
      case 'calendar':
        return applyCalendar(data.calendars, parts.id, event);
      case 'contact':
        return applyContact(data, parts.id, event);
    }
  }

  private knowledgeChanged(tenantId: string, kind: 'article' | 'script', id: string): void {
    for (const listener of this.knowledgeListeners) listener({ tenantId, kind, id });
  }
}
