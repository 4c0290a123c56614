import { sayTimes } from '../booking/spoken.js';
import { phrase } from './phrases.js';

/** What the offline engine says when it books through the tenant's services: free times offered, a known caller. */

interface Times {
  readonly starts: readonly Date[];
  readonly timeZone: string;
}
const en = (t: Times): string => sayTimes(t.starts, t.timeZone, 'en');
const es = (t: Times): string => sayTimes(t.starts, t.timeZone, 'es');

export const offerSay = {
  helloKnown: phrase<string>((name) => ({
    en: {
      formal: `Hello ${name}, thank you for calling. How may I help you today?`,
      warm: `Hi ${name}, great to hear from you! How can I help today?`,
    },
    es: {
      formal: `Hola, ${name}, gracias por llamar. ¿En qué puedo ayudarle hoy?`,
      warm: `¡Hola, ${name}! Qué gusto oírte. ¿En qué te puedo ayudar hoy?`,
    },
  })),
  /** Before the agent's own greeting, to a known caller. */
  welcomeBack: phrase<string>((name) => ({
    en: { formal: `Hello ${name}.`, warm: `Hi ${name}!` },
    es: { formal: `Hola, ${name}.`, warm: `¡Hola, ${name}!` },
  })),
  checkingTimes: phrase<void>(() => ({
    en: { formal: 'One moment while I check our free times.', warm: 'Let me see what we have free.' },
    es: { formal: 'Un momento, reviso los horarios libres.', warm: 'Déjame ver qué horarios hay libres.' },
  })),
  offer: phrase<Times>((t) => ({
    en: {
      formal: `I have ${en(t)}. What time would suit you?`,
      warm: `I've got ${en(t)}. What time works for you?`,
    },
    es: {
      formal: `Tengo ${es(t)}. ¿A qué hora le viene mejor?`,
      warm: `Tengo ${es(t)}. ¿A qué hora te viene mejor?`,
    },
  })),
  /** The time asked for is not free; the offers follow. */
  notFree: phrase<Times>((t) => ({
    en: `I'm sorry, ${en(t)} is not available.`,
    es: `Lo siento, ${es(t)} no está disponible.`,
  })),
  notAvailable: phrase<void>(() => ({
    en: "I'm sorry, that time is not available.",
    es: 'Lo siento, esa hora no está disponible.',
  })),
  /** Nothing free on the day asked; the offers that follow are later. */
  dayFull: phrase<void>(() => ({
    en: "I'm sorry, we have nothing free that day.",
    es: 'Lo siento, ese día no tenemos nada libre.',
  })),
  /** Another caller booked the chosen time first. */
  slotTaken: phrase<void>(() => ({
    en: "I'm sorry, someone else just booked that time.",
    es: 'Lo siento, alguien acaba de reservar esa hora.',
  })),
  noFreeTimes: phrase<void>(() => ({
    en: {
      formal: "I'm sorry, I can't find a free time for that. Is there another day that would suit you?",
      warm: "Sorry, I can't find a free time for that. Is there another day that works?",
    },
    es: {
      formal: 'Lo siento, no encuentro una hora libre para eso. ¿Le vendría bien otro día?',
      warm: 'Lo siento, no encuentro una hora libre para eso. ¿Te viene bien otro día?',
    },
  })),
  whichService: phrase<readonly string[]>((names) => {
    const list = (or: string) =>
      names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')}${or}${names.at(-1)}`;
    return {
      en: `We offer ${list(' or ')}. Which would you like?`,
      es: `Ofrecemos ${list(' o ')}. ¿Cuál desea?`,
    };
  }),
};
