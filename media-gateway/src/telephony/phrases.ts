/** What the gateway itself says, outside the conversation the model holds. */
const PHRASES = {
  en: {
    unknown_number: 'Sorry, this number is not in service.',
    unassigned: 'Sorry, this number is not taking calls right now. Please try again later.',
    tenant_inactive: 'Sorry, this service is not available at the moment. Please try again later.',
    no_agent: 'Sorry, nobody can take your call right now. Please try again later.',
    all_agents_busy: 'All our lines are busy right now. Please call again in a few minutes.',
    connecting: 'Please hold while I connect you to a member of our team.',
    hold: 'Thank you for holding. Someone will be with you shortly.',
    usage_cap: 'Sorry, we cannot take your call right now. Please call again later.',
    ivr_retry: "Sorry, I didn't catch that.",
    still_there: 'Are you still there?',
    goodbye: 'Thank you for calling. Goodbye!',
    feedback_question: 'Before you go, how would you rate this call? Press 1 to 5, 5 being excellent.',
    feedback_thanks: 'Thank you for your feedback. Goodbye!',
    human_joined: 'A member of our team is joining the call now.',
  },
  es: {
    unknown_number: 'Lo sentimos, este número no está en servicio.',
    unassigned: 'Lo sentimos, este número no recibe llamadas en este momento. Inténtelo más tarde.',
    tenant_inactive: 'Lo sentimos, el servicio no está disponible en este momento. Inténtelo más tarde.',
    no_agent: 'Lo sentimos, nadie puede atender su llamada ahora. Inténtelo más tarde.',
    all_agents_busy: 'Todas nuestras líneas están ocupadas. Llame de nuevo en unos minutos.',
    connecting: 'Un momento, le comunico con una persona de nuestro equipo.',
    hold: 'Gracias por esperar. Enseguida le atienden.',
    usage_cap: 'Lo sentimos, no podemos atender su llamada ahora. Llame más tarde.',
    ivr_retry: 'Perdone, no le he entendido.',
    still_there: '¿Sigue ahí?',
    goodbye: 'Gracias por llamar. ¡Adiós!',
    feedback_question: 'Antes de colgar, ¿cómo valora esta llamada? Pulse del 1 al 5, siendo 5 excelente.',
    feedback_thanks: 'Gracias por su opinión. ¡Adiós!',
    human_joined: 'Una persona de nuestro equipo se une a la llamada.',
  },
} as const;

export type PhraseKey = keyof (typeof PHRASES)['en'];

const primary = (tag: string): string => tag.split('-')[0] ?? tag;

/** The phrase in the call's language, English when the language has no translation. */
export const phrase = (language: string, key: PhraseKey): string => {
  const lang = primary(language);
  return (lang === 'es' ? PHRASES.es : PHRASES.en)[key];
};

/** "Press 1 for Sales, 2 for Support." in the menu's language. */
export const menuPrompt = (
  language: string,
  business: string,
  greeting: string | undefined,
  options: readonly { readonly digit: string; readonly label: string }[],
): string => {
  const es = primary(language) === 'es';
  const intro = greeting ?? (es ? `Gracias por llamar a ${business}.` : `Thank you for calling ${business}.`);
  const choices = options
    .map((o, i) =>
      es
        ? `${i === 0 ? 'Para' : 'para'} ${o.label}, pulse ${o.digit} o diga ${o.label}`
        : `${i === 0 ? 'For' : 'for'} ${o.label}, press ${o.digit} or say ${o.label}`,
    )
    .join('; ');
  return `${intro} ${choices}.`;
};
