import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { LlmUnavailableError, type LlmResponse, type ToolCallRequest } from './port.js';
import { markupStart } from './reply-check.js';
import { completeSentences, splitSentences } from './sentences.js';
import { parseToolArguments } from './tool-arguments.js';

/**
 * A streamed chat completion (chat.completion.chunk events) put back together: content and tool-call deltas
 * accumulated, and each complete sentence of speech handed on as soon as it is written.
 */

/** What we read of a chunk; validated because local servers vary and any server can send garbage. */
const Chunk = z.object({
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        index: z.number().int().nonnegative().optional(),
        finish_reason: z.string().nullish(),
        delta: z
          .object({
            content: z.string().nullish(),
            tool_calls: z
              .array(
                z.object({
                  // Older Ollama sends each call whole, without an index.
                  index: z.number().int().nonnegative().optional(),
                  id: z.string().nullish(),
                  function: z
                    .object({ name: z.string().nullish(), arguments: z.string().nullish() })
                    .nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
      }),
    )
    .nullish(),
  usage: z
    .object({
      prompt_tokens: z.number().int().nonnegative(),
      completion_tokens: z.number().int().nonnegative(),
    })
    .nullish(),
});

/**
 * Gives the complete sentences of streamed content to onSentence, in order and once each. Once the content
 * turns to markup (a JSON object, a <tool_call> tag, a fence), nothing after it is speech: the feed stops there.
 * One feed per attempt: a retry starts a new one (a retry only happens while nothing was said).
 */
export class SentenceFeed {
  readonly #sentences: string[] = [];
  #stopped = false;
  #callbackFailure: { readonly error: unknown } | undefined;
  constructor(
    private readonly onSentence: ((sentence: string) => void) | undefined,
    /** The request's tools: a call of one written as code is markup too. */
    private readonly toolNames: readonly string[] = [],
  ) {}

  /** How many sentences went to onSentence. */
  get given(): number {
    return this.#sentences.length;
  }

  /** The sentences that went to onSentence, in order. */
  get sentences(): readonly string[] {
    return this.#sentences;
  }

  /**
   * What onSentence itself threw, if it did: the gateway's bug, to be rethrown as it is, never taken for the
   * provider's failure (which would fall back and count an outage).
   */
  get callbackFailure(): { readonly error: unknown } | undefined {
    return this.#callbackFailure;
  }

  /**
   * The whole content, once the stream ended. Its last sentence is complete too when the answer is complete and
   * speech; an answer cut off (by length, or ended without a finish reason) keeps its unfinished words unsaid.
   */
  finish(content: string, complete: boolean): void {
    this.update(content);
    if (!complete || this.onSentence === undefined || this.#stopped) return;
    this.#give(splitSentences(content));
  }

  /** The content written so far. */
  update(content: string): void {
    if (this.onSentence === undefined || this.#stopped) return;
    const markup = markupStart(content, this.toolNames);
    if (markup !== undefined) this.#stopped = true;
    this.#give(completeSentences(markup === undefined ? content : content.slice(0, markup)).sentences);
  }

  #give(sentences: readonly string[]): void {
    for (const sentence of sentences.slice(this.#sentences.length)) {
      this.#sentences.push(sentence);
      try {
        this.onSentence?.(sentence);
      } catch (error) {
        this.#callbackFailure = { error };
        throw error;
      }
    }
  }
}

interface PartialCall {
  id: string;
  name: string;
  arguments: string;
}

/** What the stream's reader is told as the answer arrives. */
export interface StreamHooks {
  /** The first text or tool-call delta arrived. */
  readonly firstToken: () => void;
  readonly feed: SentenceFeed;
  /** The turn's signal: the SDK ends a stream it was told to abort without an error. */
  readonly signal: AbortSignal;
}

/** The port's response from a chat.completion.chunk stream; throws LlmUnavailableError on anything malformed. */
export const fromChunkStream = async (
  provider: string,
  chunks: AsyncIterable<unknown>,
  requestedModel: string,
  hooks: StreamHooks,
): Promise<LlmResponse> => {
  let content = '';
  let model = '';
  let usage = { promptTokens: 0, completionTokens: 0 };
  const calls: PartialCall[] = [];
  let finishReason: string | undefined;
  for await (const raw of chunks) {
    const parsed = Chunk.safeParse(raw);
    if (!parsed.success) {
      throw new LlmUnavailableError(
        provider,
        `malformed chat completion chunk: ${z.prettifyError(parsed.error)}`,
      );
    }
    const chunk = parsed.data;
    model ||= chunk.model ?? '';
    if (chunk.usage) {
      usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
    }
    // n is 1: only the first choice is ours.
    const choice = chunk.choices?.find((candidate) => (candidate.index ?? 0) === 0);
    finishReason = choice?.finish_reason ?? finishReason;
    const delta = choice?.delta;
    if (!delta) continue;
    for (const part of delta.tool_calls ?? []) {
      hooks.firstToken();
      // Without an index, a named part is the next call and an unnamed one continues the last.
      const index = part.index ?? (part.function?.name ? calls.length : Math.max(calls.length - 1, 0));
      const call = (calls[index] ??= { id: '', name: '', arguments: '' });
      if (part.id) call.id = part.id;
      // As the SDK's own accumulator: a name is sent whole, arguments arrive in pieces.
      if (part.function?.name) call.name = part.function.name;
      call.arguments += part.function?.arguments ?? '';
    }
    if (delta.content) {
      hooks.firstToken();
      content += delta.content;
      hooks.feed.update(content);
    }
  }
  // An aborted turn must not pass for a whole answer, nor its cut-off last words for a sentence.
  if (hooks.signal.aborted) throw hooks.signal.reason;
  // Cut by length, or ended without saying how (no finish reason, often no [DONE] either): the unfinished last
  // words are no sentence, so only the complete ones count as the reply.
  const complete = finishReason !== undefined && finishReason !== 'length';
  hooks.feed.finish(content, complete);
  const text = complete
    ? content
    : content.slice(0, content.length - completeSentences(content).rest.length).trimEnd();
  return {
    text,
    toolCalls: calls.filter((call) => call !== undefined).map((call) => toolCallOf(provider, call)),
    model: model || requestedModel,
    usage,
  };
};

export const toolCallOf = (provider: string, call: PartialCall): ToolCallRequest => {
  if (call.name === '') throw new LlmUnavailableError(provider, 'a streamed tool call without a name');
  const args = parseToolArguments(call.arguments);
  if (args === undefined) {
    throw new LlmUnavailableError(
      provider,
      `malformed arguments for tool ${call.name}: not a JSON object: ${call.arguments.slice(0, 200)}`,
    );
  }
  // Some local servers send no id; the tool result only has to carry back the same one.
  return { id: call.id || `call_${randomUUID()}`, name: call.name, arguments: args };
};
