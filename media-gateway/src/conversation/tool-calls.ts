import type { NextStep, SessionParts } from './call-session.js';
import type { EscalationReason } from './escalation-policy.js';
import { runTool, type ToolCallContext } from './tools.js';

/**
 * A tool call in a session's turn, asked for by the model or by an escalation rule: run with the call's context,
 * recorded, added to the history the model sees, and its effects kept (where the call goes next, the escalation,
 * a follow-up or an answer that counts as progress).
 */

/**
 * A tool call's name as the log records it (1-64 letters, digits, "_" or "-"): the model names tools, and a made-up
 * name such as "functions.lookup" must be recorded and answered as unknown, not refuse the record and the turn.
 */
const recordedToolName = (name: string): string =>
  name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'unnamed';

const toolContext = ({ setup, conversation, callId, now }: SessionParts): ToolCallContext => {
  return {
    tenantId: setup.tenant.tenantId,
    callId,
    customer: setup.customer,
    agentId: setup.agent.agentId,
    departmentId: setup.department?.departmentId ?? setup.agent.settings.departmentId,
    language: conversation.language,
    timeZone: setup.tenant.settings.timeZone,
    afterHours: setup.afterHours,
    openingHours: setup.department?.settings.escalation.businessHours ?? setup.tenant.settings.businessHours,
    now,
  };
};

/** A rule fired: the escalation tool runs as if the model had called it, so the model sees its result. */
export const escalateByRule = async (
  session: SessionParts,
  reason: EscalationReason,
): Promise<NextStep | undefined> => {
  const { conversation, callId } = session;
  const id = `${callId}-rule${conversation.toolCount + 1}`;
  const args = { reason, summary: conversation.summary().summary };
  conversation.messages.push({
    role: 'assistant',
    content: '',
    toolCalls: [{ id, name: 'escalate_to_human', arguments: args }],
  });
  return runToolCall(session, id, 'escalate_to_human', args);
};

/** Runs a tool call the model made (or a rule made for it) and records it; where the call goes next, if anywhere. */
export const runToolCall = async (
  session: SessionParts,
  id: string,
  name: string,
  args: Readonly<Record<string, unknown>>,
): Promise<NextStep | undefined> => {
  const { deps, conversation, callId, send } = session;
  if (
    name === 'lookup_caller_history' ||
    name === 'reschedule_appointment' ||
    name === 'cancel_appointment' ||
    name === 'find_free_slots' ||
    name === 'book_appointment'
  ) {
    await deps.catchUp();
  }
  const started = performance.now();
  const outcome = await runTool(deps, toolContext(session), id, name, args);
  const durationMs = Math.round(performance.now() - started);
  conversation.toolCount += 1;
  await send('InvokeTool', {
    toolCallId: `${callId}-t${conversation.toolCount}`,
    name: recordedToolName(name),
    arguments: args,
    result: outcome.result,
    status: outcome.status,
    durationMs,
  });
  conversation.messages.push({ role: 'tool', toolCallId: id, name, content: JSON.stringify(outcome.result) });
  if (name === 'escalate_to_human' && outcome.status === 'succeeded') {
    conversation.escalationReason = String(args['reason'] ?? 'caller_request');
  }
  let next: NextStep | undefined;
  for (const effect of outcome.effects) {
    conversation.effects.push(effect);
    if (effect.kind === 'follow_up') conversation.turnsWithoutResolution = 0;
    if (effect.kind === 'queued') next = { kind: 'queue', departmentId: effect.departmentId };
    if (effect.kind === 'end_call') next ??= { kind: 'hang_up' };
  }
  if (
    name === 'search_knowledge_base' &&
    Array.isArray(outcome.result['results']) &&
    outcome.result['results'].length > 0
  ) {
    conversation.turnsWithoutResolution = 0;
  }
  return next;
};
