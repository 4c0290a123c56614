import { splitSentences } from '../llm/sentences.js';
import { DAY_NAMES, MONTH_NAMES } from '../calendar-words.js';
import { AgentTone } from '@ccp/schemas';
import type { z } from 'zod';
import { wallClockAt } from '@ccp/schemas';

/**
 * What the offline engine says. It cannot read free-text instructions, so it takes these lines from the call
 * context and the system prompt by convention (conversation/prompt.ts writes them; the first of each counts):
 *   `Tone: <tone>`      — one of the agent tones (formal, friendly, professional, empathetic, casual,
 *                          enthusiastic, calm); sets the register: Spanish "usted" or "tú", English openers.
 *   `Greeting: <text>`  — the agent's first words, said as written.
 *   `Caller: <name>`   — a known caller, greeted by name.
 * Anything else in the prompt is for remote models. English and Spanish; other languages get English.
 */
export type Tone = z.infer<typeof AgentTone>;

export interface Voice {
  readonly language: 'en' | 'es';
  /** Formal: "usted", no exclamations. Warm: "tú", a friendlier opener. */
  readonly register: 'formal' | 'warm';
  readonly tone: Tone;
  readonly greeting: string | undefined;
  readonly timeZone: string;
  /** A known caller's name (`Caller: <name>` in the prompt): greeted by it, and not asked for it. */
  readonly callerName: string | undefined;
}

const TONES: readonly Tone[] = AgentTone.options;

const WARM: ReadonlySet<Tone> = new Set(['friendly', 'casual', 'enthusiastic', 'empathetic']);

/** Reads the `Tone:`, `Greeting:` and `Caller:` lines of the prompt; see the comment at the top. */
export const voiceFor = (prompt: string, language: string, timeZone: string): Voice => {
  const toneLine = /^Tone:\s*(\S+)\s*$/im.exec(prompt)?.[1]?.toLowerCase();
  const tone = TONES.find((t) => t === toneLine) ?? 'professional';
  const greeting = /^Greeting:\s*(.+?)\s*$/im.exec(prompt)?.[1];
  const callerName = /^Caller:\s*(.+?)\s*$/im.exec(prompt)?.[1];
  return {
    language: language.split('-')[0]?.toLowerCase() === 'es' ? 'es' : 'en',
    register: WARM.has(tone) ? 'warm' : 'formal',
    tone,
    greeting,
    timeZone,
    callerName,
  };
};

// ---------------------------------------------------------------------------------------------------- times

/**
 * A time as it is said on the phone, in the tenant's zone: "Tuesday, March 11 at 3 PM", "el martes 11 de marzo
 * a las 3 de la tarde". Spelled out here rather than by Intl so that it reads aloud well (no "15:00").
 */
export const sayWhen = (instant: Date, voice: Pick<Voice, 'language' | 'timeZone'>): string => {
  const w = wallClockAt(instant, voice.timeZone);
  const h12 = w.hour % 12 === 0 ? 12 : w.hour % 12;
  const minutes = w.minute === 0 ? '' : `:${String(w.minute).padStart(2, '0')}`;
  if (voice.language === 'es') {
    const period =
      w.hour === 12 && w.minute === 0
        ? 'del mediodía'
        : w.hour < 12
          ? 'de la mañana'
          : w.hour < 20
            ? 'de la tarde'
            : 'de la noche';
    const article = h12 === 1 ? 'a la' : 'a las';
    return `el ${DAY_NAMES.es[w.weekday]} ${w.day} de ${MONTH_NAMES.es[w.month - 1]} ${article} ${h12}${minutes} ${period}`;
  }
  const time = w.hour === 12 && w.minute === 0 ? 'noon' : `${h12}${minutes} ${w.hour < 12 ? 'AM' : 'PM'}`;
  return `${DAY_NAMES.en[w.weekday]}, ${MONTH_NAMES.en[w.month - 1]} ${w.day} at ${time}`;
};

// -------------------------------------------------------------------------------------------------- phrases

type Text = string | { readonly formal: string; readonly warm: string };
type Entry<P> = (params: P) => { readonly en: Text; readonly es: Text };

export const phrase =
  <P = void>(entry: Entry<P>) =>
  (params: P): Utterance => ({ entry: entry as Entry<unknown>, params });

/** A phrase chosen by the dialogue logic and rendered in the caller's language at the very end. */
export interface Utterance {
  readonly entry: Entry<unknown>;
  readonly params: unknown;
}

export const render = (utterances: readonly Utterance[], voice: Voice): string =>
  utterances
    .map((u) => {
      const text = u.entry(u.params)[voice.language];
      return typeof text === 'string' ? text : text[voice.register];
    })
    .filter((t) => t !== '')
    .join(' ');

/** Times in phrases stay instants until rendering, which knows the language. */
export interface When {
  readonly at: Date;
  readonly timeZone: string;
}
const en = (w: When): string => sayWhen(w.at, { language: 'en', timeZone: w.timeZone });
const es = (w: When): string => sayWhen(w.at, { language: 'es', timeZone: w.timeZone });

/** The first sentence or two of an article, cut for the phone: nobody listens to a paragraph. */
export const phoneLength = (text: string, maxChars = 180): string => {
  const sentences = splitSentences(text.replace(/\s+/g, ' ').trim());
  let out = '';
  for (const sentence of sentences.slice(0, 2)) {
    const next = `${out} ${sentence.trim()}`.trim();
    if (out !== '' && next.length > maxChars) break;
    out = next;
  }
  if (out.length > maxChars) out = `${out.slice(0, maxChars).replace(/\s+\S*$/, '')}…`;
  return out;
};

export const say = {
  hello: phrase<void>(() => ({
    en: {
      formal: 'Hello, thank you for calling. How may I help you today?',
      warm: 'Hi there, thanks for calling! How can I help you today?',
    },
    es: {
      formal: 'Hola, gracias por llamar. ¿En qué puedo ayudarle hoy?',
      warm: '¡Hola, gracias por llamar! ¿En qué te puedo ayudar hoy?',
    },
  })),
  custom: phrase<string>((text) => ({ en: text, es: text })),
  greetBack: phrase<void>(() => ({
    en: { formal: 'Hello. How may I help you?', warm: 'Hi! How can I help you?' },
    es: { formal: 'Hola. ¿En qué puedo ayudarle?', warm: '¡Hola! ¿En qué te puedo ayudar?' },
  })),
  /** The answer to "how's your day going?" or "hope your day's going well": briefly in kind, then to business. */
  pleasantryBack: phrase<void>(() => ({
    en: {
      formal: 'Thank you, all is well here. How may I help you today?',
      warm: 'Thanks, all good here! How can I help you today?',
    },
    es: {
      formal: 'Muy bien, gracias. ¿En qué puedo ayudarle hoy?',
      warm: '¡Muy bien, gracias! ¿En qué te puedo ayudar hoy?',
    },
  })),
  /** After a hello or a "yeah" that goes on to tell the caller's situation without asking anything yet. */
  howCanIHelpWithThat: phrase<void>(() => ({
    en: { formal: 'I see. How may I help you with that?', warm: 'Got it! How can I help with that?' },
    es: {
      formal: 'Entiendo. ¿En qué puedo ayudarle con eso?',
      warm: '¡Entendido! ¿En qué te ayudo con eso?',
    },
  })),
  whatCanIDo: phrase<void>(() => ({
    en: { formal: 'Certainly. What can I do for you?', warm: 'Sure! What can I do for you?' },
    es: { formal: 'Por supuesto. ¿Qué puedo hacer por usted?', warm: '¡Claro! ¿Qué puedo hacer por ti?' },
  })),
  checking: phrase<void>(() => ({
    en: { formal: 'One moment while I check.', warm: 'Let me check that for you.' },
    es: { formal: 'Un momento, por favor, lo verifico.', warm: 'Déjame revisarlo.' },
  })),
  answer: phrase<string>((text) => ({ en: text, es: text })),
  anythingElse: phrase<void>(() => ({
    en: { formal: 'Is there anything else I can help you with?', warm: 'Anything else I can help with?' },
    es: { formal: '¿Hay algo más en lo que pueda ayudarle?', warm: '¿Te ayudo con algo más?' },
  })),
  notFound: phrase<{ person: boolean; message: boolean }>(({ person, message }) => {
    const offerEn =
      person && message
        ? ' Would you like me to connect you with a person, or take a message?'
        : person
          ? ' Would you like me to connect you with a person?'
          : message
            ? ' Would you like to leave a message for the team?'
            : '';
    const offerEsFormal =
      person && message
        ? ' ¿Desea que le comunique con una persona o que tome un mensaje?'
        : person
          ? ' ¿Desea que le comunique con una persona?'
          : message
            ? ' ¿Desea dejar un mensaje para el equipo?'
            : '';
    const offerEsWarm =
      person && message
        ? ' ¿Quieres que te pase con una persona o que tome un mensaje?'
        : person
          ? ' ¿Quieres que te pase con una persona?'
          : message
            ? ' ¿Quieres dejar un mensaje para el equipo?'
            : '';
    return {
      en: {
        formal: `I'm sorry, I don't have that information.${offerEn}`,
        warm: `Sorry, I don't have that information.${offerEn}`,
      },
      es: {
        formal: `Lo siento, no tengo esa información.${offerEsFormal}`,
        warm: `Lo siento, no tengo esa información.${offerEsWarm}`,
      },
    };
  }),
  understand: phrase<void>(() => ({
    en: { formal: 'I understand.', warm: 'I totally understand.' },
    es: { formal: 'Le entiendo.', warm: 'Te entiendo.' },
  })),
  askService: phrase<void>(() => ({
    en: { formal: 'Certainly. What is the appointment for?', warm: 'Sure! What would you like to book?' },
    es: { formal: 'Con gusto. ¿Para qué servicio es la cita?', warm: '¡Claro! ¿Para qué quieres la cita?' },
  })),
  askWhen: phrase<void>(() => ({
    en: { formal: 'What day and time would suit you?', warm: 'What day and time work for you?' },
    es: { formal: '¿Qué día y a qué hora le vendría bien?', warm: '¿Qué día y a qué hora te viene bien?' },
  })),
  askTimeOnDay: phrase<void>(() => ({
    en: { formal: 'And at what time?', warm: 'And what time works for you?' },
    es: { formal: '¿Y a qué hora?', warm: '¿Y a qué hora te viene bien?' },
  })),
  askName: phrase<void>(() => ({
    en: { formal: 'May I have your name, please?', warm: 'Can I get your name?' },
    es: { formal: '¿Me dice su nombre, por favor?', warm: '¿Me dices tu nombre?' },
  })),
  confirmBooking: phrase<{ service: string; when: When; name: string }>(({ service, when, name }) => ({
    en: {
      formal: `To confirm: ${service} on ${en(when)}, under the name ${name}. Shall I book it?`,
      warm: `So that's ${service} on ${en(when)}, for ${name}. Shall I book it?`,
    },
    es: {
      formal: `Para confirmar: ${service} ${es(when)}, a nombre de ${name}. ¿La reservo?`,
      warm: `Entonces: ${service} ${es(when)}, a nombre de ${name}. ¿La reservo?`,
    },
  })),
  booking: phrase<void>(() => ({
    en: { formal: 'One moment while I book that.', warm: 'Booking that now.' },
    es: { formal: 'Un momento, hago la reserva.', warm: 'Hago la reserva ahora.' },
  })),
  booked: phrase<When>((when) => ({
    en: {
      formal: `You're booked for ${en(when)}.`,
      warm: `You're all set: booked for ${en(when)}!`,
    },
    es: {
      formal: `Su cita quedó reservada para ${es(when)}.`,
      warm: `¡Listo! Tu cita quedó para ${es(when)}.`,
    },
  })),
  bookingFailed: phrase<void>(() => ({
    en: {
      formal: "I'm sorry, I couldn't book that time. What other day or time would suit you?",
      warm: "Sorry, that time didn't work. What other day or time works for you?",
    },
    es: {
      formal: 'Lo siento, no pude reservar esa hora. ¿Qué otro día u hora le vendría bien?',
      warm: 'Lo siento, esa hora no se pudo. ¿Qué otro día u hora te viene bien?',
    },
  })),
  /** A time the practice is closed (or already past): the next opening is offered instead. */
  closedThen: phrase<{ when: When; move: boolean }>(({ when, move }) => ({
    en: {
      formal: `I'm sorry, we can't ${move ? 'move it to' : 'book'} that time. The earliest we are open is ${en(when)}. ${move ? 'Shall I move it there instead?' : 'Shall I book that instead?'}`,
      warm: `Sorry, we can't do that time. We're next open ${en(when)}. ${move ? 'Shall I move it there instead?' : 'Shall I book that instead?'}`,
    },
    es: {
      formal: `Lo siento, no podemos ${move ? 'pasarla a' : 'reservar'} esa hora. Abrimos de nuevo ${es(when)}. ${move ? '¿La paso a esa hora?' : '¿La reservo entonces?'}`,
      warm: `Lo siento, esa hora no se puede. Abrimos de nuevo ${es(when)}. ${move ? '¿Te la paso a esa hora?' : '¿Te la reservo entonces?'}`,
    },
  })),
  whatToChange: phrase<void>(() => ({
    en: { formal: 'Of course. What would you like to change?', warm: 'No problem. What should I change?' },
    es: { formal: 'Por supuesto. ¿Qué desea cambiar?', warm: 'Sin problema. ¿Qué quieres cambiar?' },
  })),
  lookingUp: phrase<void>(() => ({
    en: {
      formal: 'One moment while I look up your appointments.',
      warm: 'Let me pull up your appointments.',
    },
    es: { formal: 'Un momento, busco sus citas.', warm: 'Déjame buscar tus citas.' },
  })),
  noAppointments: phrase<void>(() => ({
    en: {
      formal: "I'm sorry, I can't find any upcoming appointments for you.",
      warm: "Hmm, I don't see any upcoming appointments for you.",
    },
    es: {
      formal: 'Lo siento, no encuentro citas próximas a su nombre.',
      warm: 'Mmm, no veo ninguna cita próxima a tu nombre.',
    },
  })),
  whichAppointment: phrase<{ options: { service: string; when: When }[] }>(({ options }) => {
    const shown = options.slice(0, 3);
    const listEn = shown.map((o) => `${o.service} on ${en(o.when)}`).join(', or ');
    const listEs = shown.map((o) => `${o.service} ${es(o.when)}`).join(', o ');
    return {
      en: `I see ${options.length} appointments: ${listEn}. Which one do you mean?`,
      es: {
        formal: `Veo ${options.length} citas: ${listEs}. ¿A cuál se refiere?`,
        warm: `Veo ${options.length} citas: ${listEs}. ¿Cuál de ellas?`,
      },
    };
  }),
  askNewTime: phrase<{ service: string; when: When }>(({ service, when }) => ({
    en: `I found your ${service} on ${en(when)}. What day and time would you like instead?`,
    es: {
      formal: `Encontré su cita de ${service} ${es(when)}. ¿Para qué día y hora la quiere cambiar?`,
      warm: `Encontré tu cita de ${service} ${es(when)}. ¿Para qué día y hora la cambio?`,
    },
  })),
  confirmReschedule: phrase<{ service: string; from: When; to: When }>(({ service, from, to }) => ({
    en: `To confirm: move your ${service} from ${en(from)} to ${en(to)}. Shall I do that?`,
    es: {
      formal: `Para confirmar: cambio su cita de ${service} de ${es(from)} a ${es(to)}. ¿Lo hago?`,
      warm: `Entonces cambio tu cita de ${service} de ${es(from)} a ${es(to)}. ¿Lo hago?`,
    },
  })),
  rescheduled: phrase<When>((when) => ({
    en: { formal: `Done. Your appointment is now on ${en(when)}.`, warm: `Done! You're now on ${en(when)}.` },
    es: {
      formal: `Listo. Su cita quedó para ${es(when)}.`,
      warm: `¡Listo! Tu cita quedó para ${es(when)}.`,
    },
  })),
  confirmCancel: phrase<{ service: string; when: When }>(({ service, when }) => ({
    en: `Just to confirm, you'd like to cancel your ${service} on ${en(when)}?`,
    es: {
      formal: `Para confirmar, ¿desea cancelar su cita de ${service} ${es(when)}?`,
      warm: `Para confirmar, ¿quieres cancelar tu cita de ${service} ${es(when)}?`,
    },
  })),
  cancelled: phrase<void>(() => ({
    en: { formal: 'Your appointment has been cancelled.', warm: "Done, it's cancelled." },
    es: { formal: 'Su cita ha sido cancelada.', warm: 'Listo, tu cita está cancelada.' },
  })),
  keepIt: phrase<void>(() => ({
    en: { formal: 'All right, I have left it as it was.', warm: 'Okay, I left it as it was.' },
    es: { formal: 'De acuerdo, la dejé como estaba.', warm: 'Vale, la dejé como estaba.' },
  })),
  doNotCallDone: phrase<void>(() => ({
    en: {
      formal: 'Understood. Your number is off our call list; we will not call you again. Goodbye.',
      warm: "Got it. Your number is off our call list, we won't call you again. Bye!",
    },
    es: {
      formal: 'Entendido. Su número ya no está en nuestra lista; no le volveremos a llamar. Adiós.',
      warm: 'Entendido. Tu número ya no está en nuestra lista; no te volveremos a llamar. ¡Adiós!',
    },
  })),
  actionFailed: phrase<void>(() => ({
    en: { formal: "I'm sorry, that didn't go through.", warm: "Sorry, that didn't go through." },
    es: { formal: 'Lo siento, no se pudo completar.', warm: 'Lo siento, no se pudo hacer.' },
  })),
  connecting: phrase<void>(() => ({
    en: { formal: 'Certainly, let me get someone for you.', warm: 'Sure, let me get someone for you.' },
    es: { formal: 'Por supuesto, le comunico con alguien.', warm: 'Claro, te paso con alguien.' },
  })),
  queued: phrase<void>(() => ({
    en: {
      formal: "I'm connecting you with a member of our team now. Please hold.",
      warm: "I'm connecting you with someone from the team now. Please hold on!",
    },
    es: {
      formal: 'Le estoy comunicando con una persona del equipo. Por favor, no cuelgue.',
      warm: 'Te estoy pasando con alguien del equipo. ¡No cuelgues!',
    },
  })),
  nobodyAvailable: phrase<{ afterHours: boolean }>(({ afterHours }) => ({
    en: afterHours
      ? "We're closed right now, so nobody can take the call. Would you like to leave a message?"
      : "I'm sorry, nobody is free to take the call right now. Would you like to leave a message?",
    es: {
      formal: afterHours
        ? 'En este momento estamos cerrados y nadie puede atender. ¿Desea dejar un mensaje?'
        : 'Lo siento, ahora mismo no hay nadie disponible. ¿Desea dejar un mensaje?',
      warm: afterHours
        ? 'Ahora mismo estamos cerrados y nadie puede atender. ¿Quieres dejar un mensaje?'
        : 'Lo siento, ahora mismo no hay nadie libre. ¿Quieres dejar un mensaje?',
    },
  })),
  askMessage: phrase<void>(() => ({
    en: { formal: 'Of course. What message would you like to leave?', warm: "Sure! What's your message?" },
    es: { formal: 'Por supuesto. ¿Qué mensaje desea dejar?', warm: '¡Claro! ¿Cuál es tu mensaje?' },
  })),
  messageTaken: phrase<void>(() => ({
    en: {
      formal: "Thank you, I've passed your message to the team.",
      warm: "Got it, I've passed your message on to the team.",
    },
    es: {
      formal: 'Gracias, le he pasado su mensaje al equipo.',
      warm: 'Perfecto, ya le pasé tu mensaje al equipo.',
    },
  })),
  askCallbackTime: phrase<void>(() => ({
    en: { formal: 'When would you like us to call you back?', warm: 'When should we call you back?' },
    es: {
      formal: '¿Cuándo desea que le devolvamos la llamada?',
      warm: '¿Cuándo quieres que te llamemos?',
    },
  })),
  callbackScheduled: phrase<When>((when) => ({
    en: `We'll call you back on ${en(when)}.`,
    es: { formal: `Le devolveremos la llamada ${es(when)}.`, warm: `Te llamaremos ${es(when)}.` },
  })),
  apology: phrase<void>(() => ({
    en: {
      formal: "I'm very sorry to hear that, and I apologise for the trouble.",
      warm: "I'm really sorry about that. That's not the experience we want for you.",
    },
    es: {
      formal: 'Lamento mucho lo ocurrido y le pido disculpas por las molestias.',
      warm: 'Lo siento muchísimo. No es la experiencia que queremos para ti.',
    },
  })),
  offerTicket: phrase<void>(() => ({
    en: {
      formal: 'Would you like me to open a ticket so the team follows up with you?',
      warm: 'Want me to open a ticket so the team follows up with you?',
    },
    es: {
      formal: '¿Desea que abra un caso para que el equipo le dé seguimiento?',
      warm: '¿Quieres que abra un caso para que el equipo te dé seguimiento?',
    },
  })),
  ticketOpened: phrase<void>(() => ({
    en: "I've opened a ticket, and the team will follow up with you.",
    es: {
      formal: 'He abierto un caso y el equipo le dará seguimiento.',
      warm: 'Abrí un caso y el equipo te contactará.',
    },
  })),
  welcome: phrase<void>(() => ({
    en: { formal: "You're welcome.", warm: 'You bet!' },
    es: { formal: 'Con mucho gusto.', warm: '¡De nada!' },
  })),
  okay: phrase<void>(() => ({
    en: { formal: 'Very well.', warm: 'Okay!' },
    es: { formal: 'Muy bien.', warm: '¡Vale!' },
  })),
  closing: phrase<void>(() => ({
    en: { formal: 'Thank you for calling. Goodbye.', warm: 'Thanks for calling. Have a great day, bye!' },
    es: {
      formal: 'Gracias por su llamada. Que tenga un buen día.',
      warm: '¡Gracias por llamar! Que tengas un buen día.',
    },
  })),
  rephrase: phrase<void>(() => ({
    en: {
      formal: "I'm sorry, I didn't quite understand. Could you say that another way?",
      warm: "Sorry, I didn't catch that. Could you say it another way?",
    },
    es: {
      formal: 'Disculpe, no le entendí bien. ¿Podría decirlo de otra forma?',
      warm: 'Perdona, no te entendí. ¿Me lo dices de otra forma?',
    },
  })),
  stillThere: phrase<void>(() => ({
    en: { formal: 'Are you still there?', warm: 'Hello, are you still there?' },
    es: { formal: '¿Sigue ahí?', warm: '¿Sigues ahí?' },
  })),
  cannotHere: phrase<{ message: boolean }>(({ message }) => ({
    en: message
      ? "I'm sorry, I can't do that on this line, but I can take a message for the team."
      : "I'm sorry, I can't do that on this line.",
    es: message
      ? 'Lo siento, no puedo hacer eso por esta línea, pero puedo tomar un mensaje para el equipo.'
      : 'Lo siento, no puedo hacer eso por esta línea.',
  })),
};
