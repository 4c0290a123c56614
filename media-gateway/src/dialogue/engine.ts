import type { ChatMessage, LanguageModel, LlmRequest, LlmResponse, ToolCallRequest } from '../llm/port.js';
import { createActClassifier, type ActClassifier } from './acts.js';
import { render, say, voiceFor } from './phrases.js';
import { offerSay } from './offer-phrases.js';
import {
  INITIAL_STATE,
  step,
  type DialogueEvent,
  type DialogueState,
  type Output,
  type PolicyContext,
} from './policy.js';

export const OFFLINE_ENGINE_NAME = 'offline-dialogue';
export const OFFLINE_MODEL = 'offline-dialogue-1';

export interface OfflineDialogueOptions {
  /** Defaults to the classifier trained on acts-training.ts. */
  readonly classifier?: ActClassifier;
}

/**
 * Usage is counted as an English tokenizer roughly would: a token is about three quarters of a word, so
 * tokens = words / 0.75 (prompt: system, messages and tool definitions; completion: the reply and its tool
 * calls). Nothing is billed for it; it keeps per-call token figures comparable with the remote models'.
 */
const tokens = (text: string): number => Math.ceil(text.split(/\s+/).filter((w) => w !== '').length / 0.75);

const promptText = (request: LlmRequest): string =>
  [
    request.system,
    request.context ?? '',
    ...request.messages.map((m) =>
      m.role === 'assistant' && m.toolCalls ? `${m.content} ${JSON.stringify(m.toolCalls)}` : m.content,
    ),
    ...request.tools.map((t) => `${t.name} ${t.description} ${JSON.stringify(t.parameters)}`),
  ].join('\n');

const parseResult = (content: string): unknown => {
  try {
    return JSON.parse(content) as unknown;
  } catch {
    // A tool that answered in prose: the policy treats it as a result it cannot read.
    return { error: content };
  }
};

/** The history as the policy's events: caller lines, and tool results joined to the calls that asked for them. */
const eventsOf = (messages: readonly ChatMessage[]): DialogueEvent[] => {
  const calls = new Map<string, ToolCallRequest>();
  const events: DialogueEvent[] = [];
  for (const message of messages) {
    if (message.role === 'user') events.push({ kind: 'caller', text: message.content });
    else if (message.role === 'assistant')
      for (const call of message.toolCalls ?? []) calls.set(call.id, call);
    else {
      events.push({
        kind: 'tool',
        name: message.name,
        arguments: calls.get(message.toolCallId)?.arguments ?? {},
        result: parseResult(message.content),
      });
    }
  }
  return events;
};

/**
 * The LLM port's offline adapter: no network, no model weights. It answers like a tool-calling model, from the
 * request alone: the history is folded through the dialogue policy (policy.ts) and the last step's output is
 * the answer, rendered in request.language with the agent's tone.
 */
export const createOfflineDialogueEngine = (options: OfflineDialogueOptions = {}): LanguageModel => {
  const classifier = options.classifier ?? createActClassifier();
  return {
    name: OFFLINE_ENGINE_NAME,
    respond: async (request: LlmRequest): Promise<LlmResponse> => {
      request.signal?.throwIfAborted();
      const ctx: PolicyContext = {
        classifier,
        tools: new Set(request.tools.map((t) => t.name)),
        language: request.language,
        now: request.now,
        timeZone: request.timeZone,
      };
      // The call context's lines before the system prompt's: a greeting made for this call (a lead's, the night
      // line's) wins over the agent's own.
      const prompt = request.context !== undefined ? `${request.context}\n${request.system}` : request.system;
      const voice = voiceFor(prompt, request.language, request.timeZone);
      let output: Output | undefined;
      const events = eventsOf(request.messages);
      const known = voice.callerName;
      if (events.length === 0) {
        const greeting = voice.greeting !== undefined ? say.custom(voice.greeting) : undefined;
        output = {
          say:
            known === undefined
              ? [greeting ?? say.hello()]
              : greeting
                ? [offerSay.welcomeBack(known), greeting]
                : [offerSay.helloKnown(known)],
          tools: [],
        };
      } else {
        // A known caller (their number is a contact's) is not asked for their name.
        let state: DialogueState =
          known !== undefined ? { ...INITIAL_STATE, callerName: known } : INITIAL_STATE;
        for (const event of events) {
          const next = step(state, event, ctx);
          state = next.state;
          output = next.output;
        }
      }
      // The last message is the engine's own answer (a request sent twice): there is nothing new to say.
      if (request.messages[request.messages.length - 1]?.role === 'assistant')
        output = { say: [], tools: [] };
      const text = render(output?.say ?? [], voice);
      const toolCalls: ToolCallRequest[] = (output?.tools ?? []).map((t, i) => ({
        // Unique within the call: the history only grows, so its length at this request is never reused.
        id: `offline-${request.messages.length}-${i}`,
        name: t.name,
        arguments: t.arguments,
      }));
      return {
        text,
        toolCalls,
        model: OFFLINE_MODEL,
        usage: {
          promptTokens: tokens(promptText(request)),
          completionTokens: tokens(`${text} ${toolCalls.length > 0 ? JSON.stringify(toolCalls) : ''}`),
        },
        ...(output?.confidence !== undefined && { confidence: output.confidence }),
        ...(output?.unsure === true && { unsure: true }),
      };
    },
  };
};
