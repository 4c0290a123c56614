import { GATEWAY_NOTES, type LlmResponse } from '../llm/port.js';
import { primary } from './call-conversation.js';
import type { AgentTurn, NextStep, SessionParts } from './call-session.js';
import { buildSystemPrompt, scriptsFor } from './prompt.js';
import { booksByService, FIND_FREE_SLOTS_SPEC } from './booking-tools.js';
import { TOOL_SPECS } from './tools.js';
import { runToolCall } from './tool-calls.js';

/**
 * The AI's turn: the model asked with the system prompt and the history, its tool calls run until it answers
 * (or the rounds run out), what it said recorded as the reply with model, tokens and latency, and an apology
 * when no model answered at all.
 */

/** At most this many model calls per caller line: a model stuck calling tools must not hold the line. */
const MAX_ROUNDS = 5;

const APOLOGY: Readonly<Record<string, string>> = {
  en: "I'm sorry, I'm having trouble right now. Let me take a message so the team can call you back.",
  es: 'Lo siento, tengo un problema en este momento. Déjeme tomar un mensaje para que el equipo le devuelva la llamada.',
};

/** The AI's reply now: to the caller's latest line, the silence, the greeting or the queue's timeout. */
export const respond = async (
  session: SessionParts,
  onLine?: (line: string) => void,
  silence?: 'silence',
  already?: NextStep,
): Promise<AgentTurn> => {
  const { deps, setup, conversation, callId, now, send } = session;
  const started = performance.now();
  const lines: string[] = [];
  const say = (line: string): void => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    lines.push(trimmed);
    onLine?.(trimmed);
  };
  let next: NextStep = already ?? { kind: 'listen' };
  let promptTokens = 0;
  let completionTokens = 0;
  let model = deps.model.name;
  if (silence) conversation.messages.push({ role: 'user', content: GATEWAY_NOTES.silence });
  try {
    const tenantId = setup.tenant.tenantId;
    const bookable = booksByService(deps, tenantId);
    const contact = deps.directory.contactByPhone(tenantId, setup.customer);
    const system = buildSystemPrompt({
      tenant: setup.tenant,
      department: setup.department,
      agent: setup.agent,
      scripts: scriptsFor(setup.agent, deps.directory.scripts(setup.tenant.tenantId)),
      afterHours: setup.afterHours,
      now: now(),
      coaching: conversation.coaching,
      ...(setup.variables && { variables: setup.variables }),
      booksByService: bookable,
      ...(contact && { caller: { name: contact.name } }),
    });
    // find_free_slots only where there are services to book: elsewhere the agent books as it always did.
    const tools = bookable ? [...TOOL_SPECS, FIND_FREE_SLOTS_SPEC] : TOOL_SPECS;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const response: LlmResponse = await deps.model.respond({
        system,
        // A copy: the history grows while a provider may still hold the request.
        messages: [...conversation.messages],
        tools,
        language: conversation.language,
        languages: conversation.languages,
        now: now(),
        timeZone: setup.tenant.settings.timeZone,
      });
      model = response.model;
      promptTokens += response.usage.promptTokens;
      completionTokens += response.usage.completionTokens;
      if (response.confidence !== undefined && round === 0 && conversation.lineCount > 0 && !silence) {
        conversation.lowConfidenceStreak =
          response.confidence < setup.agent.settings.escalationRules.belowConfidence
            ? conversation.lowConfidenceStreak + 1
            : 0;
      }
      if (response.toolCalls.length === 0) {
        conversation.messages.push({ role: 'assistant', content: response.text });
        say(response.text);
        break;
      }
      conversation.messages.push({
        role: 'assistant',
        content: response.text,
        toolCalls: response.toolCalls,
      });
      // Said before the tools run: on a media stream the caller hears it while they work.
      say(response.text);
      for (const call of response.toolCalls) {
        const step = await runToolCall(session, call.id, call.name, call.arguments);
        if (step?.kind === 'queue' || (step?.kind === 'hang_up' && next.kind === 'listen')) next = step;
      }
    }
  } catch (error) {
    // Even the offline fallback failed: the caller still hears something and the team gets the call.
    say(APOLOGY[primary(conversation.language)] ?? APOLOGY['en'] ?? '');
    conversation.messages.push({ role: 'assistant', content: lines.join(' ') });
    deps.log(`call ${callId}: no reply from ${deps.model.name}: ${String(error)}`);
  }
  const text = lines.join(' ');
  if (text !== '') {
    conversation.replyCount += 1;
    conversation.transcript.push({ speaker: 'ai', text });
    await send('RecordAiReply', {
      utteranceId: `${callId}-a${conversation.replyCount}`,
      text,
      language: conversation.language,
      model: model.slice(0, 200),
      promptTokens,
      completionTokens,
      latencyMs: Math.round(performance.now() - started),
    });
  }
  return { lines, language: conversation.language, voice: conversation.voice, next };
};
