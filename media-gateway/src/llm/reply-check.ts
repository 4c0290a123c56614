import { GATEWAY_NOTES, LlmUnavailableError, type LlmResponse, type ToolSpec } from './port.js';
import { CALL_ANSWERED } from './prompt-placement.js';
import { textToolCalls } from './text-tool-calls.js';

/**
 * What a model says is read aloud to a caller, so a reply is checked before it counts: tool calls written as
 * text are taken as calls, and a reply that says nothing or would read markup aloud is a failed turn (the gateway
 * falls back) rather than silence or "curly brace name escalate to human" on the line.
 */

const escaped = (name: string): string => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where markup starts: JSON (or JSON-ish, single-quoted), a tool-call or function tag, a model's special token, a code fence. */
const MARKUP = [
  /^\s*[[{]/,
  /\{\s*["']/,
  /\[\s*\{/,
  /<\/?[a-z_]*(?:tool|function)[a-z_]*[\s>=]/i,
  /<\|[a-z_]+\|>/i,
  /\[TOOL_CALLS\]/,
  /```/,
  // The gateway's own notes read back: a small model repeats "(Call context: …)" or "The call has just been
  // answered." as if they were its reply.
  /\(?\s*call context\s*:/i,
  ...[CALL_ANSWERED, ...Object.values(GATEWAY_NOTES)].map(
    (note) => new RegExp(escaped(note.replace(/^\(|\)$/g, '')), 'i'),
  ),
];

/** A call written as code, `get_weather(city="Paris")`: only a tool's own name tells it from speech. */
const callPattern = (toolNames: readonly string[]): RegExp | undefined =>
  toolNames.length === 0 ? undefined : new RegExp(`\\b(?:${toolNames.map(escaped).join('|')})\\s*\\(`);

/** The index where markup starts in the text, or undefined when there is none; toolNames: the request's tools. */
export const markupStart = (text: string, toolNames: readonly string[] = []): number | undefined => {
  const call = callPattern(toolNames);
  const starts = [...MARKUP, ...(call === undefined ? [] : [call])].flatMap((pattern) => {
    const index = pattern.exec(text)?.index;
    return index === undefined ? [] : [index];
  });
  return starts.length === 0 ? undefined : Math.min(...starts);
};

/** Markup a caller must never hear: JSON, a tool-call tag, a code fence, a call of one of toolNames as code. */
export const isMarkup = (text: string, toolNames: readonly string[] = []): boolean =>
  markupStart(text, toolNames) !== undefined;

/** Text-form tool calls become calls; an empty reply without tool calls, or markup as speech, is a failed turn. */
export const checkedReply = (
  provider: string,
  response: LlmResponse,
  tools: readonly ToolSpec[],
): LlmResponse => {
  const names = tools.map((tool) => tool.name);
  const written = textToolCalls(response.text, names);
  const checked =
    written.calls.length === 0
      ? response
      : { ...response, text: written.text, toolCalls: [...response.toolCalls, ...written.calls] };
  if (checked.text.trim() === '' && checked.toolCalls.length === 0) {
    throw new LlmUnavailableError(provider, 'the reply is empty: nothing to say and no tool to call', {
      reason: 'empty-reply',
    });
  }
  if (isMarkup(checked.text, names)) {
    throw new LlmUnavailableError(
      provider,
      `the reply is markup, not speech: ${checked.text.slice(0, 120)}`,
      {
        reason: 'not-speech',
      },
    );
  }
  return checked;
};
