import type { ReplyIntent } from '@ccp/schemas';

/** Keywords a reply may be, in English and Spanish, without accents and in capitals. */
const KEYWORDS: Readonly<Record<Exclude<ReplyIntent, 'unknown'>, readonly string[]>> = {
  confirm: ['C', 'CONFIRM', 'CONFIRMED', 'YES', 'Y', 'OK', 'SI', 'CONFIRMO', 'CONFIRMAR', 'CONFIRMADO'],
  reschedule: ['R', 'RESCHEDULE', 'CHANGE', 'CAMBIAR', 'CAMBIO', 'REPROGRAMAR'],
  stop: [
    'STOP',
    'STOPALL',
    'UNSUBSCRIBE',
    'CANCEL SUBSCRIPTION',
    'END',
    'QUIT',
    'ALTO',
    'BAJA',
    'PARAR',
    'DETENER',
    'CANCELAR SUSCRIPCION',
  ],
  start: ['START', 'UNSTOP', 'SUBSCRIBE', 'ALTA', 'REANUDAR'],
};

const intentOfKeyword = new Map<string, ReplyIntent>(
  Object.entries(KEYWORDS).flatMap(([intent, words]) => words.map((w) => [w, intent as ReplyIntent])),
);

/** Keywords only Spanish speakers send: the language to answer in when nothing else says it. */
const SPANISH: ReadonlySet<string> = new Set([
  'SI',
  'CONFIRMO',
  'CONFIRMAR',
  'CONFIRMADO',
  'CAMBIAR',
  'CAMBIO',
  'REPROGRAMAR',
  'ALTO',
  'BAJA',
  'PARAR',
  'DETENER',
  'CANCELAR SUSCRIPCION',
  'ALTA',
  'REANUDAR',
]);

const normalize = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** "es" when the reply is a Spanish keyword, else undefined (a bare "C" or "STOP" says nothing). */
export const replyLanguageOf = (text: string): 'es' | undefined =>
  SPANISH.has(normalize(text)) ? 'es' : undefined;

/**
 * What a reply to a confirmation or reminder asks for: the whole reply must be one keyword (case, accents,
 * punctuation and spacing aside), since "yes, but can we make it later?" is not a confirmation.
 */
export const replyIntentOf = (text: string): ReplyIntent => intentOfKeyword.get(normalize(text)) ?? 'unknown';
