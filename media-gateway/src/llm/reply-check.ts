import { LlmUnavailableError, type LlmResponse, type ToolSpec } from './port.js';
import { textToolCalls } from './text-tool-calls.js';

/**
 * What a model says is read aloud to a caller, so a reply is checked before it counts: tool calls written as
 * text are taken as calls, and a reply that says nothing or would read markup aloud is a failed turn (the gateway
 * falls back) rather than silence or "curly brace name escalate to human" on the line.
 */

/** Where markup starts: JSON, a tool-call or function tag, a model's special token, a code fence. */
const MARKUP = [
  /^\s*[[{]/,
  /\{\s*"/,
  /\[\s*\{/,
  /<\/?[a-z_]*(?:tool|function)[a-z_]*[\s>=]/i,
  /<\|[a-z_]+\|>/i,
  /\[TOOL_CALLS\]/,
  /```/,
];

/** The index where markup starts in the text, or undefined when there is none. */
export const markupStart = (text: string): number | undefined => {
  const starts = MARKUP.flatMap((pattern) => {
    const index = pattern.exec(text)?.index;
    return index === undefined ? [] : [index];
  });
  return starts.length === 0 ? undefined : Math.min(...starts);
};

/** Markup a caller must never hear: JSON, a tool-call tag, a code fence. */
export const isMarkup = (text: string): boolean => markupStart(text) !== undefined;

/** Text-form tool calls become calls; an empty reply without tool calls, or markup as speech, is a failed turn. */
export const checkedReply = (
  provider: string,
  response: LlmResponse,
  tools: readonly ToolSpec[],
): LlmResponse => {
  const written = textToolCalls(
    response.text,
    tools.map((tool) => tool.name),
  );
  const checked =
    written.calls.length === 0
      ? response
      : { ...response, text: written.text, toolCalls: [...response.toolCalls, ...written.calls] };
  if (checked.text.trim() === '' && checked.toolCalls.length === 0) {
    throw new LlmUnavailableError(provider, 'the reply is empty: nothing to say and no tool to call', {
      reason: 'empty-reply',
    });
  }
  if (isMarkup(checked.text)) {
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
