// A deep import on purpose: natural's root index loads storage back ends that call dotenv.config() on import.
import stemmers from 'natural/lib/natural/stemmers/index.js';
import { ASKS_PRICE, BOOKING_NEED, coreOf, HYPOTHETICAL, PATTERNS } from './acts-patterns.js';
import { ACT_TRAINING } from './acts-training.js';

export const DIALOGUE_ACTS = [
  'human_request',
  'cancel_appointment',
  'reschedule_appointment',
  'book_appointment',
  'leave_message',
  'callback_request',
  'complaint',
  'objection',
  'goodbye',
  'provide_info',
  'question',
  'small_talk',
  'deny',
  'thanks',
  'affirm',
  'greeting',
] as const;

/**
 * What a caller line does. The order above is the priority when a line does several things: "hi, I'd like to
 * book" books, "no, I want to cancel" cancels, "thanks, bye" ends, "no thanks" declines. small_talk is a line that
 * is only a pleasantry ("hey, how's your day going?"): it has no pattern of its own (acts-patterns.ts' coreOf).
 */
export type DialogueAct = (typeof DIALOGUE_ACTS)[number];

export interface ActResult {
  readonly act: DialogueAct;
  /** 0-1. A phrase pattern that fits gives 0.9; the model alone gives its posterior times the share of the
   * line's content words it has seen, weighted below a pattern, so a line of unknown words stays low whatever
   * the model guesses. */
  readonly confidence: number;
  /** Every act a phrase pattern found in the line (a line can greet and book at once). */
  readonly alsoFound: readonly DialogueAct[];
}

export interface LabelledLine {
  readonly text: string;
  readonly act: DialogueAct;
}

/** Lower-case, accents and apostrophes gone, punctuation as spaces except "?": one spelling per phrase. */
export const normaliseLine = (text: string): string =>
  text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/['’]/g, '')
    .replace(/¿/g, ' ')
    .replace(/[^\p{L}\p{N}?]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** Found a pattern: confident, not certain (patterns do misfire on odd phrasings). */
const PATTERN_CONFIDENCE = 0.9;

/** Bayes posteriors are overconfident: features are not independent. Tempered as in stream-processors' intents. */
const TEMPERATURE = 2;

const stemEn = (w: string): string => stemmers.PorterStemmer.stem(w);
const stemEs = (w: string): string => stemmers.PorterStemmerEs.stem(w);

/**
 * Words that mean the same thing for what a line does, whatever the business: a person, someone coming over, a
 * look at something, a call, a message, a price, a time, a pleasantry. A line about a boiler and one about a
 * bicycle share "c:look" and "c:someone", which is what makes them both bookings; the nouns do not matter.
 */
const CONCEPTS: Readonly<Record<string, readonly string[]>> = {
  someone: ['someone', 'somebody', 'anyone', 'anybody', 'alguien', 'nadie', 'technician', 'tecnico'],
  person: [
    'person',
    'human',
    'agent',
    'representative',
    'rep',
    'staff',
    'manager',
    'supervisor',
    'persona',
    'humano',
    'agente',
    'asesor',
    'gerente',
    'encargado',
    'encargada',
    'empleado',
  ],
  transfer: [
    'transfer',
    'connect',
    'through',
    'put',
    'patch',
    'pase',
    'paseme',
    'pasame',
    'comuniqueme',
    'transfiera',
    'conecteme',
  ],
  talk: ['talk', 'speak', 'chat', 'hablar', 'platicar'],
  look: [
    'look',
    'check',
    'inspect',
    'examine',
    'fix',
    'repair',
    'service',
    'see',
    'diagnose',
    'revisar',
    'revisen',
    'revise',
    'arreglar',
    'arreglen',
    'ver',
    'vean',
    'checar',
    'reparar',
    'reparen',
    'chequear',
    'vistazo',
  ],
  come: [
    'come',
    'stop',
    'swing',
    'drop',
    'bring',
    'visit',
    'venir',
    'venga',
    'vengan',
    'pasar',
    'traer',
    'llevar',
    'visita',
  ],
  fitin: [
    'fit',
    'squeeze',
    'slot',
    'opening',
    'openings',
    'availability',
    'available',
    'hueco',
    'disponibilidad',
    'espacio',
    'lugar',
  ],
  booking: [
    'appointment',
    'booking',
    'reservation',
    'book',
    'schedule',
    'cita',
    'turno',
    'reserva',
    'reservar',
    'agendar',
  ],
  call: [
    'call',
    'ring',
    'phone',
    'buzz',
    'llamar',
    'llamen',
    'llame',
    'llamada',
    'marquen',
    'marcar',
    'telefono',
  ],
  back: ['back', 'return', 'vuelta', 'devolver', 'devuelvan', 'regresar', 'regresen'],
  message: ['message', 'note', 'word', 'voicemail', 'mensaje', 'recado', 'nota', 'dicho'],
  relay: [
    'pass',
    'tell',
    'let',
    'know',
    'relay',
    'forward',
    'digale',
    'digales',
    'avisele',
    'avisar',
    'pasele',
    'comentele',
    'decirle',
  ],
  price: [
    'cost',
    'price',
    'much',
    'charge',
    'fee',
    'quote',
    'estimate',
    'rate',
    'cuesta',
    'precio',
    'cobran',
    'cuanto',
    'tarifa',
    'saldria',
  ],
  when: [
    'today',
    'tomorrow',
    'tonight',
    'week',
    'morning',
    'afternoon',
    'evening',
    'monday',
    'tuesday',
    'wednesday',
    'thursday',
    'friday',
    'saturday',
    'sunday',
    'hoy',
    'manana',
    'semana',
    'tarde',
    'noche',
    'lunes',
    'martes',
    'miercoles',
    'jueves',
    'viernes',
    'sabado',
    'domingo',
  ],
  wh: [
    'what',
    'whats',
    'how',
    'hows',
    'where',
    'when',
    'which',
    'who',
    'why',
    'que',
    'como',
    'donde',
    'cuando',
    'cual',
    'quien',
    'porque',
  ],
  hello: ['hi', 'hello', 'hey', 'hiya', 'howdy', 'hola', 'buenas', 'buenos'],
  pleasant: ['going', 'doing', 'day', 'hope', 'tal', 'va', 'weekend', 'holding', 'treating'],
  thank: ['thanks', 'thank', 'appreciate', 'gracias', 'agradezco'],
  upset: [
    'angry',
    'upset',
    'unacceptable',
    'terrible',
    'awful',
    'furious',
    'frustrated',
    'enojado',
    'molesto',
    'pesimo',
    'harto',
    'queja',
  ],
};
const CONCEPT_OF = new Map<string, string>(
  Object.entries(CONCEPTS).flatMap(([concept, words]) => words.map((w) => [w, concept] as const)),
);

/**
 * Words and their English and Spanish stems (the model does not know which language a line is in), word pairs,
 * the concepts above, and numbers as one feature (a time or a phone number, whichever digits).
 */
export const actFeatures = (line: string): string[] => {
  const words = normaliseLine(line)
    .replace(/\?/g, ' qmark ')
    .split(' ')
    .filter((w) => w.length > 0)
    .map((w) => (/^\d+$/.test(w) ? 'num' : w));
  const features = new Set<string>();
  for (const word of words) {
    features.add(`w:${word}`);
    features.add(`en:${stemEn(word)}`);
    features.add(`es:${stemEs(word)}`);
    const concept = CONCEPT_OF.get(word);
    if (concept !== undefined) features.add(`c:${concept}`);
  }
  for (let i = 0; i + 1 < words.length; i += 1) features.add(`b:${words[i]}_${words[i + 1]}`);
  return [...features];
};

/**
 * The acts the patterns find, in priority order. Questions are also looked for after the openers ("yeah so do
 * you...", "hi, what time..."); a booking asked as a need counts unless the line asks a price; a line that is
 * only a pleasantry is small talk whatever its punctuation; a change only imagined beside a question is not
 * asked for.
 */
const patternActs = (line: string): DialogueAct[] => {
  const { core, pleasantry } = coreOf(line);
  const onlyPleasantry = pleasantry && core === '';
  const fits = (act: DialogueAct): boolean => {
    if (act === 'small_talk') return onlyPleasantry;
    // "Hello?" and "ok?" are openers asked aloud, not questions for the knowledge base.
    if (act === 'question' && core === '') return false;
    if (PATTERNS[act].some((re) => re.test(line) || (act === 'question' && re.test(core)))) return true;
    return act === 'book_appointment' && !ASKS_PRICE.test(line) && BOOKING_NEED.some((re) => re.test(line));
  };
  const found = DIALOGUE_ACTS.filter(fits);
  if (!found.includes('question') || !HYPOTHETICAL.test(line)) return found;
  return found.filter((act) => !TASKS_A_QUESTION_MAY_IMAGINE.has(act));
};

/** The tasks a question may mention as a maybe ("what's the fee if I cancel?") without asking for them. */
const TASKS_A_QUESTION_MAY_IMAGINE = new Set<DialogueAct>([
  'cancel_appointment',
  'reschedule_appointment',
  'book_appointment',
]);

export interface ActClassifier {
  classify(text: string): ActResult;
}

/** Words every line has, English and Spanish: knowing them says nothing about knowing the line. */
const FUNCTION_WORDS = new Set(
  (
    'the a an and or but so to of in on at for with from by about is are was were be been am it its this that ' +
    'these those i im me my we our you your he she they them his her their there here do does did have has had ' +
    'will would can could should just some any not qmark num ' +
    'el la los las un una unos unas y o pero de del en con por para a al es son fue ser estar esta este eso ' +
    'esto lo le les me mi mis nos su sus se que yo tu usted ustedes hay muy mas ya no si'
  ).split(' '),
);

/**
 * The model alone is a guess: it counts for less than a pattern, so that it is acted on (LOW_CONFIDENCE, 0.35)
 * only when it is sure of the act and knows most of the line's words. A wrong task started costs the caller
 * more than a knowledge search that finds nothing.
 */
const MODEL_WEIGHT = 0.6;

/** Add-one smoothing over the features seen in training. */
const SMOOTHING = 1;

/**
 * Patterns first, in priority order; a line no pattern fits goes to a multinomial naive Bayes model trained at
 * start-up on the labelled lines in acts-training.ts (a few milliseconds). Counted here by feature name rather
 * than with natural's Bayes, whose feature table is keyed by position (so no name was ever "seen") and whose
 * present-features-only scoring favoured the acts with the longest training lines.
 */
export const createActClassifier = (training: readonly LabelledLine[] = ACT_TRAINING): ActClassifier => {
  const lines = new Map<DialogueAct, number>();
  const counts = new Map<DialogueAct, Map<string, number>>();
  const totals = new Map<DialogueAct, number>();
  const known = new Set<string>();
  for (const { text, act } of training) {
    lines.set(act, (lines.get(act) ?? 0) + 1);
    const byFeature = counts.get(act) ?? new Map<string, number>();
    counts.set(act, byFeature);
    for (const f of actFeatures(text)) {
      byFeature.set(f, (byFeature.get(f) ?? 0) + 1);
      totals.set(act, (totals.get(act) ?? 0) + 1);
      known.add(f);
    }
  }
  const acts = [...lines.keys()];

  /** Log-space posteriors over the features the model knows, tempered and normalised. */
  const rank = (features: readonly string[]): { act: DialogueAct; p: number }[] => {
    const usable = features.filter((f) => known.has(f));
    const logs = acts.map((act) => {
      const byFeature = counts.get(act);
      const denominator = (totals.get(act) ?? 0) + SMOOTHING * known.size;
      let logP = Math.log((lines.get(act) ?? 1) / training.length);
      for (const f of usable) logP += Math.log(((byFeature?.get(f) ?? 0) + SMOOTHING) / denominator);
      return { act, logP };
    });
    const top = Math.max(...logs.map((l) => l.logP));
    const weights = logs.map((l) => ({ act: l.act, w: Math.exp((l.logP - top) / TEMPERATURE) }));
    const total = weights.reduce((sum, w) => sum + w.w, 0);
    return weights.map((w) => ({ act: w.act, p: w.w / total })).sort((a, b) => b.p - a.p);
  };

  return {
    classify(text: string): ActResult {
      const line = normaliseLine(text);
      const found = patternActs(line);
      const features = actFeatures(text);
      const ranked = features.length > 0 ? rank(features) : [];
      const best = found[0];
      if (best !== undefined) {
        // The model agreeing lifts a pattern's confidence a little; disagreeing does not lower it, since
        // patterns are right more often than the model on lines they fit.
        const agrees = ranked[0]?.act === best;
        return { act: best, confidence: agrees ? 0.95 : PATTERN_CONFIDENCE, alsoFound: found };
      }
      const top = ranked[0];
      if (!top) return { act: 'question', confidence: 0, alsoFound: [] };
      // Function words are known from any line; the share of the other words the model has seen is what says
      // whether it has met a line like this before.
      const all = features.filter((f) => f.startsWith('w:'));
      const content = all.filter((f) => !FUNCTION_WORDS.has(f.slice(2)));
      const words = content.length > 0 ? content : all;
      const seen = words.filter((f) => known.has(f)).length / Math.max(1, words.length);
      return { act: top.act, confidence: Math.round(top.p * seen * MODEL_WEIGHT * 100) / 100, alsoFound: [] };
    },
  };
};
