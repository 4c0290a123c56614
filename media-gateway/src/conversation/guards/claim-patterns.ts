/**
 * How an action is claimed, as lower-case patterns (typographic apostrophes already made plain). "done" says
 * it happened ("I've booked…", "your appointment is confirmed", "he reservado…"); "promised" says it is being
 * done now ("I'll book that", "voy a reservar"). Negations are not matched by these (they have no slot for
 * "not") and a "no"/"not" just before a match is checked by claims.ts; questions are cut away before.
 */
import type { ActionKind } from './claims.js';

export interface ClaimPattern {
  readonly kind: ActionKind;
  readonly when: 'done' | 'promised';
  readonly pattern: RegExp;
}

const ADV =
  '(?:(?:already|just|now|successfully|also|all|actually|officially|finally|gone ahead and|went ahead and)\\s+)*';
/** "I've", "I have", "I" (simple past), with adverbs. */
const I = `\\bi(?:'ve|\\s+have)?\\s+${ADV}`;
/** "I'll", "I will", "I'm going to", "let me", with "go ahead and". */
const P =
  "\\b(?:i(?:'ll|\\s+will|'m\\s+going\\s+to|\\s+am\\s+going\\s+to|\\s+shall|'m\\s+gonna)|let\\s+me)\\s+(?:(?:go\\s+ahead\\s+and|now|just|quickly|also)\\s+)*";
const BE = "(?:'s|\\s+is|\\s+has\\s+been|\\s+was|\\s+is\\s+now)\\s+";
const APPOINTMENT = '(?:your|the)\\s+(?:[a-z-]+\\s+)?(?:appointment|booking|reservation|visit)';
const CALL = '(?:call\\s?back|callback|return\\s+call)';
/** When a call back is said to happen: "at 4", "on Monday", "tomorrow" (not "at the number you called from"). */
const CALL_TIME =
  '(?:at\\s+(?:\\d|noon|midday)|on\\s+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|the\\s+\\d|[a-z]+\\s+\\d)|tomorrow|today|tonight|this\\s+(?:morning|afternoon|evening)|between\\s+\\d|first\\s+thing)';
const MESSAGE = '(?:your|the|a|that|this)\\s+message';
const TICKET =
  '(?:a|an|the|your)\\s+(?:(?:support|service|new)\\s+)?(?:ticket|case|complaint|incident|report)';
const DNC_LIST = "(?:our|the)\\s+(?:do[- ]not[- ]call|no[- ]call|don't[- ]call)\\s+list";
const ANY_LIST = '(?:our|the)\\s+(?:[a-z-]+\\s+)?list';
/** Who a message is noted down for: "for the team", "for Dr. Lee" is too loose, so named roles only. */
const FOR_TEAM =
  '(?:for|to)\\s+(?:them|(?:the|our)\\s+(?:team|office|staff|front\\s+desk|doctor|dentist|manager|owner|technician))\\b';
const ES_HE = '\\b(?:ya\\s+)?(?:(?:le|te|la|lo|se\\s+la|se\\s+lo)\\s+)?he\\s+';
const ES_BE = '(?:ya\\s+)?(?:está|esta|quedó|quedo|queda|ha\\s+quedado|ha\\s+sido|fue)\\s+';
const ES_WILL = '\\b(?:(?:le|te|se\\s+la|la|lo)\\s+)?voy\\s+a\\s+';
const ES_LET = '\\b(?:déjeme|dejeme|déjame|dejame|permítame|permitame)\\s+';

const rules = (kind: ActionKind, when: 'done' | 'promised', sources: readonly string[]): ClaimPattern[] =>
  sources.map((source) => ({ kind, when, pattern: new RegExp(source) }));

export const CLAIM_PATTERNS: readonly ClaimPattern[] = [
  // ------------------------------------------------------------------------------------------------- done, EN
  ...rules('booked', 'done', [
    `${I}(?:booked|reserved|secured|scheduled(?!\\s+(?:a|the|your)\\s+${CALL})|set\\s+up\\s+(?:your|the)\\s+appointment)\\b`,
    `\\bi(?:'ve|\\s+have)\\s+(?:got\\s+)?you\\s+(?:all\\s+)?(?:booked|down|scheduled|in\\s+for|set\\s+for)\\b`,
    `\\byou(?:'re|\\s+are)\\s+${ADV}(?:booked|confirmed|scheduled|reserved|set\\s+for|set\\s+on)\\b`,
    `${APPOINTMENT}${BE}${ADV}(?:booked|confirmed|set|scheduled|reserved|made)\\b`,
    `\\b(?:it|that)${BE}${ADV}(?:booked|reserved)\\b`,
    `\\ball\\s+set[:,;]?\\s+booked\\b`,
    `(?:^|[.!:]\\s*)booked\\b`,
    `\\b(?:booking|appointment|reservation)\\s+(?:is\\s+)?(?:confirmed|made)\\b`,
    `${APPOINTMENT}${BE}${ADV}(?:complete|completed|done|finali[sz]ed|all\\s+set)\\b`,
    `${I}(?:put|pencil+ed|penciled|written|wrote)\\s+you\\s+(?:down|in)\\b`,
  ]),
  ...rules('rescheduled', 'done', [
    `${I}(?:moved|rescheduled|changed|updated)\\s+(?:it|that|your|the)\\b`,
    `${I}rescheduled\\b`,
    `${APPOINTMENT}${BE}${ADV}(?:moved|rescheduled|changed|updated)\\b`,
    `\\b(?:it|that)${BE}${ADV}(?:moved|rescheduled)\\b`,
    `${APPOINTMENT}\\s+is\\s+now\\s+(?:on|at|for)\\b`,
    `\\byou(?:'re|\\s+are)\\s+now\\s+on\\b`,
  ]),
  ...rules('cancelled', 'done', [
    `${I}cancell?ed\\b`,
    `\\b(?:it|that|${APPOINTMENT})${BE}${ADV}cancell?ed\\b`,
  ]),
  ...rules('message_taken', 'done', [
    `${I}(?:taken|took|passed|forwarded|sent|left|recorded|noted|written|wrote|logged|relayed|delivered|given|gave)\\s+(?:(?:down|on|along)\\s+)?${MESSAGE}\\b`,
    `${I}(?:passed|forwarded|sent|relayed)\\s+(?:it|that|this)\\s+(?:on|along)\\b`,
    `${I}let\\s+(?:the\\s+team|them|the\\s+office|the\\s+staff)\\s+know\\b`,
    `${I}(?:noted|written|wrote|jotted|taken|took|put|passed)\\s+(?:that|it|this|everything|(?:the|those|your)\\s+details)\\s+(?:down\\s+)?${FOR_TEAM}`,
    `\\b(?:your|the)\\s+message${BE}${ADV}(?:taken|sent|passed\\s+on|passed\\s+along|forwarded|recorded|noted|delivered|logged)\\b`,
  ]),
  ...rules('callback_scheduled', 'done', [
    `${I}(?:scheduled|arranged|booked|set\\s+up|requested|organi[sz]ed)\\s+(?:a|the|your)\\s+${CALL}\\b`,
    `\\b(?:we|someone|somebody|they|the\\s+team|[a-z]+)(?:'ll|\\s+will)\\s+${ADV}(?:call|ring|phone)\\s+you\\s+(?:back\\s+)?${CALL_TIME}`,
    `\\b(?:your|a|the)\\s+${CALL}${BE}${ADV}(?:scheduled|booked|set|arranged|confirmed)\\b`,
  ]),
  ...rules('ticket_opened', 'done', [
    `${I}(?:opened|created|raised|filed|logged|submitted|registered|lodged)\\s+${TICKET}\\b`,
    `\\b(?:a|the|your)\\s+(?:(?:support|service)\\s+)?(?:ticket|case|complaint)${BE}${ADV}(?:opened|created|raised|filed|logged|submitted|registered)\\b`,
  ]),
  ...rules('transferred', 'done', [
    `\\bi(?:'m|\\s+am)\\s+${ADV}(?:transferring|connecting|putting)\\s+you\\b`,
    `(?:^|[.!]\\s*)(?:transferring|connecting|putting)\\s+you\\b`,
    `\\bi(?:'ve|\\s+have)\\s+${ADV}(?:transferred|connected)\\s+you\\b`,
    `\\byou(?:'re|\\s+are)\\s+being\\s+(?:transferred|connected|put\\s+through)\\b`,
  ]),
  ...rules('do_not_call', 'done', [
    `${I}(?:added|put)\\s+(?:you|your\\s+number)\\s+(?:to|on)\\s+${DNC_LIST}`,
    `${I}(?:removed|taken|took)\\s+(?:you|your\\s+number)\\s+(?:off|from|out\\s+of)\\s+${ANY_LIST}`,
    `\\b(?:you|your\\s+number)(?:'re|\\s+are|'s|\\s+is|\\s+has\\s+been|\\s+have\\s+been)\\s+${ADV}(?:off|removed\\s+from|taken\\s+off)\\s+${ANY_LIST}`,
    `\\b(?:you|your\\s+number)(?:'re|\\s+are|'s|\\s+is|\\s+has\\s+been|\\s+have\\s+been)\\s+${ADV}(?:added\\s+to|on)\\s+${DNC_LIST}`,
    `\\bwe\\s+(?:will\\s+not|won't|will\\s+never)\\s+(?:call|contact)\\s+you\\s+again\\b`,
    `\\byou\\s+(?:won't|will\\s+not|will\\s+no\\s+longer|will\\s+never)\\s+(?:get|receive|be\\s+getting|be\\s+receiving)\\s+(?:any\\s+)?(?:more\\s+|further\\s+|other\\s+)?(?:calls|phone\\s+calls)\\s+from\\s+us\\b`,
  ]),
  // --------------------------------------------------------------------------------------------- promised, EN
  ...rules('booked', 'promised', [
    `${P}(?:book|reserve|confirm|secure|lock\\s+in|get\\s+you\\s+booked|put\\s+you\\s+down|schedule(?!\\s+(?:a|the|your)\\s+${CALL}))\\b`,
    `\\bi(?:'m|\\s+am)\\s+(?:now\\s+)?(?:booking|reserving)\\b`,
    `(?:^|[.!]\\s*)booking\\s+(?:that|it|you|this)\\b`,
    `\\bwhile\\s+i\\s+book\\b`,
  ]),
  ...rules('rescheduled', 'promised', [
    `${P}(?:move|reschedule|change)\\s+(?:it|that|your|the|you)\\b`,
    `${P}reschedule\\b`,
    `\\bi(?:'m|\\s+am)\\s+(?:now\\s+)?(?:moving|rescheduling|changing)\\s+(?:it|that|your|the)\\b`,
  ]),
  ...rules('cancelled', 'promised', [`${P}cancel\\b`, `\\bi(?:'m|\\s+am)\\s+(?:now\\s+)?cancell?ing\\b`]),
  ...rules('message_taken', 'promised', [
    `${P}(?:take|pass|forward|send|relay|give|leave|note)\\s+(?:(?:on|along|down)\\s+)?${MESSAGE}\\b`,
    `${P}(?:pass|forward|relay)\\s+(?:it|that|this)\\s+(?:on|along)\\b`,
    `${P}let\\s+(?:the\\s+team|them|the\\s+office|the\\s+staff)\\s+know\\b`,
  ]),
  ...rules('callback_scheduled', 'promised', [
    `${P}(?:schedule|arrange|book|set\\s+up|request)\\s+(?:a|the|your)\\s+${CALL}\\b`,
    `${P}have\\s+(?:someone|somebody|them|[a-z]+)\\s+call\\s+you\\s+back\\b`,
  ]),
  ...rules('ticket_opened', 'promised', [
    `${P}(?:open|create|raise|file|log|submit|register)\\s+${TICKET}\\b`,
  ]),
  ...rules('transferred', 'promised', [`${P}(?:transfer|connect|put\\s+you\\s+through|patch\\s+you)\\b`]),
  ...rules('do_not_call', 'promised', [
    `${P}(?:add|put)\\s+(?:you|your\\s+number)\\s+(?:to|on)\\s+${DNC_LIST}`,
    `${P}(?:remove|take)\\s+(?:you|your\\s+number)\\s+(?:off|from|out\\s+of)\\s+${ANY_LIST}`,
  ]),
  // ------------------------------------------------------------------------------------------------- done, ES
  ...rules('booked', 'done', [
    `${ES_HE}(?:reservado|agendado|apartado|programado(?!\\s+(?:una|la|su)\\s+llamada)|confirmado)\\b`,
    `${ES_BE}(?:reservad[ao]|agendad[ao]|confirmad[ao])\\b`,
    `\\b(?:la|su|tu)\\s+(?:reserva|cita)\\s+(?:ya\\s+)?(?:está|esta|quedó|quedo|ha\\s+quedado|ha\\s+sido)\\s+(?:hecha|confirmada|completa|completada|lista)\\b`,
    `\\b(?:le|te|lo|la|los|las)\\s+he\\s+(?:apuntado|anotado|agendado)\\s+para\\s+(?!(?:el\\s+)?equipo\\b)`,
  ]),
  ...rules('rescheduled', 'done', [
    `${ES_HE}(?:cambiado|movido|reprogramado)\\b`,
    `${ES_BE}(?:cambiad[ao]|movid[ao]|reprogramad[ao])\\b`,
  ]),
  ...rules('cancelled', 'done', [
    `${ES_HE}(?:cancelado|anulado)\\b`,
    `${ES_BE}(?:cancelad[ao]|anulad[ao])\\b`,
  ]),
  ...rules('message_taken', 'done', [
    `${ES_HE}(?:tomado|anotado|pasado|enviado|dejado|transmitido|registrado)\\s+(?:su|tu|el|un)\\s+(?:mensaje|recado)\\b`,
    `${ES_HE}(?:anotado|apuntado|tomado|pasado)\\s+(?:(?:su|tu|el)\\s+(?:nombre|número|numero)\\s+)?(?:para|al)\\s+(?:el\\s+)?equipo\\b`,
    `\\b(?:su|tu|el)\\s+mensaje\\s+(?:ya\\s+)?(?:ha\\s+sido|fue|está|esta|quedó|quedo)\\s+(?:enviado|tomado|anotado|registrado|pasado)\\b`,
  ]),
  ...rules('callback_scheduled', 'done', [
    `${ES_HE}(?:programado|agendado|reservado|organizado|solicitado)\\s+(?:una|la|su)\\s+(?:llamada|devolución\\s+de\\s+llamada)`,
    `\\b(?:le|te)\\s+(?:llamaremos|llamará|llamara|llamarán|llamaran|devolveremos\\s+la\\s+llamada|devolverán\\s+la\\s+llamada)\\s+(?:a\\s+las|a\\s+la|el|mañana|hoy|esta|este|entre)\\s`,
  ]),
  ...rules('ticket_opened', 'done', [
    `${ES_HE}(?:abierto|creado|registrado|levantado|presentado)\\s+(?:un|una|el|la|su)\\s+(?:ticket|caso|incidencia|solicitud|queja|reclamaci)`,
  ]),
  ...rules('transferred', 'done', [
    `\\b(?:le|te)\\s+(?:paso|comunico|pongo)\\s+con\\b`,
    `\\b(?:le|te)\\s+transfiero\\b`,
    `\\b(?:le|te)\\s+paso\\s+la\\s+llamada\\b`,
    `\\b(?:le|te)\\s+estoy\\s+(?:transfiriendo|pasando|comunicando)\\b`,
  ]),
  ...rules('do_not_call', 'done', [
    `${ES_HE}(?:añadido|agregado|incluido|puesto)\\s+(?:su|tu)\\s+número\\s+(?:a|en)\\s+(?:la|nuestra)\\s+lista`,
    `${ES_HE}(?:quitado|eliminado|borrado|sacado)\\s+(?:su|tu)\\s+número`,
    `\\b(?:su|tu)\\s+número\\s+ya\\s+no\\s+está\\s+en\\s+nuestra\\s+lista`,
    `\\bno\\s+(?:le|te|lo|la)\\s+volveremos\\s+a\\s+llamar\\b`,
    `\\bno\\s+(?:recibirá|recibira|recibirás|recibiras|volverá\\s+a\\s+recibir|volvera\\s+a\\s+recibir)\\s+(?:más|mas|ninguna\\s+otra)\\s+llamadas?\\b`,
  ]),
  // --------------------------------------------------------------------------------------------- promised, ES
  ...rules('booked', 'promised', [
    `${ES_WILL}(?:reservar|agendar|hacer\\s+la\\s+reserva|confirmar)`,
    `\\b(?:le|te|se\\s+la|se\\s+lo|la|lo)\\s+(?:reservo|agendo)\\b`,
    `\\bhago\\s+la\\s+reserva\\b`,
    `${ES_LET}(?:reservar|hacer\\s+la\\s+reserva|agendar)`,
    `\\bestoy\\s+(?:reservando|agendando|haciendo\\s+la\\s+reserva)\\b`,
  ]),
  ...rules('rescheduled', 'promised', [
    `${ES_WILL}(?:cambiar|mover|reprogramar)`,
    `\\b(?:(?:se|te|le)\\s+)?la\\s+(?:cambio|muevo|reprogramo|paso\\s+a)\\b`,
  ]),
  ...rules('cancelled', 'promised', [
    `${ES_WILL}(?:cancelar|anular)`,
    `\\b(?:se\\s+)?(?:la|lo|le|te)\\s+(?:cancelo|anulo)\\b`,
    `${ES_LET}cancelar`,
  ]),
  ...rules('message_taken', 'promised', [
    `${ES_WILL}(?:tomar|anotar|pasar|dejar)\\s+(?:su|tu|el|un)\\s+(?:mensaje|recado)\\b`,
    `\\b(?:tomo|anoto|paso)\\s+(?:su|tu|el)\\s+mensaje\\b`,
  ]),
  ...rules('callback_scheduled', 'promised', [
    `${ES_WILL}(?:programar|agendar|pedir|solicitar)\\s+(?:una|la)\\s+llamada\\b`,
  ]),
  ...rules('ticket_opened', 'promised', [
    `${ES_WILL}(?:abrir|crear|registrar)\\s+(?:un|una)\\s+(?:ticket|caso|incidencia|solicitud|queja|reclamaci)`,
  ]),
  ...rules('transferred', 'promised', [`${ES_WILL}(?:transferir|pasar|comunicar|poner)(?:le|te|lo|la)?\\b`]),
  ...rules('do_not_call', 'promised', [
    `${ES_WILL}(?:añadir|agregar|quitar|eliminar|sacar)\\s+(?:su|tu)\\s+número`,
  ]),
];
