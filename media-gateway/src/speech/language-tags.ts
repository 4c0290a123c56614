/** Language names Whisper reports in verbose_json ("english") to BCP 47 primary tags. */
const WHISPER_NAMES: Readonly<Record<string, string>> = {
  english: 'en',
  spanish: 'es',
  french: 'fr',
  german: 'de',
  portuguese: 'pt',
  italian: 'it',
  dutch: 'nl',
  polish: 'pl',
  russian: 'ru',
  turkish: 'tr',
  ukrainian: 'uk',
  catalan: 'ca',
  swedish: 'sv',
  danish: 'da',
  norwegian: 'no',
  finnish: 'fi',
  greek: 'el',
  czech: 'cs',
  romanian: 'ro',
  hungarian: 'hu',
  arabic: 'ar',
  hebrew: 'he',
  hindi: 'hi',
  chinese: 'zh',
  japanese: 'ja',
  korean: 'ko',
  vietnamese: 'vi',
  indonesian: 'id',
  thai: 'th',
};

/** A Whisper language (a name, or already a code) as BCP 47; undefined when unknown. */
export const whisperLanguageToBcp47 = (language: string): string | undefined => {
  const lower = language.trim().toLowerCase();
  if (WHISPER_NAMES[lower] !== undefined) return WHISPER_NAMES[lower];
  return /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/.test(lower) ? lower : undefined;
};

export const primarySubtag = (tag: string): string => (tag.split('-')[0] ?? tag).toLowerCase();

/**
 * A detected language in the form the tenant configured it: Google answers "es-mx" and Whisper "es" where the
 * tenant may have written "es" or "es-MX". An exact match wins, then the same primary language; a language
 * the tenant does not take calls in is returned as detected.
 */
export const asConfiguredLanguage = (detected: string, configured: readonly string[]): string => {
  const exact = configured.find((tag) => tag.toLowerCase() === detected.toLowerCase());
  if (exact !== undefined) return exact;
  return configured.find((tag) => primarySubtag(tag) === primarySubtag(detected)) ?? detected;
};
