import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { EntityId, LanguageTag, Name, TenantId } from './primitives.js';
import { requireSomeField } from './updates.js';

const category = 'script';

/**
 * The AI agent types a script is written for. Kept here rather than imported from agent.ts so the two
 * contracts can evolve separately; the values must stay the same as the agent types.
 */
export const ScriptAgentType = z.enum([
  'customer_service',
  'sales',
  'technical_support',
  'appointment_booking',
  'survey',
  'after_hours',
  'general_assistant',
]);
export type ScriptAgentType = z.infer<typeof ScriptAgentType>;

const ScriptText = z.string().trim().min(1).max(4000);

export const ScriptStep = z.object({
  id: EntityId,
  prompt: ScriptText,
  /** The intent the caller's answer is expected to carry, which moves the conversation to the next step. */
  expectedIntent: z.string().trim().min(1).max(100).optional(),
});
export type ScriptStep = z.infer<typeof ScriptStep>;

// Steps are addressed by id (analytics, intent routing), so two steps may not share one.
export const ScriptSteps = z
  .array(ScriptStep)
  .max(100)
  .superRefine((steps, ctx) => {
    const seen = new Set<string>();
    steps.forEach((step, index) => {
      if (seen.has(step.id)) {
        ctx.addIssue({ code: 'custom', message: `step id ${step.id} is used twice`, path: [index, 'id'] });
      }
      seen.add(step.id);
    });
  });

export const ScriptObjection = z.object({ objection: ScriptText, response: ScriptText });
export type ScriptObjection = z.infer<typeof ScriptObjection>;
export const ScriptObjections = z.array(ScriptObjection).max(100);

/** What an update may change; a null agent type makes the script usable by any agent. */
export const CallScriptChanges = z
  .object({
    name: Name,
    agentType: ScriptAgentType.nullable(),
    opening: ScriptText,
    steps: ScriptSteps,
    objections: ScriptObjections,
    closing: ScriptText,
    language: LanguageTag,
  })
  .partial();
export type CallScriptChanges = z.infer<typeof CallScriptChanges>;

const scriptKey = { tenantId: TenantId, scriptId: EntityId };

// Commands

export const CreateCallScript = defineCommand(
  category,
  'CreateCallScript',
  z.object({
    ...scriptKey,
    name: Name,
    agentType: ScriptAgentType.optional(),
    opening: ScriptText,
    steps: ScriptSteps,
    objections: ScriptObjections.default([]),
    closing: ScriptText,
    language: LanguageTag.default('en'),
  }),
  'Write a call script: opening, the steps of the conversation, answers to objections and the closing.',
);
export const UpdateCallScript = defineCommand(
  category,
  'UpdateCallScript',
  requireSomeField(z.object({ ...scriptKey, ...CallScriptChanges.shape }), [
    'name',
    'agentType',
    'opening',
    'steps',
    'objections',
    'closing',
    'language',
  ]),
  'Change parts of a call script that is not archived.',
);
export const ArchiveCallScript = defineCommand(
  category,
  'ArchiveCallScript',
  z.object(scriptKey),
  'Retire a call script for good.',
);

// Events

export const CallScriptCreated = defineEvent(
  category,
  'CallScriptCreated',
  1,
  z.object({
    name: Name,
    agentType: ScriptAgentType.optional(),
    opening: ScriptText,
    steps: ScriptSteps,
    objections: ScriptObjections,
    closing: ScriptText,
    language: LanguageTag,
  }),
);
export const CallScriptUpdated = defineEvent(
  category,
  'CallScriptUpdated',
  1,
  z.object({ changes: CallScriptChanges }),
);
export const CallScriptArchived = defineEvent(category, 'CallScriptArchived', 1, z.object({}));

export const scriptCommands = [CreateCallScript, UpdateCallScript, ArchiveCallScript] as const;
export const scriptEvents = [CallScriptCreated, CallScriptUpdated, CallScriptArchived] as const;
