import type { ActionKind } from './claims.js';
import { languageOf } from './text.js';

/** Short phone lines the guards say instead of what they stopped; English and Spanish, others get English. */

const NOT_DONE: Readonly<Record<ActionKind, { readonly en: string; readonly es: string }>> = {
  booked: {
    en: "I haven't booked anything yet. Would you like me to book it?",
    es: 'Todavía no he reservado nada. ¿Quiere que la reserve?',
  },
  rescheduled: {
    en: "I haven't moved your appointment yet. Would you like me to move it?",
    es: 'Todavía no he cambiado su cita. ¿Quiere que la cambie?',
  },
  cancelled: {
    en: "I haven't cancelled anything yet. Would you like me to cancel it?",
    es: 'Todavía no he cancelado nada. ¿Quiere que la cancele?',
  },
  message_taken: {
    en: "I haven't passed on a message yet. Would you like to leave one?",
    es: 'Todavía no he dejado ningún mensaje. ¿Quiere dejar uno?',
  },
  callback_scheduled: {
    en: "I haven't scheduled a call back yet. Would you like me to?",
    es: 'Todavía no he programado una llamada. ¿Quiere que lo haga?',
  },
  ticket_opened: {
    en: "I haven't opened a ticket yet. Would you like me to open one?",
    es: 'Todavía no he abierto ninguna incidencia. ¿Quiere que la abra?',
  },
  transferred: {
    en: "I haven't transferred you yet. Would you like me to connect you with someone?",
    es: 'Todavía no le he transferido. ¿Quiere que le comunique con una persona?',
  },
  do_not_call: {
    en: "I haven't taken your number off our list yet. Would you like me to?",
    es: 'Todavía no he quitado su número de nuestra lista. ¿Quiere que lo haga?',
  },
};

/** What is true instead of a claimed action that did not happen, and an offer to do it. */
export const notDoneLine = (action: ActionKind, language: string): string =>
  NOT_DONE[action][languageOf(language)];

export const checkingLine = (language: string): string =>
  languageOf(language) === 'es' ? 'Déjeme comprobarlo.' : 'Let me check.';

export const noAnswerLine = (language: string): string =>
  languageOf(language) === 'es'
    ? 'No tengo esa información, pero puedo tomar un mensaje para el equipo.'
    : "I don't have that information, but I can take a message for the team.";

export const fillerLine = (language: string): string =>
  languageOf(language) === 'es' ? 'Un momento.' : 'One moment.';

export type EffectTool = 'book_appointment' | 'reschedule_appointment' | 'cancel_appointment';

const QUESTIONS: Readonly<Record<EffectTool, { readonly en: string; readonly es: string }>> = {
  book_appointment: { en: 'Shall I book it?', es: '¿La reservo?' },
  reschedule_appointment: { en: 'Shall I move it there?', es: '¿La cambio?' },
  cancel_appointment: { en: 'Shall I cancel it?', es: '¿La cancelo?' },
};

/** The question asked before an effect on a slot, with the slot read back exactly. */
export const confirmationQuestion = (tool: EffectTool, readBack: string, language: string): string => {
  const lang = languageOf(language);
  return lang === 'es'
    ? `Para confirmar: ${readBack}. ${QUESTIONS[tool].es}`
    : `Just to confirm: ${readBack}. ${QUESTIONS[tool].en}`;
};
