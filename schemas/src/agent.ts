import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { BusinessHours, EntityId, LanguageTag, LongText, Name, TenantId } from './primitives.js';
import { requireSomeField } from './updates.js';

const category = 'agent';

export const AgentType = z.enum([
  'customer_service',
  'sales',
  'technical_support',
  'appointment_booking',
  'survey',
  'after_hours',
  'general_assistant',
]);
/** The prebuilt voices of the speech engine. */
export const AgentVoice = z.enum(['Puck', 'Charon', 'Kore', 'Fenrir', 'Aoede', 'Leda', 'Orus', 'Zephyr']);
export const AgentTone = z.enum([
  'formal',
  'friendly',
  'professional',
  'empathetic',
  'casual',
  'enthusiastic',
  'calm',
]);
export const AgentFallback = z.enum(['escalate_to_human', 'take_message', 'voicemail', 'end_call']);

export const AgentPersonality = z.object({
  tone: AgentTone,
  traits: z.array(z.string().trim().min(1).max(60)).max(20).optional(),
  /** The first words of every call; absent, the agent greets in its own words. */
  greeting: z.string().trim().min(1).max(500).optional(),
});
export type AgentPersonality = z.infer<typeof AgentPersonality>;

/** When the agent hands a call to a person (through its department) instead of carrying on. */
export const AgentEscalationRules = z.object({
  onCallerRequest: z.boolean(),
  /** Escalate when the agent's confidence in its understanding falls below this. */
  belowConfidence: z.number().min(0).max(1),
  onNegativeSentimentTrend: z.boolean(),
  /** Words or phrases that escalate as soon as the caller says them. */
  keywords: z.array(z.string().trim().min(1).max(100)).max(100),
  maxTurnsWithoutResolution: z.number().int().min(1).max(200).optional(),
});
export type AgentEscalationRules = z.infer<typeof AgentEscalationRules>;

/** Everything configurable about an AI agent: what AgentCreated stores and UpdateAgent changes. */
export const AgentSettings = z.object({
  name: Name,
  type: AgentType,
  voice: AgentVoice,
  personality: AgentPersonality,
  /** The agent's own instructions; the tenant's and the department's prompts are put before it at call time. */
  systemPrompt: LongText,
  departmentId: EntityId.optional(),
  languages: z.array(LanguageTag).min(1).max(20),
  /** Absent: the hours of the department or the tenant. */
  businessHours: BusinessHours.optional(),
  /** What the agent does when it cannot help and escalation is not possible. */
  fallback: AgentFallback,
  escalationRules: AgentEscalationRules,
  /** Calls the agent may be in at once. */
  concurrencyLimit: z.number().int().min(1).max(1000),
});
export type AgentSettings = z.infer<typeof AgentSettings>;

/**
 * An update replaces each field it names as a whole (personality and escalation rules included); null takes
 * the agent out of its department or back to the inherited business hours.
 */
export const AgentChanges = AgentSettings.extend({
  departmentId: EntityId.nullable(),
  businessHours: BusinessHours.nullable(),
}).partial();
export type AgentChanges = z.infer<typeof AgentChanges>;

export const DEFAULT_AGENT_ESCALATION_RULES: AgentEscalationRules = {
  onCallerRequest: true,
  belowConfidence: 0.4,
  onNegativeSentimentTrend: true,
  keywords: [],
};

const agentKey = { tenantId: TenantId, agentId: EntityId };

// Commands

export const CreateAgent = defineCommand(
  category,
  'CreateAgent',
  z.object({
    ...agentKey,
    ...AgentSettings.shape,
    voice: AgentVoice.default('Puck'),
    personality: AgentPersonality.extend({ tone: AgentTone.default('professional') }).prefault({}),
    systemPrompt: LongText.default(''),
    languages: AgentSettings.shape.languages.default(['en']),
    fallback: AgentFallback.default('escalate_to_human'),
    // Defaults per field, so that naming one rule keeps the defaults of the others.
    escalationRules: AgentEscalationRules.extend({
      onCallerRequest: z.boolean().default(DEFAULT_AGENT_ESCALATION_RULES.onCallerRequest),
      belowConfidence: AgentEscalationRules.shape.belowConfidence.default(
        DEFAULT_AGENT_ESCALATION_RULES.belowConfidence,
      ),
      onNegativeSentimentTrend: z.boolean().default(DEFAULT_AGENT_ESCALATION_RULES.onNegativeSentimentTrend),
      keywords: AgentEscalationRules.shape.keywords.default([]),
    }).prefault({}),
    concurrencyLimit: AgentSettings.shape.concurrencyLimit.default(5),
  }),
  'Create an AI voice agent; it starts enabled.',
);
export const UpdateAgent = defineCommand(
  category,
  'UpdateAgent',
  requireSomeField(z.object({ ...agentKey, ...AgentChanges.shape }), [
    'name',
    'type',
    'voice',
    'personality',
    'systemPrompt',
    'departmentId',
    'languages',
    'businessHours',
    'fallback',
    'escalationRules',
    'concurrencyLimit',
  ]),
  'Change the configuration of an agent that is not deleted.',
);
export const EnableAgent = defineCommand(
  category,
  'EnableAgent',
  z.object(agentKey),
  'Let an agent take calls again.',
);
export const DisableAgent = defineCommand(
  category,
  'DisableAgent',
  z.object(agentKey),
  'Stop an agent from taking new calls; its configuration is kept.',
);
export const DeleteAgent = defineCommand(
  category,
  'DeleteAgent',
  z.object(agentKey),
  'Delete an agent for good and free its place in the plan.',
);

// Events

export const AgentCreated = defineEvent(category, 'AgentCreated', 1, AgentSettings);
export const AgentUpdated = defineEvent(category, 'AgentUpdated', 1, z.object({ changes: AgentChanges }));
export const AgentEnabled = defineEvent(category, 'AgentEnabled', 1, z.object({}));
export const AgentDisabled = defineEvent(category, 'AgentDisabled', 1, z.object({}));
export const AgentDeleted = defineEvent(category, 'AgentDeleted', 1, z.object({}));

/** A check other commands run first (a campaign's agent): refused unless the agent exists and is enabled. */
export const VerifyAgentCanCall = defineCommand(
  category,
  'VerifyAgentCanCall',
  z.object({ tenantId: TenantId, agentId: EntityId }),
  'Check that an AI agent exists and is enabled, to place calls; stores nothing.',
);

export const agentCommands = [
  CreateAgent,
  UpdateAgent,
  EnableAgent,
  DisableAgent,
  DeleteAgent,
  VerifyAgentCanCall,
] as const;
export const agentEvents = [AgentCreated, AgentUpdated, AgentEnabled, AgentDisabled, AgentDeleted] as const;
