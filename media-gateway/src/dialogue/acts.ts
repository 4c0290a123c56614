// Deep imports on purpose: natural's root index loads storage back ends that call dotenv.config() on import.
import classifiers from 'natural/lib/natural/classifiers/index.js';
import stemmers from 'natural/lib/natural/stemmers/index.js';
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
  'deny',
  'thanks',
  'affirm',
  'greeting',
] as const;

/**
 * What a caller line does. The order above is the priority when a line does several things: "hi, I'd like to
 * book" books, "no, I want to cancel" cancels, "thanks, bye" ends, "no thanks" declines.
 */
export type DialogueAct = (typeof DIALOGUE_ACTS)[number];

export interface ActResult {
  readonly act: DialogueAct;
  /** 0-1. A phrase pattern that fits gives 0.9; the model alone gives its posterior times the share of the
   * line's words it has seen, so a line of unknown words stays low whatever the model guesses. */
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

/**
 * Phrase patterns over normaliseLine's output, English and Spanish. They carry most of the accuracy; the model
 * catches the phrasings they miss.
 */
const PATTERNS: Readonly<Record<DialogueAct, readonly RegExp[]>> = {
  human_request: [
    /\b(speak|talk|chat)\w* (to|with) (a |an |some |one of )?(real |actual |live )?(person|human|someone|somebody|agent|representative|rep|manager|supervisor|operator|people|staff|receptionist)/,
    /\b(real|actual|live) (person|human|agent)\b/,
    /\bhuman being\b/,
    /\b(transfer|connect|put) me (through )?(to|with) (a |an |the |someone|somebody)/,
    /\b(get|give) me (a |an |the )?(person|human|agent|manager|supervisor|operator|representative)\b/,
    /\b(operator|representative|supervisor)\b/,
    /\bhablar con (una |un |el |la |alguien|algun)/,
    /\b(pase|paseme|pasame|comuniqueme|comunicame|transfiera|transfierame|conecteme|conectame)\b.*\b(con|a) /,
    /\b(persona real|ser humano|un humano|una persona|un agente|un asesor|una asesora|un operador|una operadora|el gerente|la gerente|un supervisor|el encargado|la encargada)\b/,
  ],
  cancel_appointment: [
    /\bcancel+(ing|ed)?\b/,
    /\bcall (it )?off\b|\bcall off\b/,
    /\bwont be able to (make|come|attend)|\bcant (make|come|attend)\b.*\b(appointment|booking|it)\b/,
    /\b(cancelar|anular|cancele|anule|cancela|anula)\b/,
    /\bno (voy a |podre )(poder )?(ir|asistir|llegar)\b/,
  ],
  reschedule_appointment: [
    /\breschedul\w*|\bre schedul\w*/,
    /\b(move|change|shift|push|switch|bump)\w* (my |the |our )?(appointment|booking|reservation|visit|time|slot|it)\b/,
    /\b(different|another|other|new) (day|time|date)\b/,
    /\b(cambiar|mover|pasar|reprogramar|aplazar|posponer|adelantar|atrasar)\w* (mi |la |el )?(cita|reserva|turno|hora|fecha)/,
    /\breprogramar\b|\bcambiar (la |mi )?(cita|fecha|hora)|\botro dia\b|\botra hora\b/,
  ],
  book_appointment: [
    /\b(book|schedule|make|set up|get|need|want|like|have)\w* (me |in |an? |my )?(an? )?(appointment|booking|reservation|visit|consultation|slot)\b/,
    /\b(book|schedule)\w* (a|an|me|in|for)\b/,
    /\bcome in for\b/,
    /\b(any|have you got|do you have) (availability|openings|slots|free slots|appointments)\b/,
    /\b(reservar|agendar|programar|pedir|sacar|solicitar|hacer)\w* (una |un )?(cita|turno|hora|reserva|consulta)/,
    /\b(quiero|quisiera|necesito|me gustaria) (una |un )?(cita|turno|reserva|consulta)\b/,
    /\b(reservar|agendar)\b/,
  ],
  leave_message: [
    /\b(leave|take|pass|give|send)\w* (a |her a |him a |them a |on a )?(message|msg|note|voicemail)/,
    /\bmessage for\b/,
    /\b(dejar|dejarle|dejarles|tomar|tomarme|pasar|pasarle|darle|dar)\w* (un )?(mensaje|recado|nota)/,
    /\b(mensaje|recado) para\b/,
  ],
  callback_request: [
    /\b(call|ring|phone) (me|us) back\b/,
    /\bcall ?back\b/,
    /\b(call|ring|phone) me (later|tomorrow|in the|this|next|at|on)\b/,
    /\b(have|get) (someone|somebody|them) (to )?(call|ring|phone)/,
    /\b(devolver|devuelvan|devuelva|regresar|regresen)\w* (la |mi )?llamada\b/,
    /\b(llamenme|llameme|me llamen|me llame|me pueden llamar|me puede llamar|llamarme)\b/,
  ],
  complaint: [
    /\b(ridiculous|unacceptable|terrible|horrible|awful|worst|disgusting|outrageous|useless|incompetent|rude|pathetic)\b/,
    /\b(furious|angry|upset|frustrated|fed up|sick of|tired of|disappointed|unhappy|not happy|annoyed|livid)\b/,
    /\b(complain|complaint)\w*/,
    /\bwaste of (my )?time\b/,
    /\b(inaceptable|terrible|horrible|pesimo|pesima|ridiculo|ridicula|vergonzoso|una verguenza|inutil|incompetentes?|groseros?)\b/,
    /\b(molest[oa]s?|enojad[oa]s?|enfadad[oa]s?|furios[oa]s?|harto|harta|cansad[oa] de|decepcionad[oa]|indignad[oa])\b/,
    /\b(queja|quejarme|reclamo|reclamacion)\b/,
    /\bnadie me (ayuda|atiende|contesta)\b/,
  ],
  objection: [
    /\b(too|so|really|way too|very) (expensive|pricey|costly|much money)\b/,
    /\b(cant|can not|cannot) afford\b/,
    /\bnot interested\b/,
    /\balready (have|use|got|work with)\b/,
    /\b(need|have) to think about it\b|\bnot (right )?now\b.*\b(maybe|later)\b/,
    /\b(muy|demasiado|bastante) car[oa]s?\b/,
    /\bno me interesa\b|\bno estoy interesad[oa]\b/,
    /\bya (tengo|uso|trabajo con|tenemos)\b/,
    /\b(no me alcanza|no puedo pagar)\b/,
  ],
  question: [
    /\?/,
    /^(what|whats|when|where|how|why|which|who|is|are|do|does|can|could|will|would|should|have|has)\b/,
    /\b(wondering|want to know|would like to know|like to know|tell me|information about|info about|question about)\b/,
    /^(que|cuando|donde|como|cual|cuales|cuanto|cuanta|cuantos|cuantas|quien|por que|tienen|hay|aceptan|puedo|pueden|es|son|esta|estan|abren|cierran|atienden|trabajan|ofrecen|hacen|venden)\b/,
    /\b(quisiera saber|quiero saber|me puede decir|me podria decir|informacion sobre|una pregunta)\b/,
  ],
  provide_info: [
    /\b(my name is|my names|this is [a-z]+ [a-z]+$|me llamo|mi nombre es|a nombre de)\b/,
    /^(its |it is |es |seria |thats |just )?(for|para) (an?|una?|the|el|la|my|mi)\b/,
    /\b(my (phone|number|email|address|account)|mi (telefono|numero|correo|direccion|cuenta))\b/,
  ],
  goodbye: [
    /\b(bye|goodbye|good bye|see you|take care|have a (good|nice|great) (day|one|evening|night|weekend))\b/,
    /\b(adios|hasta luego|hasta pronto|hasta manana|nos vemos|chao|chau|que tenga (un )?(buen|buena|lindo)|que le vaya bien)\b/,
    /\b(thats all|that is all|thats it|nothing else|eso es todo|es todo|nada mas)\b/,
  ],
  thanks: [
    /\b(thanks|thank you|thank u|thx|cheers|appreciate)\b/,
    /\b(gracias|se lo agradezco|te lo agradezco|muy amable|agradecid[oa])\b/,
  ],
  deny: [
    /^(no|nope|nah|not really|not at all|negative|no no)\b/,
    /\b(thats not right|thats wrong|not correct|incorrect|dont do that|i dont want)\b/,
    /\b(no es correcto|no esta bien|eso no|para nada|no gracias|tampoco|no quiero)\b/,
  ],
  affirm: [
    /^(yes|yeah|yep|yup|sure|ok|okay|correct|right|exactly|absolutely|definitely|of course|please do|go ahead|sounds good|perfect|great|that works|alright|fine|uh huh)\b/,
    /\b(thats (right|correct|perfect|fine|great)|that works|sounds (good|great|fine)|go ahead|yes please)\b/,
    /^(si|claro|correcto|exacto|de acuerdo|vale|perfecto|por supuesto|dale|bueno|esta bien|ok|okey|sale|asi es|eso es)\b/,
  ],
  greeting: [
    /^(hi|hello|hey|hiya|good (morning|afternoon|evening)|howdy|greetings)\b/,
    /^(hola|buenos dias|buenas tardes|buenas noches|buen dia|buenas|alo|alo|diga|bueno)\b/,
  ],
};

/** Found a pattern: confident, not certain (patterns do misfire on odd phrasings). */
const PATTERN_CONFIDENCE = 0.9;

/** Bayes posteriors are overconfident: features are not independent. Tempered as in stream-processors' intents. */
const TEMPERATURE = 2;

const stemEn = (w: string): string => stemmers.PorterStemmer.stem(w);
const stemEs = (w: string): string => stemmers.PorterStemmerEs.stem(w);

/** Words and their English and Spanish stems: the model does not know which language a line is in. */
export const actFeatures = (line: string): string[] => {
  const words = normaliseLine(line)
    .replace(/\?/g, ' qmark ')
    .split(' ')
    .filter((w) => w.length > 0);
  const features = new Set<string>();
  for (const word of words) {
    features.add(`w:${word}`);
    features.add(`en:${stemEn(word)}`);
    features.add(`es:${stemEs(word)}`);
  }
  for (let i = 0; i + 1 < words.length; i += 1) features.add(`b:${words[i]}_${words[i + 1]}`);
  return [...features];
};

type Bayes = InstanceType<typeof classifiers.BayesClassifier>;

export interface ActClassifier {
  classify(text: string): ActResult;
}

/**
 * Patterns first, in priority order; a line no pattern fits goes to a naive Bayes model trained at start-up on
 * the labelled lines in acts-training.ts (a few milliseconds).
 */
export const createActClassifier = (training: readonly LabelledLine[] = ACT_TRAINING): ActClassifier => {
  const bayes: Bayes = new classifiers.BayesClassifier();
  for (const { text, act } of training) bayes.addDocument(actFeatures(text), act);
  bayes.train();
  const model = bayes.classifier;
  const known = new Set<string>();
  for (const counts of Object.values(model.classFeatures)) for (const f of Object.keys(counts)) known.add(f);
  const acts = Object.keys(model.classTotals) as DialogueAct[];

  /** Log-space posteriors (natural's own underflow on long lines), tempered and normalised. */
  const rank = (features: readonly string[]): { act: DialogueAct; p: number }[] => {
    const present = bayes.textToFeatures([...features]);
    const logs = acts.map((act) => {
      const classTotal = model.classTotals[act] ?? 1;
      const counts = model.classFeatures[act] ?? {};
      let logP = Math.log(classTotal / model.totalExamples);
      present.forEach((isPresent, feature) => {
        if (isPresent) logP += Math.log((counts[feature] ?? model.smoothing) / classTotal);
      });
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
      const found = DIALOGUE_ACTS.filter((act) => PATTERNS[act].some((re) => re.test(line)));
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
      const words = features.filter((f) => f.startsWith('w:'));
      const seen = words.filter((f) => known.has(f)).length / Math.max(1, words.length);
      return { act: top.act, confidence: Math.round(top.p * seen * 100) / 100, alsoFound: [] };
    },
  };
};
