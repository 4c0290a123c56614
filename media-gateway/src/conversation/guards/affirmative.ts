import { plain } from './text.js';

/**
 * A caller's plain "yes" to a confirmation question, English or Spanish. Anything more than an agreement is
 * not one: a negation or a hesitation ("no", "wait", "actually", "mejor el viernes"), a question, or words
 * about something else ("yes, and can I bring my dog") — the caller then gets asked again rather than booked.
 */

/** Whole words or phrases (JavaScript's \b does not see "í" as a letter: "sí" needs this). */
const phrases = (alternatives: string, flags = 'u'): RegExp =>
  new RegExp(`(?<![\\p{L}\\p{N}'])(?:${alternatives})(?![\\p{L}\\p{N}])`, flags);

/** Words and phrases that agree. */
const AGREE_WORDS =
  'yes|yeah|yea|yep|yup|uh huh|uh-huh|mhm|great|fine|sure|surely|correct|right|ok|okay|alright|all right|go ahead|please do|perfect|absolutely|definitely|certainly|of course|sounds good|sounds great|that works|works for me|do it|book it|cancel it|move it|confirmed|exactly|indeed|please|sí|si|claro|correcto|de acuerdo|vale|perfecto|perfecta|por favor|adelante|exacto|eso es|así es|asi es|hágalo|hagalo|hazlo|dale|bueno|está bien|esta bien|ok|okey|muy bien|genial|por supuesto|desde luego|cómo no|como no|sale|órale|orale|reservela|resérvela|resérvala|reservala|cancélela|cancelela|cámbiela|cambiela';
const AGREE = phrases(AGREE_WORDS);
const EVERY_AGREEMENT = phrases(AGREE_WORDS, 'gu');

/** Words that may come with an agreement without changing it. */
const FILLER = new Set(
  (
    "um uh er well oh great good fine thanks thank you very much that that's thats is it's its it this one " +
    "the please me for go ahead do works sounds lovely excellent wonderful cool fantastic awesome brilliant ma'am " +
    'sir madam maam mam yes definitely just so and gracias muchas muy bien eso es está esta así asi la lo le ' +
    'thing would be me mi por favor ya pues entonces hombre mujer señor señora señorita'
  ).split(' '),
);

/** A negation, a hesitation or a change of mind anywhere makes the line no agreement. */
const NOT_AGREEING = phrases(
  "no|not|nope|nah|never|don't|dont|do not|wait|hold on|hang on|actually|but|instead|rather|hmm+|mm+|um+m|maybe|perhaps|later|another|different|other|change|cancel that|espere|espera|esperé|mejor|pero|quizás|quizas|tal vez|otro|otra|cambiar|cambie|un momento|momento|no sé|no se|ni|think|guess|suppose|creo|supongo|[a-z]+n't",
);

export const isAffirmative = (line: string): boolean => {
  const text = plain(line).trim();
  if (text === '' || /[?¿]/.test(text) || NOT_AGREEING.test(text)) return false;
  if (!AGREE.test(text)) return false;
  const rest = text
    .replace(EVERY_AGREEMENT, ' ')
    .replace(/[^a-z0-9áéíóúüñ'\s]/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
  return rest.every((w) => FILLER.has(w)) || agreesThenAdds(text);
};

/** Days, times and numbers: what would change the slot rather than agree to it ("yes, Tuesday at 4"). */
const SLOT_WORDS = phrases(
  '\\d+|monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|morning|afternoon|evening|noon|' +
    "o'clock|am|pm|lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo|hoy|mañana|manana|tarde|noche|mediodía|mediodia",
);

/**
 * "Yes, under Maria Known.": an agreement first, then words that add to it without naming another slot. The
 * offline engine reads such a line as a yes too, and the gate must not stop what the engine confirmed.
 */
const agreesThenAdds = (text: string): boolean => {
  const first = AGREE.exec(text);
  if (first === null) return false;
  const before = text
    .slice(0, first.index)
    .replace(/[^a-záéíóúüñ'\s]/g, ' ')
    .split(/\s+/);
  return before.every((w) => w === '' || FILLER.has(w)) && !SLOT_WORDS.test(text);
};
