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

/**
 * The system prompt a remote model gets: the gateway's, then the reply language. The language goes last because
 * it changes within a call (the caller switches) while the rest stays, and the last instruction weighs most.
 */
export const systemPromptFor = (request: Pick<LlmRequest, 'system' | 'language'>): string =>
  `${request.system.trimEnd()}\n\nReply in ${languageName(request.language)}.`;
