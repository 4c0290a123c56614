import { extractWhen, type SlotContext, type WhenMention } from './slots.js';

/**
 * Reading a caller's line about a message: the message itself when the line says it ("tell Ingrid that the cake
 * came in"), or nothing when the line only asks to leave one ("may I leave word for Ingrid?"), whose next line
 * is the message. And the time of a call back, read only where the line asks to be called.
 */

/** "Tell Ingrid that …", "let the office know …", "tell them …": names are capitalised, so this is case-sensitive. */
const TELL =
  /\b(?:[Tt]ell|[Ll]et)\s+(?:(?:him|her|them|everyone|everybody)\s+|(?:the|your|my)\s+[\w'’-]+(?:\s+[\w'’-]+)?\s+(?=that\b|know\b)|(?:\p{Lu}[\p{L}.'’-]*\s+){1,3}(?=that\b|know\b)|(?:the|your|my)\s+[\w'’-]+\s+|\p{Lu}[\p{L}.'’-]*\s+(?:(?!I\b|I['’])\p{Lu}[\p{L}.'’-]*\s+)?)(?:know\s+)?(?:that\s+)?/u;

/** Other words after which the message itself follows: "a message saying …", "the message is …", "dígale que …". */
const SAYS =
  /\b(?:pass(?:\s+(?:it|this|that))?\s+(?:on|along)\s+(?:to\s+[^,.?!]{1,40}?\s+)?that\s+|(?:message|note)\b[^.?!]{0,60}?(?:\bthat\b|\bsaying\b|:)\s*|the message is[,:]?\s*|d[ií]g(?:ale|anle|ales)\s+(?:a\s+[^,.?!]{1,40}?\s+)?que\s+|av[ií]s(?:ele|enle|eles)\s+(?:a\s+[^,.?!]{1,40}?\s+)?que\s+|(?:mensaje|recado|nota)\b[^.?!]{0,60}?(?:\bque\b|\bdiciendo\b|:)\s*|el mensaje es[,:]?\s*)/i;

/** Asking to leave word, with no message yet: "may I leave word for …", "pass this along to …". */
const ASKS_TO_LEAVE =
  /\b(?:(?:leave|take|pass|send|give|get)\s+(?:(?:him|her|them|\w+)\s+)?(?:a|an|the|my|this|some)?\s*(?:quick\s+|short\s+)?(?:message|note|word|msg|voicemail)\b|pass\s+(?:something|this|that|a few things|it)\s+(?:on|along)\b|(?:dejar|dejarle|dejarles|tomar|tomarme|pasar|pasarle|enviar|mandar|dar|darle|darles)\s+(?:un|una|el)?\s*(?:mensaje|recado|nota|aviso)\b|pasar(?:le|les)?\s+algo\b|mensaje|recado)/i;

/** Vague words that announce a message still to come: "there is something about my key", "le faltó algo". */
const ANNOUNCES = /\b(?:something|a thing|a few things|a question|algo|una cosa|unas cosas|una pregunta)\b/i;

/** A recipient or topic right after the request: "for Marcus", "to the team", "about my order", "sobre mi pedido". */
const RECIPIENT_OR_TOPIC =
  /^\s*(?:(?:for|to|about|regarding|re|on|para|a|sobre|acerca de|de parte de)\s+[^,.;:?!]*)?/i;

const words = (text: string): number => text.split(/\s+/).filter((w) => /\p{L}|\d/u.test(w)).length;

const trimmed = (text: string): string => text.trim().replace(/^[,;:\-–—]+\s*/, '');

/**
 * The message the line already says, or undefined when it only asks to leave one. `dictating`: the line answers
 * "what is the message?", so all of it is the message unless it leads with "tell them that".
 */
export const messageContent = (text: string, dictating = false): string | undefined => {
  const line = text.trim();
  const said = TELL.exec(line) ?? SAYS.exec(line);
  if (said) {
    const rest = trimmed(line.slice(said.index + said[0].length));
    // "Could you let the team know something for me?" announces the message; it does not say it.
    if (words(rest) >= 2 && !(words(rest) < 6 && ANNOUNCES.test(rest))) return rest;
    if (!dictating) return undefined;
  }
  if (dictating) return words(line) > 0 ? line : undefined;
  const asked = ASKS_TO_LEAVE.exec(line);
  if (!asked) return words(line) >= 5 && !/\?\s*$/.test(line) ? line : undefined;
  // "May I leave word for Wojtek? He fixed our lock.": a question asks leave to speak, and what
  // follows it is context, not the message.
  const sentenceEnd = /[.?!]/.exec(line.slice(asked.index));
  if (sentenceEnd?.[0] === '?') return undefined;
  const after = line.slice(asked.index + asked[0].length);
  const rest = trimmed(after.replace(RECIPIENT_OR_TOPIC, ''));
  const content = trimmed(rest.replace(/^(?:please|por favor)\b[.,!]?/i, ''));
  if (words(content) < 5 || ANNOUNCES.test(content)) return undefined;
  return content;
};

/** Words asking to be called: the time of the call back is read from here on. */
const CALL_ME =
  /\b(?:call|ring|phone|reach|contact|get back to|give me a (?:call|ring|buzz))\b|\b(?:ll[aá]m|devolv|devuelv|contact|comunic)\w*/i;

/** No time in particular: the call back is wanted soon. */
const SOON =
  /\b(?:as soon as (?:possible|you can)|asap|any ?time|whenever|right away|cuanto antes|lo antes posible|lo m[aá]s pronto posible|cuando (?:sea|puedan?)|a cualquier hora|en cualquier momento)\b/i;

const PART_OF_DAY_HOURS: readonly [RegExp, number][] = [
  [/\b(?:morning|por la mañana|en la mañana|temprano)\b/i, 10],
  [/\b(?:afternoon|por la tarde|en la tarde|esta tarde)\b/i, 15],
  [/\b(?:evening|tonight|por la noche|en la noche|esta noche)\b/i, 17],
];

/**
 * When the caller wants the call back: the times said from the words asking for it on ("… and call me back
 * tomorrow at 9", not the "Friday" of "the cake is for Friday"), a part of the day as an hour in it ("this
 * afternoon" is 3 PM). `read`: 'message' reads only from such words; 'request' (the line asks for a call back)
 * from them or else the whole line; 'answer' (the line answers "when should we call?") the whole line, where a
 * lone number is an hour.
 */
export const callbackWhenIn = (
  text: string,
  ctx: SlotContext,
  read: 'message' | 'request' | 'answer',
): WhenMention | undefined => {
  const from = read === 'answer' ? 0 : (CALL_ME.exec(text)?.index ?? (read === 'request' ? 0 : undefined));
  if (from === undefined) return undefined;
  const part = text.slice(from);
  // A lone number is an hour only when asked for one, or after a time word: not the 2 of "I have 2 questions".
  const hourSaid =
    read === 'answer' ||
    /\b(?:after|at|around|about|by|before|from|a las|despu[eé]s de las)\s+\d/i.test(part);
  const mentions = extractWhen(part, ctx, hourSaid);
  let when = mentions.reduce<WhenMention | undefined>(
    (a, m) => (a === undefined ? m : { ...a, ...m, date: m.date ?? a.date, time: m.time ?? a.time }),
    undefined,
  );
  // "Before 5" is an hour before it, not 5 itself.
  if (when?.time && /\b(?:before|antes de las?)\s*$/i.test(when.before)) {
    when = { ...when, time: { hour: Math.max(0, when.time.hour - 1), minute: when.time.minute } };
  }
  const hour = PART_OF_DAY_HOURS.find(([re]) => re.test(part))?.[1];
  if (hour !== undefined && when?.time === undefined && when?.instant === undefined) {
    when = { ...(when ?? { index: 0, before: '' }), time: { hour, minute: 0 } };
  }
  if (when === undefined && SOON.test(part)) {
    // "Whenever, as soon as you can": the first quarter hour an hour from now, time for someone to see it.
    const at = Math.ceil((ctx.now.getTime() + 60 * 60_000) / (15 * 60_000)) * 15 * 60_000;
    return { instant: new Date(at), index: 0, before: '' };
  }
  return when;
};
