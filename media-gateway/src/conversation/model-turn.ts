import { GATEWAY_NOTES, type LlmRequest, type LlmResponse, type ToolCallRequest } from '../llm/port.js';
import { primary, type AiReply } from './call-conversation.js';
import type { AgentTurn, NextStep, SessionParts } from './call-session.js';
import { buildCallContext, buildSystemPrompt, sayableIn, scriptsFor, type PromptInput } from './prompt.js';
import { indexInstructions, type Instructions } from './guards/index.js';
import { booksByService, FIND_FREE_SLOTS_SPEC } from './booking-tools.js';
import { TOOL_SPECS } from './tools.js';
import { runToolCall, skipToolCall } from './tool-calls.js';
import { KNOWLEDGE_TOOL, latestCallerLine, turnRecord } from './turn-guard.js';
import { TurnSpeech } from './turn-speech.js';

/**
 * The AI's turn: the model asked with the system prompt and the history, its tool calls run until it answers
 * (or the rounds run out), what it said recorded as the reply with model, tokens and latency, and an apology
 * when no model answered at all. What the model says passes the turn's guards first (turn-speech.ts): on a media
 * stream sentence by sentence as it streams, with a filler line when it is slow to start. A fact without
 * evidence gets a knowledge lookup the gateway makes itself, and a booking, move or cancellation the caller has
 * not confirmed is asked about instead (tool-calls.ts), which ends the turn.
 */

/** At most this many model calls per caller line: a model stuck calling tools must not hold the line. */
const MAX_ROUNDS = 5;

/** Twilio waits at most 15 s for a gather webhook's answer: every model request of the turn within this. */
export const DEFAULT_GATHER_TURN_MS = 10_000;

const APOLOGY: Readonly<Record<string, string>> = {
  en: "I'm sorry, I'm having trouble right now. Let me take a message so the team can call you back.",
  es: 'Lo siento, tengo un problema en este momento. Déjeme tomar un mensaje para que el equipo le devuelva la llamada.',
};

/** What every request of the call's turns starts with: the agent's prompt, the call's context, the tools. */
const turnPrompt = (
  session: SessionParts,
): Pick<LlmRequest, 'system' | 'tools'> & {
  readonly context: string;
  readonly instructions: Instructions;
} => {
  const { deps, setup, conversation, now } = session;
  const tenantId = setup.tenant.tenantId;
  const bookable = booksByService(deps, tenantId);
  const contact = deps.directory.contactByPhone(tenantId, setup.customer);
  const prompt: PromptInput = {
    tenant: setup.tenant,
    department: setup.department,
    agent: setup.agent,
    scripts: scriptsFor(setup.agent, deps.directory.scripts(setup.tenant.tenantId)),
    afterHours: setup.afterHours,
    // The call's start, not the turn's time: the context stays the same from turn to turn (a prompt cache).
    now: (conversation.startedAt ??= now()),
    coaching: conversation.coaching,
    ...(setup.variables && { variables: setup.variables }),
    booksByService: bookable,
    ...(contact && { caller: { name: contact.name } }),
  };
  const system = buildSystemPrompt(prompt);
  const context = buildCallContext(prompt);
  // find_free_slots only where there are services to book: elsewhere the agent books as it always did.
  const tools = bookable ? [...TOOL_SPECS, FIND_FREE_SLOTS_SPEC] : TOOL_SPECS;
  const told = [system, context, ...tools.map((t) => t.description)].join('\n');
  return { system, context, tools, instructions: indexInstructions(told, sayableIn(prompt)) };
};

/**
 * While the caller hears the greeting, the model's server reads the prompt the first turn will send (system,
 * tools, the call's context, the greeting), so that the caller's first line costs only its own words: on a CPU
 * an unseen prompt of ~1,300 tokens takes seconds. A model without a prompt cache (the offline engine) has no
 * warm-up; a failed one is only logged.
 */
export const warmUp = (session: SessionParts): void => {
  const { deps, conversation, setup, now } = session;
  if (deps.model.warm === undefined) return;
  const { system, context, tools } = turnPrompt(session);
  void deps.model
    .warm({
      system,
      context,
      tools,
      messages: [...conversation.messages],
      language: conversation.language,
      languages: conversation.languages,
      now: now(),
      timeZone: setup.tenant.settings.timeZone,
    })
    .catch((error: unknown) => deps.log(`call ${session.callId}: warm-up: ${String(error)}`));
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
  // One deadline for all the turn's requests: each waiting its own budget ran a webhook past Twilio's limit.
  // A media stream's turn without its setting keeps each request's own budget (the adapter's LLM_TIMEOUT_MS).
  const turnMs = onLine ? deps.turnTimeoutMs : (deps.gatherTurnMs ?? DEFAULT_GATHER_TURN_MS);
  const deadline = turnMs === undefined ? undefined : Date.now() + turnMs;
  // Once a round fell back, the rest of the turn does too: the primary would only make the caller wait again.
  let preferFallback = false;
  // A reply with nothing that could be said is asked again of the fallback, once.
  let refused = false;
  let system = '';
  let context = '';
  let instructions: Instructions | undefined;
  const speech = new TurnSpeech({
    language: conversation.language,
    ...(onLine && { onLine }),
    record: () =>
      turnRecord(`${system}\n${context}`, conversation.messages, conversation.succeededTools, {
        timeZone: setup.tenant.settings.timeZone,
        now: now(),
        ...(instructions && { instructions }),
      }),
    fillerMs: deps.fillerMs ?? 0,
  });
  let next: NextStep = already ?? { kind: 'listen' };
  let promptTokens = 0;
  let completionTokens = 0;
  let model = deps.model.name;
  /** What the turn has said so far, as its reply: recorded when the turn ends, or when the call ends first. */
  const reply = (): AiReply | undefined => {
    const text = speech.lines.join(' ');
    return text === ''
      ? undefined
      : {
          utteranceId: `${callId}-a${conversation.replyCount + 1}`,
          text,
          language: conversation.language,
          model: model.slice(0, 200),
          promptTokens,
          completionTokens,
          latencyMs: Math.round(performance.now() - started),
        };
  };
  conversation.turnInFlight = reply;
  if (silence) conversation.messages.push({ role: 'user', content: GATEWAY_NOTES.silence });
  try {
    const prompt = turnPrompt(session);
    ({ system, context, instructions } = prompt);
    const { tools } = prompt;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      speech.beginRound(round === MAX_ROUNDS - 1);
      const request: LlmRequest = {
        system,
        context,
        // A copy: the history grows while a provider may still hold the request.
        messages: [...conversation.messages],
        tools,
        language: conversation.language,
        languages: conversation.languages,
        now: now(),
        timeZone: setup.tenant.settings.timeZone,
        ...(speech.streaming && { onSentence: speech.streamed }),
        ...(deadline !== undefined && { deadline }),
        ...(preferFallback && { preferFallback }),
      };
      const response: LlmResponse = await deps.model.respond(request).finally(() => speech.stopFiller());
      preferFallback ||= response.fallback === true;
      model = response.model;
      promptTokens += response.usage.promptTokens;
      completionTokens += response.usage.completionTokens;
      if (response.confidence !== undefined && round === 0 && conversation.lineCount > 0 && !silence) {
        conversation.lowConfidenceStreak =
          response.confidence < setup.agent.settings.escalationRules.belowConfidence
            ? conversation.lowConfidenceStreak + 1
            : 0;
      }
      // Said before the tools run: on a media stream the caller hears it while they work.
      const kept = speech.endResponse(response);
      // The owed lookup first: it changes nothing, and a booking the gate holds back would stop it. A reply
      // dropped (not the one streamed) makes no calls: the turn keeps what was said and listens.
      const own = kept ? response.toolCalls : [];
      const calls = [...owedLookup(session, speech, own), ...own];
      if (!refused && kept && calls.length === 0 && speech.roundText() === '' && response.fallback !== true) {
        refused = true;
        // Every sentence was refused (instructions read back, the greeting again, markup): a failed turn, as
        // an empty reply is; the fallback answers it, and the history never holds the empty reply.
        deps.log(`call ${callId}: ${model}: nothing in the reply could be said; the fallback answers`);
        preferFallback = true;
        continue;
      }
      const said = {
        role: 'assistant',
        content: speech.roundText(),
        ...(calls.length > 0 && { toolCalls: calls }),
      } as const;
      const at = conversation.messages.push(said) - 1;
      const question = await runCalls(session, calls, (step) => {
        if (step?.kind === 'queue' || (step?.kind === 'hang_up' && next.kind === 'listen')) next = step;
      });
      // A kept promise is the model's own words with its calls: as a message after their results it would read
      // as the model's answer to them, and the model (the offline engine at least) would have nothing to add.
      if (speech.afterCalls(question !== undefined) !== '') {
        conversation.messages[at] = { ...said, content: speech.roundText() };
      }
      if (question !== undefined) {
        // The gateway reads the slot back itself, so the caller always hears the exact time before saying yes.
        speech.say(question);
        conversation.messages.push({ role: 'assistant', content: question.trim() });
        break;
      }
      if (calls.length === 0) break;
    }
  } catch (error) {
    // Even the offline fallback failed: the caller still hears something and the team gets the call.
    speech.say(APOLOGY[primary(conversation.language)] ?? APOLOGY['en'] ?? '');
    // Earlier rounds' lines are in the history already: only this round's, and the apology.
    conversation.messages.push({ role: 'assistant', content: speech.roundText() });
    deps.log(`call ${callId}: no reply from ${deps.model.name}: ${String(error)}`);
  } finally {
    speech.stopFiller();
  }
  if (conversation.turnInFlight === reply) conversation.turnInFlight = undefined;
  const { lines } = speech;
  const recorded = reply();
  if (recorded !== undefined) {
    conversation.replyCount += 1;
    conversation.transcript.push({ speaker: 'ai', text: recorded.text });
    // Recorded already when the call ended while the turn ran (the same id: the decider keeps the first).
    await send('RecordAiReply', { ...recorded });
  }
  return { lines, language: conversation.language, voice: conversation.voice, next };
};

/**
 * Runs a reply's tool calls in order, telling where each leads. A call the gate held back stops the rest (each
 * recorded as not run): the caller's answer comes first. Returns the gate's question, if one was asked.
 */
const runCalls = async (
  session: SessionParts,
  calls: readonly ToolCallRequest[],
  onStep: (step: NextStep | undefined) => void,
): Promise<string | undefined> => {
  let question: string | undefined;
  for (const call of calls) {
    if (question !== undefined) {
      await skipToolCall(session, call.id, call.name, call.arguments);
      continue;
    }
    const run = await runToolCall(session, call.id, call.name, call.arguments);
    onStep(run.next);
    question = run.confirm;
  }
  return question;
};

/**
 * The knowledge lookup the gateway owes when the model stated a fact nothing supports: the caller's latest line
 * (or, before they said anything, the sentence itself) searched as if the model had called the tool with its
 * reply, so the model answers again from the result. None when the model searched in the same reply.
 */
const owedLookup = (
  session: SessionParts,
  speech: TurnSpeech,
  calls: readonly ToolCallRequest[],
): ToolCallRequest[] => {
  const sentence = speech.owedLookup;
  speech.owedLookup = undefined;
  if (sentence === undefined || calls.some((call) => call.name === KNOWLEDGE_TOOL)) return [];
  const { conversation, callId } = session;
  const query = (latestCallerLine(conversation.messages) ?? sentence).slice(0, 500);
  return [{ id: `${callId}-look${conversation.toolCount + 1}`, name: KNOWLEDGE_TOOL, arguments: { query } }];
};
