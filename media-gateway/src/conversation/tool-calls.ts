import type { NextStep, SessionParts } from './call-session.js';
import {
  gateEffect,
  isEffectTool,
  slotArgument,
  type NeedsConfirmation,
  type NotRun,
} from './confirmation-gate.js';
import type { EscalationReason } from './escalation-policy.js';
import {
  callerAppointment,
  runTool,
  toolArgumentsFit,
  type ToolCallContext,
  type ToolOutcome,
} from './tools.js';

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
  return (await runToolCall(session, id, 'escalate_to_human', args)).next;
};

/** What running a tool call did for the turn. */
export interface ToolRun {
  /** Where the call goes next, if anywhere. */
  readonly next: NextStep | undefined;
  readonly status: ToolOutcome['status'];
  /** The gate held the call back: the question the gateway asks the caller, ending the turn. */
  readonly confirm?: string;
}

/** Records a tool call and its outcome, and adds the result to the history the model sees. */
const record = async (
  session: SessionParts,
  id: string,
  name: string,
  args: Readonly<Record<string, unknown>>,
  outcome: ToolOutcome,
  durationMs: number,
): Promise<void> => {
  const { conversation, callId, send } = session;
  conversation.toolCount += 1;
  await send('InvokeTool', {
    toolCallId: `${callId}-t${conversation.toolCount}`,
    name: recordedToolName(name),
    arguments: args,
    result: outcome.result,
    status: outcome.status,
    durationMs,
  });
  const message = { role: 'tool', toolCallId: id, name, content: JSON.stringify(outcome.result) } as const;
  conversation.messages.push(message);
  if (outcome.status === 'succeeded') conversation.succeededTools.add(message);
};

/**
 * The confirmation gate (confirmation-gate.ts) for a booking, move or cancellation with arguments the tool
 * takes: undefined when it may run, else what the model is told (and the question the gateway asks, if any). A
 * call the tool would refuse anyway is not held back. One yes lets one effect run: a second booking in a later
 * round or in the same reply is not run (no question: the caller already answered).
 */
const heldBack = (
  session: SessionParts,
  name: string,
  args: Readonly<Record<string, unknown>>,
): NeedsConfirmation | NotRun | undefined => {
  if (!isEffectTool(name)) return undefined;
  const { deps, setup, conversation, now } = session;
  if (conversation.effectLine === conversation.lineCount) {
    return { status: 'not_run', error: 'not run: the caller confirmed one change, and it was made' };
  }
  if (!toolArgumentsFit(name, args)) return undefined;
  // A cancellation is on the appointment's own time, as the caller's history has it.
  const startsAt =
    name === 'cancel_appointment'
      ? callerAppointment(deps.directory, toolContext(session), args['appointmentId'])?.startsAt
      : slotArgument(args);
  if (startsAt === undefined) return undefined;
  const decision = gateEffect({
    tool: name,
    startsAt,
    messages: conversation.messages,
    pending: conversation.pendingConfirmation,
    lineCount: conversation.lineCount,
    timeZone: setup.tenant.settings.timeZone,
    language: conversation.language,
    now: now(),
  });
  conversation.pendingConfirmation = decision.run ? undefined : decision.pending;
  return decision.run ? undefined : decision.result;
};

/**
 * A tool call the turn does not run (the caller must first confirm another call of the same reply): recorded
 * as failed, and the model told why, so that every call it made has its answer.
 */
export const skipToolCall = (
  session: SessionParts,
  id: string,
  name: string,
  args: Readonly<Record<string, unknown>>,
): Promise<void> =>
  record(
    session,
    id,
    name,
    args,
    {
      result: { status: 'not_run', error: 'not run: waiting for the caller to confirm' },
      status: 'failed',
      effects: [],
    },
    0,
  );

/** Runs a tool call the model made (or a rule made for it) and records it; what it did for the turn. */
export const runToolCall = async (
  session: SessionParts,
  id: string,
  name: string,
  args: Readonly<Record<string, unknown>>,
): Promise<ToolRun> => {
  const { deps, conversation, callId } = session;
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
  const held = heldBack(session, name, args);
  const outcome: ToolOutcome = held
    ? { result: { ...held }, status: 'failed', effects: [] }
    : await (deps.tracing
        ? deps.tracing.toolCall(callId, id, name, () => runTool(deps, toolContext(session), id, name, args))
        : runTool(deps, toolContext(session), id, name, args));
  await record(session, id, name, args, outcome, Math.round(performance.now() - started));
  if (held?.status === 'needs_confirmation') return { next: undefined, status: 'failed', confirm: held.say };
  if (held) return { next: undefined, status: 'failed' };
  // One yes, one change: a booking refused (the slot was taken) changed nothing, and another may follow.
  if (isEffectTool(name) && outcome.status === 'succeeded') conversation.effectLine = conversation.lineCount;
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
  return { next, status: outcome.status };
};
