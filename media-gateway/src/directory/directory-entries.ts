import type { CalendarState } from '@ccp/command-service';
import type {
  agentEvents,
  appointmentEvents,
  articleEvents,
  calendarEvents,
  callEventsLatest,
  contactEvents,
  departmentEvents,
  numberEvents,
  scriptEvents,
  serviceEvents,
  tenantEvents,
  ticketEvents,
  AgentSettings,
  DepartmentSettings,
  EventOf,
  NumberTarget,
  PlanTier,
  ScriptObjection,
  TenantSettings,
} from '@ccp/schemas';

/** What the directory (directory.ts) holds: the events it folds and the entries it keeps per tenant. */

export type DirectoryEvent = EventOf<
  | (typeof tenantEvents)[number]
  | (typeof departmentEvents)[number]
  | (typeof agentEvents)[number]
  | (typeof numberEvents)[number]
  | (typeof articleEvents)[number]
  | (typeof scriptEvents)[number]
  | (typeof appointmentEvents)[number]
  | (typeof ticketEvents)[number]
  | (typeof callEventsLatest)[number]
  | (typeof serviceEvents)[number]
  | (typeof calendarEvents)[number]
  | (typeof contactEvents)[number]
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
  /** Booked on a resource's calendar: which resource and services (a move keeps it on a calendar). */
  placement: { readonly resourceId: string; readonly serviceIds: readonly string[] } | undefined;
}

export interface TicketEntry {
  readonly ticketId: string;
  readonly subject: string;
  status: string;
}

/** A service as availability needs it (the booking core's ServiceView) and as callers name it. */
export interface ServiceEntry {
  readonly serviceId: string;
  name: string;
  durationMinutes: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  resourceIds: readonly string[];
  languages: readonly string[];
  retired: boolean;
}

/** A contact as a call needs it: who is calling, in which language, and their numbers to find them by. */
export interface ContactEntry {
  readonly contactId: string;
  name: string;
  phones: readonly string[];
  language: string | undefined;
}

export interface TenantData {
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
  readonly services: Map<string, ServiceEntry>;
  /** Each resource's calendar, folded with the calendar decider's own evolve (see scheduling-folds.ts). */
  readonly calendars: Map<string, CalendarState>;
  readonly contacts: Map<string, ContactEntry>;
  /** Contact ids by phone number (E.164). */
  readonly contactsByPhone: Map<string, Set<string>>;
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
