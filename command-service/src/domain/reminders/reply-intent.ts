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

/**
 * What a reply to a confirmation or reminder asks for: the whole reply must be one keyword (case, accents,
 * punctuation and spacing aside), since "yes, but can we make it later?" is not a confirmation.
 */
export const replyIntentOf = (text: string): ReplyIntent => {
  const normalized = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return intentOfKeyword.get(normalized) ?? 'unknown';
};
