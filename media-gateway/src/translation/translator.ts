import { primary } from '../dialogue/knowledge-terms.js';
import type { LanguageModel } from '../llm/port.js';

/**
 * The translation port: an answer written in one language said in another (a Spanish caller, an article only in
 * English). One adapter today, the configured LLM; DeepL or Google Translate would sit beside it. Undefined when
 * it cannot: the caller then hears the original, introduced in their language.
 */
export interface Translator {
  translate(text: string, to: string): Promise<string | undefined>;
}

const NAMES: Readonly<Record<string, string>> = {
  en: 'English',
  es: 'Spanish',
  fr: 'French',
  de: 'German',
  pt: 'Portuguese',
  it: 'Italian',
  nl: 'Dutch',
  pl: 'Polish',
};

/** Digit groups ("$60", "24", "9:30", "1,450") a faithful translation keeps as they are. */
const numbersOf = (text: string): string[] =>
  (text.match(/\d+(?:[.,:]\d+)*/g) ?? []).map((n) => n.replace(/,/g, ''));

/** A translation longer than this many times the original is a model talking, not translating. */
const MAX_GROWTH = 3;
const TIMEOUT_MS = 8_000;

/**
 * Translation by the configured model: asked to translate only, then checked before anyone hears it (every number
 * of the original present, not empty, not a speech). A fact must not change on its way to the caller.
 */
export const modelTranslator = (
  model: LanguageModel,
  options: { readonly timeoutMs?: number; readonly log?: (line: string) => void } = {},
): Translator => ({
  async translate(text, to) {
    const language = NAMES[primary(to)];
    if (language === undefined || text.trim() === '') return undefined;
    try {
      const response = await model.respond({
        system:
          `You translate a business's answers for its callers. Translate the user's text into ${language}. ` +
          'Keep every number, price, time, name and negation exactly. Reply with the translation only.',
        messages: [{ role: 'user', content: text }],
        tools: [],
        language: to,
        languages: [to],
        now: new Date(),
        timeZone: 'UTC',
        deadline: Date.now() + (options.timeoutMs ?? TIMEOUT_MS),
      });
      const translated = response.text.trim().replace(/^"(.*)"$/s, '$1');
      const kept = numbersOf(translated);
      const faithful =
        response.fallback !== true &&
        response.toolCalls.length === 0 &&
        translated !== '' &&
        translated.length <= MAX_GROWTH * text.length + 40 &&
        numbersOf(text).every((n) => kept.includes(n));
      if (!faithful)
        options.log?.(`translation to ${to} refused: ${JSON.stringify(translated.slice(0, 120))}`);
      return faithful ? translated : undefined;
    } catch (error) {
      options.log?.(`translation to ${to} failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  },
});
