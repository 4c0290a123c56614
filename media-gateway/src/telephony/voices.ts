/** The region each language is spoken with when a tenant gives only the language ("es" → "es-US"). */
const DEFAULT_REGION: Readonly<Record<string, string>> = {
  en: 'en-US',
  es: 'es-US',
  fr: 'fr-FR',
  de: 'de-DE',
  pt: 'pt-BR',
  it: 'it-IT',
  nl: 'nl-NL',
  ja: 'ja-JP',
};

/** A BCP 47 tag with its region, as Twilio's <Say> and <Gather> want it. */
export const withRegion = (language: string): string =>
  language.includes('-') ? language : (DEFAULT_REGION[language] ?? language);

/**
 * The agents' voices are Google's Chirp 3 HD voices, which Twilio's <Say> offers by name, e.g.
 * Google.en-US-Chirp3-HD-Aoede; the same voice then speaks every language of the call.
 */
export const twilioVoice = (voice: string, language: string): string =>
  `Google.${withRegion(language)}-Chirp3-HD-${voice}`;
