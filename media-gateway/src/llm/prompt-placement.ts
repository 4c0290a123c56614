import type { ChatMessage, LlmRequest } from './port.js';
import { contextNote } from './system-prompt.js';

/**
 * Where a request's parts go for a chat-completions server, so that its prompt cache (llama.cpp's, vLLM's,
 * OpenAI's) reuses as much as it can. Chat templates such as Qwen's and Hermes-style ones write the tool list
 * after the system message: anything that varies in the system message makes the server process the tool
 * schemas (~1,300 tokens) and the whole history again. So the system message is the agent's prompt alone, and
 * what varies by call (the call context, the reply language) goes into the conversation's first user message,
 * which never changes within a call: each turn's request then starts with all of the previous one's messages.
 */

/** Said in place of a caller's line when the model is asked before the caller spoke (the greeting). */
export const CALL_ANSWERED = '(The call has just been answered.)';

/**
 * The system message and the conversation as a chat-completions server gets them. The note goes at the front
 * of a first user message, bracketed: a history that starts otherwise (the greeting, asked for before anyone
 * spoke) gets a user message of its own first. Roles keep alternating: some templates refuse two user messages
 * in a row or a second system message.
 */
export const placeForChat = (
  request: Pick<LlmRequest, 'system' | 'context' | 'language' | 'messages'>,
): { readonly system: string; readonly messages: readonly ChatMessage[] } => {
  const note = `(Call context: ${contextNote(request)})`;
  const [first, ...rest] = request.messages;
  const messages: ChatMessage[] =
    first?.role === 'user'
      ? [{ role: 'user', content: `${note}\n\n${first.content}` }, ...rest]
      : [{ role: 'user', content: `${note}\n\n${CALL_ANSWERED}` }, ...request.messages];
  return { system: request.system.trimEnd(), messages };
};
