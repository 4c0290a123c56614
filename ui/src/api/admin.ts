import { ApiError, authHeaders, getJson, postJson } from './client';
import type { ApiErrorBody, CallFilters, Role, UsageReport } from './types';

/*
 * The tenant admin's screens: configuration as the write side holds it (GET /api/config/*, folded from the log at
 * once, so a saved change shows on reload), every change through the command API, and the identity routes for
 * API keys and passwords. The shapes mirror schemas/src/{department,agent,number,article,script,member,tenant}.ts.
 */

const segment = (value: string): string => encodeURIComponent(value);

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface OpeningInterval {
  day: Weekday;
  open: string;
  close: string;
}

export interface BusinessHours {
  timeZone?: string;
  weekly: OpeningInterval[];
}

export const ROUTING_STRATEGIES = ['round_robin', 'longest_idle', 'skills_based'] as const;
export const AFTER_HOURS_ACTIONS = ['take_message', 'voicemail', 'ai_agent', 'overflow'] as const;

export interface Department {
  readonly id: string;
  readonly status: 'active' | 'archived';
  readonly name: string;
  readonly description?: string;
  readonly routing: {
    readonly strategy: string;
    readonly maxQueueWaitSeconds: number;
    readonly overflowDepartmentId?: string;
  };
  readonly escalation: {
    readonly businessHours?: BusinessHours;
    readonly afterHours: string;
    readonly escalateAfterSeconds?: number;
  };
  readonly systemPrompt?: string;
}

export const AGENT_TYPES = [
  'customer_service',
  'sales',
  'technical_support',
  'appointment_booking',
  'survey',
  'after_hours',
  'general_assistant',
] as const;
export const AGENT_VOICES = ['Puck', 'Charon', 'Kore', 'Fenrir', 'Aoede', 'Leda', 'Orus', 'Zephyr'] as const;
export const AGENT_TONES = [
  'formal',
  'friendly',
  'professional',
  'empathetic',
  'casual',
  'enthusiastic',
  'calm',
] as const;
export const AGENT_FALLBACKS = ['escalate_to_human', 'take_message', 'voicemail', 'end_call'] as const;

export interface EscalationRules {
  readonly onCallerRequest: boolean;
  readonly belowConfidence: number;
  readonly onNegativeSentimentTrend: boolean;
  readonly keywords: readonly string[];
  readonly maxTurnsWithoutResolution?: number;
}

export interface Agent {
  readonly id: string;
  readonly status: 'enabled' | 'disabled';
  readonly name: string;
  readonly type: string;
  readonly voice: string;
  readonly personality: {
    readonly tone: string;
    readonly traits?: readonly string[];
    readonly greeting?: string;
  };
  readonly systemPrompt: string;
  readonly departmentId?: string | null;
  readonly languages: readonly string[];
  readonly businessHours?: BusinessHours | null;
  readonly fallback: string;
  readonly escalationRules: EscalationRules;
  readonly concurrencyLimit: number;
}

export const NUMBER_PROVIDERS = ['simulator', 'twilio', 'asterisk'] as const;
export const TARGET_KINDS = ['agent', 'department', 'ivr'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface NumberTarget {
  readonly kind: TargetKind;
  readonly id: string;
}

export interface PhoneNumber {
  /** The address: an E.164 number or a SIP address. */
  readonly id: string;
  readonly status: string;
  readonly kind: 'pstn' | 'sip';
  readonly provider: string;
  readonly label?: string;
  readonly target?: NumberTarget | null;
}

export interface Article {
  readonly id: string;
  readonly status: 'draft' | 'published' | 'archived';
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  readonly language: string;
  readonly departmentId: string | null;
}

export interface ScriptStep {
  readonly id: string;
  readonly prompt: string;
  readonly expectedIntent?: string;
}

export interface ScriptObjection {
  readonly objection: string;
  readonly response: string;
}

export interface CallScript {
  readonly id: string;
  readonly status: string;
  readonly name: string;
  readonly agentType?: string | null;
  readonly opening: string;
  readonly steps: readonly ScriptStep[];
  readonly objections: readonly ScriptObjection[];
  readonly closing: string;
  readonly language: string;
}

export interface Member {
  readonly id: string;
  readonly status: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
}

export interface IvrOption {
  readonly digit: string;
  readonly phrases: readonly string[];
  readonly departmentId: string;
}

export interface IvrMenu {
  readonly id: string;
  readonly greeting?: string;
  readonly options: readonly IvrOption[];
}

export interface SsoIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri?: string;
  readonly name?: string;
}

/** Whether calls are recorded and how callers consent (schemas/recording-consent.ts). */
export interface RecordingConsent {
  readonly policy: 'off' | 'announce' | 'opt_in';
  readonly announcements: Readonly<Record<string, string>>;
  readonly optOutKey: string;
  readonly optOutPhrases: readonly string[];
  readonly optInKey: string;
  readonly optInPhrases: readonly string[];
}

export interface TenantSettings {
  readonly timeZone: string;
  readonly languages: readonly string[];
  readonly businessHours: BusinessHours;
  readonly ivrMenus: readonly IvrMenu[];
  readonly sso: readonly SsoIssuer[];
  /** Absent for tenants whose settings were read before it existed: off. */
  readonly recordingConsent?: RecordingConsent;
}

export interface TenantConfig {
  readonly id: string;
  readonly status: string;
  readonly name: string;
  readonly planTier: string;
  readonly settings: TenantSettings;
  /** What holds a unit of each plan-limited resource. */
  readonly quota?: {
    readonly aiAgents?: readonly string[];
    readonly phoneNumbers?: readonly string[];
    readonly teamMembers?: readonly string[];
  };
}

export const API_KEY_SCOPES = ['commands', 'read', 'analytics', 'audit', 'telephony', 'admin'] as const;

export interface ApiKey {
  readonly keyId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly role: Role;
  readonly scopes: readonly string[];
  readonly revoked: boolean;
  /** `suspended`: its issuer left and the tenant suspends such keys until an admin re-enables them. */
  readonly status: 'active' | 'suspended' | 'revoked';
  /** Who issued it: a person (by name when on the team), another key or the platform; null: not recorded. */
  readonly issuedBy: {
    readonly kind: 'user' | 'api_key' | 'system';
    readonly id: string;
    readonly name?: string;
  } | null;
}

export interface IssuedApiKey {
  readonly keyId: string;
  /** The secret, shown once: the platform keeps only its hash. */
  readonly key: string;
}

export interface Integrations {
  /** Port → the adapter it runs on. */
  readonly engines: Readonly<Record<string, string>>;
  readonly ssoIssuers: number;
  readonly apiAccess: boolean;
}

export interface PlanTier {
  readonly tier: string;
  readonly features: readonly string[];
  readonly aiAgents: number | null;
  readonly phoneNumbers: number | null;
  readonly teamMembers: number | null;
  readonly includedMinutesPerMonth: number | null;
  readonly llmTokensPerMonth: number | null;
  readonly atUsageCap: string | null;
  readonly callRounding: string;
  readonly monthlyFeeUsd: number;
  readonly perMinuteUsd: number;
  readonly perMillionTokensUsd: number;
}

export interface PlanUsage {
  readonly minutes: number;
  readonly includedMinutes: number | null;
  readonly tokens: number;
  readonly tokenCap: number | null;
  readonly atUsageCap: string | null;
  readonly capUsed: number | null;
  readonly limitsOverridden: boolean;
  readonly costUsd: number;
  readonly billingThresholdUsd: number | null;
  readonly billingThresholdReached: boolean;
}

export interface Plan {
  readonly tier: PlanTier;
  /** This billing period; null before any use. */
  readonly usage: PlanUsage | null;
  readonly period: string;
}

export interface UsageWithCost extends UsageReport {
  readonly cost: {
    readonly currency: string;
    readonly callMinutesUsd: number;
    readonly llmTokensUsd: number;
    readonly totalUsd: number;
  };
}

export interface CommandResult {
  readonly commandId: string;
  readonly streamId: string;
  readonly position: number;
}

type Items<T> = { readonly items: readonly T[] };
const items = async <T>(name: string): Promise<T[]> => [
  ...(await getJson<Items<T>>(`/api/config/${name}`)).items,
];

export const config = {
  departments: () => items<Department>('departments'),
  agents: () => items<Agent>('agents'),
  numbers: () => items<PhoneNumber>('numbers'),
  articles: () => items<Article>('articles'),
  scripts: () => items<CallScript>('scripts'),
  members: () => items<Member>('members'),
  tenant: () => getJson<TenantConfig>('/api/config/tenant'),
};

/** Every change: `POST /api/commands/<Type>`, validated, role-checked and decided on the server. */
export const command = async (type: string, data: Record<string, unknown>): Promise<CommandResult> => {
  const result = await postJson<CommandResult>(`/api/commands/${segment(type)}`, data);
  if (result === undefined) throw new ApiError(500, 'EMPTY_ANSWER', 'the platform answered nothing');
  return result;
};

const failureOf = async (response: Response): Promise<ApiError> => {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const error = (body as Partial<ApiErrorBody> | undefined)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError(response.status, error.code, error.message, error.field);
  }
  return new ApiError(response.status, `HTTP_${response.status}`, response.statusText || 'request failed');
};

/**
 * Routes the shared client does not cover: they take no `?tenantId=` (the voice sample refuses unknown query
 * parameters), answer audio, or use PUT.
 */
const raw = async (method: string, path: string, body?: unknown): Promise<Response> => {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        accept: body === undefined && method === 'GET' ? '*/*' : 'application/json',
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...authHeaders(),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'the platform cannot be reached');
  }
  if (!response.ok) throw await failureOf(response);
  return response;
};

/** The text-to-speech the platform runs when no provider is configured: the simulator's modem tones. */
export const MACHINE_VOICE_ENGINE = 'machine-voice';

/** A few words in a voice, through the platform's own text-to-speech, as WAV, with the engine that spoke them. */
export const voiceSample = async (
  voice: string,
  language: string,
): Promise<{ readonly audio: Blob; readonly engine: string }> => {
  const query = new URLSearchParams({ voice, language });
  const response = await raw('GET', `/api/voices/sample?${query.toString()}`);
  return { audio: await response.blob(), engine: response.headers.get('X-Voice-Engine') ?? '' };
};

export const members = {
  setPassword: async (userId: string, password: string): Promise<void> => {
    await raw('PUT', `/api/members/${segment(userId)}/password`, { password });
  },
};

export const apiKeys = {
  list: async () => [...(await getJson<{ keys: readonly ApiKey[] }>('/api/api-keys')).keys],
  issue: async (input: { tenantId: string; name: string; role: string; scopes: string[] }) => {
    const issued = await postJson<IssuedApiKey>('/api/api-keys', input);
    if (issued === undefined) throw new ApiError(500, 'EMPTY_ANSWER', 'the platform answered nothing');
    return issued;
  },
  reinstate: async (tenantId: string, keyId: string) => {
    await postJson(`/api/api-keys/${segment(keyId)}/reinstate`, { tenantId });
  },
  rotate: async (tenantId: string, keyId: string) => {
    const issued = await postJson<IssuedApiKey>(`/api/api-keys/${segment(keyId)}/rotate`, { tenantId });
    if (issued === undefined) throw new ApiError(500, 'EMPTY_ANSWER', 'the platform answered nothing');
    return issued;
  },
};

export const billing = {
  plan: () => getJson<Plan>('/api/plan'),
  usage: (filters: CallFilters) => getJson<UsageWithCost>('/api/analytics/usage', filters),
};

export const integrations = () => getJson<Integrations>('/api/integrations');
