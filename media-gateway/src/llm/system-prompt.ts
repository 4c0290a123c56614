import type { LlmRequest } from './port.js';

const names = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });

/** "es" → "Spanish", "pt-BR" → "Brazilian Portuguese"; a tag Intl cannot name is given as it is. */
export const languageName = (tag: string): string => {
  try {
    return names.of(tag) ?? tag;
  } catch {
    // Intl throws on malformed tags; the model still understands a raw code better than nothing.
    return tag;
  }
};

/** The call context and the reply language, the language last because the last instruction weighs most. */
export const contextNote = (request: Pick<LlmRequest, 'context' | 'language'>): string =>
  [request.context?.trim() ?? '', `Reply in ${languageName(request.language)}.`]
    .filter((line) => line !== '')
    .join('\n');

/**
 * The whole system prompt, for providers that take it apart from the conversation (Anthropic): the gateway's,
 * then the call context, then the reply language. What varies comes last, after what every call shares; the
 * language goes last of all because it changes within a call (the caller switches) and the last instruction
 * weighs most. Chat-completions servers get the context elsewhere (prompt-placement.ts).
 */
export const systemPromptFor = (request: Pick<LlmRequest, 'system' | 'context' | 'language'>): string =>
  `${request.system.trimEnd()}\n\n${contextNote(request)}`;
