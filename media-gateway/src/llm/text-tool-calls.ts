import { randomUUID } from 'node:crypto';
import type { ToolCallRequest } from './port.js';
import { isPlainObject, parseToolArguments } from './tool-arguments.js';

/**
 * Tool calls a model wrote as text instead of the API's tool_calls: small local models do, each in its own way.
 * Qwen and Hermes wrap JSON in <tool_call> tags, Llama 3.x writes a bare {"name", "parameters"} object, others a
 * fenced ```json block or an array of calls. Only calls of the request's tools are taken; anything else stays
 * text (and is then refused as markup, never read to a caller).
 */

interface Span {
  readonly start: number;
  readonly end: number;
  readonly calls: readonly ToolCallRequest[];
}

/** One written call, in the shapes models use: {name, arguments|parameters}, or {function: {name, arguments}}. */
const asCall = (value: unknown, names: ReadonlySet<string>): ToolCallRequest | undefined => {
  if (!isPlainObject(value)) return undefined;
  const inner = isPlainObject(value['function']) ? value['function'] : value;
  const name = inner['name'];
  if (typeof name !== 'string' || !names.has(name)) return undefined;
  const raw = inner['arguments'] ?? inner['parameters'] ?? {};
  const args = typeof raw === 'string' ? parseToolArguments(raw) : isPlainObject(raw) ? raw : undefined;
  if (args === undefined) return undefined;
  const id = typeof value['id'] === 'string' && value['id'] !== '' ? value['id'] : `call_${randomUUID()}`;
  return { id, name, arguments: args };
};

const parsedJson = (json: string): { value: unknown } | undefined => {
  try {
    return { value: JSON.parse(json) as unknown };
  } catch {
    return undefined;
  }
};

/** The calls a JSON value holds (one object or an array of them), or undefined unless every one is a call. */
const callsOf = (value: unknown, names: ReadonlySet<string>): ToolCallRequest[] | undefined => {
  const items = Array.isArray(value) ? value : [value];
  const calls = items.map((item) => asCall(item, names));
  if (calls.length === 0 || calls.some((call) => call === undefined)) return undefined;
  return calls as ToolCallRequest[];
};

/** The end (exclusive) of the JSON object or array opening at `start`, strings and escapes respected. */
const balancedEnd = (text: string, start: number): number | undefined => {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
};

/**
 * The calls in a tag's or fence's body: a sequence of JSON values (the 1.5B writes several calls in one fence),
 * tool-call tags inside a fence ignored; undefined unless the whole body is calls.
 */
const callsIn = (body: string, names: ReadonlySet<string>): ToolCallRequest[] | undefined => {
  const json = body.replace(/<\/?tool_call>/g, ' ');
  const calls: ToolCallRequest[] = [];
  let i = 0;
  for (;;) {
    while (i < json.length && /[\s,]/.test(json[i] ?? '')) i += 1;
    if (i >= json.length) return calls.length > 0 ? calls : undefined;
    const end = json[i] === '{' || json[i] === '[' ? balancedEnd(json, i) : undefined;
    const parsed = end === undefined ? undefined : parsedJson(json.slice(i, end));
    const found = parsed && callsOf(parsed.value, names);
    if (end === undefined || found === undefined) return undefined;
    calls.push(...found);
    i = end;
  }
};

/**
 * Tagged (<tool_call>…</tool_call>) and fenced (```json, ```JSON, ```json5, a bare ```) calls; the closing tag
 * or fence may be cut off.
 */
const WRAPPED = [/<tool_call>([\s\S]*?)(?:<\/tool_call>|$)/g, /```[\w-]*[ \t]*\n?([\s\S]*?)(?:```|$)/gi];

const wrappedSpans = (text: string, names: ReadonlySet<string>): Span[] =>
  WRAPPED.flatMap((pattern) =>
    [...text.matchAll(pattern)].flatMap((match): Span[] => {
      const calls = callsIn(match[1] ?? '', names);
      return calls ? [{ start: match.index, end: match.index + match[0].length, calls }] : [];
    }),
  );

/** Bare JSON objects or arrays anywhere in the text, outside the spans already taken. */
const bareSpans = (text: string, names: ReadonlySet<string>, taken: readonly Span[]): Span[] => {
  const spans: Span[] = [];
  let i = 0;
  while (i < text.length) {
    const inside = taken.find((span) => i >= span.start && i < span.end);
    if (inside) {
      i = inside.end;
      continue;
    }
    const char = text[i];
    const end = char === '{' || char === '[' ? balancedEnd(text, i) : undefined;
    const parsed = end === undefined ? undefined : parsedJson(text.slice(i, end));
    if (end === undefined || parsed === undefined) {
      i += 1;
      continue;
    }
    // JSON that is not (only) calls is left whole: a call inside it is not one the model made.
    const calls = callsOf(parsed.value, names);
    if (calls) spans.push({ start: i, end, calls });
    i = end;
  }
  return spans;
};

/**
 * Tool calls written as text, only for the request's tool names; and the text before and between them. What
 * follows the last call is dropped: it is the model going on as if the tool had run ("It is sunny in Paris"),
 * a result it made up.
 */
export const textToolCalls = (
  text: string,
  toolNames: readonly string[],
): { calls: ToolCallRequest[]; text: string } => {
  const names = new Set(toolNames);
  const wrapped = wrappedSpans(text, names);
  const spans = [...wrapped, ...bareSpans(text, names, wrapped)].sort((a, b) => a.start - b.start);
  if (spans.length === 0) return { calls: [], text };
  const pieces: string[] = [];
  const calls: ToolCallRequest[] = [];
  let from = 0;
  for (const span of spans) {
    // A fence inside a tag (or the reverse) is one call, taken once.
    if (span.start < from) continue;
    pieces.push(text.slice(from, span.start));
    calls.push(...span.calls);
    from = span.end;
  }
  return {
    calls,
    text: pieces
      .map((piece) => piece.trim())
      .filter((piece) => piece !== '')
      .join(' '),
  };
};
