import type { RecordingConsent } from '@ccp/schemas';

/**
 * Recording consent on a call, as the tenant's policy asks (schemas/recording-consent.ts): what the caller hears
 * before anything is recorded, and whether a key pressed or words said are the caller's consent or refusal.
 * Pure: the gateway records the outcome and starts or stops the carrier's recording.
 */

/** Spoken before anything is recorded; the `{optOut}` and `{optIn}` keys are filled in. */
const DEFAULT_ANNOUNCEMENTS: Readonly<Record<'announce' | 'opt_in', Readonly<Record<string, string>>>> = {
  announce: {
    en: 'This call is recorded for quality and training. To opt out, press {optOut} or say: do not record.',
    es: 'Esta llamada se graba con fines de calidad y formación. Si no desea que se grabe, pulse {optOut} o diga: no grabar.',
  },
  opt_in: {
    en: 'With your permission we record this call for quality and training. To allow it, press {optIn} or say: you may record.',
    es: 'Con su permiso grabamos esta llamada con fines de calidad y formación. Para permitirlo, pulse {optIn} o diga: puede grabar.',
  },
};

const CONFIRMATIONS: Readonly<Record<'given' | 'refused', Readonly<Record<string, string>>>> = {
  refused: { en: 'Understood: this call is not recorded.', es: 'Entendido: esta llamada no se graba.' },
  given: {
    en: 'Thank you: this call is now recorded.',
    es: 'Gracias: esta llamada se graba a partir de ahora.',
  },
};

const baseOf = (language: string): string => language.split('-')[0] ?? language;

const inLanguage = (texts: Readonly<Record<string, string>>, language: string): string =>
  texts[language] ?? texts[baseOf(language)] ?? texts['en'] ?? '';

/** The announcement of the tenant's policy in the call's language; none when the tenant records nothing. */
export const announcementOf = (consent: RecordingConsent, language: string): string | undefined => {
  if (consent.policy === 'off') return undefined;
  const own = consent.announcements[language] ?? consent.announcements[baseOf(language)];
  return (own ?? inLanguage(DEFAULT_ANNOUNCEMENTS[consent.policy], language))
    .replaceAll('{optOut}', consent.optOutKey)
    .replaceAll('{optIn}', consent.optInKey);
};

export const confirmationOf = (outcome: 'given' | 'refused', language: string): string =>
  inLanguage(CONFIRMATIONS[outcome], language);

export interface ConsentAnswer {
  readonly outcome: 'given' | 'refused';
  readonly method: 'key' | 'phrase';
  readonly key?: string;
}

/** Lower case, one kind of apostrophe, no other punctuation: "Don’t record!" is "don't record". */
const normalised = (text: string): string =>
  ` ${text
    .toLowerCase()
    .normalize('NFC')
    .replace(/[‘’`´]/g, "'")
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()} `;

const says = (text: string, phrases: readonly string[]): boolean => {
  const heard = normalised(text);
  return phrases.some((phrase) => heard.includes(normalised(phrase)));
};

/**
 * Whether the caller's key or words answer the consent question: the opt-out key or a phrase is a refusal under
 * either policy; the opt-in key or a phrase is consent under opt_in only (under announce recording runs already).
 * A refusal wins over consent in the same words ("do not record, you may record nothing").
 */
export const consentAnswer = (
  consent: RecordingConsent,
  input: { readonly digits?: string; readonly text?: string },
): ConsentAnswer | undefined => {
  if (consent.policy === 'off') return undefined;
  const digit = input.digits?.trim().slice(0, 1);
  if (digit !== undefined && digit !== '') {
    if (digit === consent.optOutKey) return { outcome: 'refused', method: 'key', key: digit };
    if (consent.policy === 'opt_in' && digit === consent.optInKey)
      return { outcome: 'given', method: 'key', key: digit };
    return undefined;
  }
  const text = input.text ?? '';
  if (text.trim() === '') return undefined;
  if (says(text, consent.optOutPhrases)) return { outcome: 'refused', method: 'phrase' };
  if (consent.policy === 'opt_in' && says(text, consent.optInPhrases))
    return { outcome: 'given', method: 'phrase' };
  return undefined;
};
