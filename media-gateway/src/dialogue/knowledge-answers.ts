import {
  anythingElse,
  ask,
  clip,
  has,
  note,
  reply,
  unsure,
  type DialogueState,
  type PolicyContext,
  type Step,
} from './dialogue-state.js';
import { nextBookingStep } from './booking.js';
import { answerPassage, languageOfText } from './answer-passage.js';
import { phrase, say, phoneLength } from './phrases.js';
import { SearchResult } from './tool-results.js';

/**
 * Answers from the knowledge base: a question (or an objection) searched for, "I could not find that" with the
 * help there is instead, and the answer read out of the search result.
 */

const NO_CONFIDENCE_ANSWER = 0.25;

/**
 * An answer read out of an article. One written in another language than the caller's (a Spanish caller, a topic
 * only an English article covers) is said as it is written, introduced in the caller's language: the offline
 * engine cannot translate, and the fact (a price, a time) is better heard in English than not at all. One that
 * answers only part of the question is read out after saying it may not be what was asked.
 */
const articleAnswer = phrase<{ text: string; language: string | undefined; sure: boolean }>(
  ({ text, language, sure }) => {
    // A hedge ends in a full stop: it qualifies the answer and is no part of its sentence.
    const en = sure
      ? { same: '', other: 'I only have that in Spanish: ' }
      : {
          same: "I'm not sure that's exactly what you're asking. Here's what I have: ",
          other: "I'm not sure that's exactly what you're asking. What I have is only in Spanish: ",
        };
    const formal = sure
      ? { same: '', other: 'Esa información solo la tengo en inglés: ' }
      : {
          same: 'No sé si es exactamente lo que pregunta. Esto es lo que tengo: ',
          other: 'No sé si es exactamente lo que pregunta. Lo que tengo está solo en inglés: ',
        };
    const warm = sure
      ? { same: '', other: 'Eso solo lo tengo en inglés: ' }
      : {
          same: 'No sé si es justo lo que buscas. Esto es lo que tengo: ',
          other: 'No sé si es justo lo que buscas. Lo que tengo está solo en inglés: ',
        };
    return {
      en: `${language === 'es' ? en.other : en.same}${text}`,
      es: {
        formal: `${language === 'en' ? formal.other : formal.same}${text}`,
        warm: `${language === 'en' ? warm.other : warm.same}${text}`,
      },
    };
  },
);

/**
 * Below this score an article shares only part of what was asked: it is read out, as it may well answer, but
 * the caller hears that it may not.
 */
const SURE_SCORE = 0.45;

/** An answer from the knowledge base counts from this score for an objection (whose words differ more). */
const OBJECTION_ARTICLE_SCORE = 0.6;

export const search = (
  state: DialogueState,
  text: string,
  purpose: 'question' | 'objection',
  ctx: PolicyContext,
  confidence: number,
): Step => {
  if (!has(ctx, 'search_knowledge_base')) {
    return purpose === 'objection'
      ? anythingElse(state, [say.understand()], confidence)
      : notFound(state, ctx, confidence);
  }
  return ask(
    { ...state, searchPurpose: purpose, awaiting: undefined },
    purpose === 'question' ? [say.checking()] : [],
    { name: 'search_knowledge_base', arguments: { query: text.trim().slice(0, 500) } },
    confidence,
  );
};

export const notFound = (state: DialogueState, ctx: PolicyContext, confidence: number): Step => {
  const person = has(ctx, 'escalate_to_human');
  const message = has(ctx, 'take_message');
  return unsure(
    reply(
      { ...state, awaiting: person || message ? 'offer_help' : 'anything_else' },
      [say.notFound({ person, message })],
      confidence,
    ),
  );
};

/** The search result: the best match said (and a booking under way taken up again), or nothing found. */
export const afterSearch = (
  state: DialogueState,
  args: Readonly<Record<string, unknown>>,
  result: unknown,
  ctx: PolicyContext,
): Step => {
  const c = state.confidence;
  const query = typeof args['query'] === 'string' ? args['query'] : '';
  const parsed = SearchResult.safeParse(result);
  const results = parsed.success ? parsed.data.results : [];
  const purpose = state.searchPurpose ?? 'question';
  const best =
    purpose === 'objection'
      ? (results.find((r) => r.kind === 'objection') ??
        results.find((r) => r.score >= OBJECTION_ARTICLE_SCORE))
      : results[0];
  const next: DialogueState = { ...state, searchPurpose: undefined };
  if (!best) {
    const noted = note(next, `Searched the knowledge base for "${clip(query, 120)}": nothing found.`);
    return purpose === 'objection'
      ? anythingElse(noted, [say.understand()], c)
      : notFound(noted, ctx, Math.min(c ?? 1, NO_CONFIDENCE_ANSWER));
  }
  const noted = note(next, `Answered "${clip(query, 120)}" from "${clip(best.title, 80)}".`);
  const answer =
    purpose === 'question'
      ? articleAnswer({
          text: best.passage ?? answerPassage(query, best.text),
          language: best.passageLanguage ?? languageOfText(best.text),
          sure: best.score >= SURE_SCORE,
        })
      : say.answer(phoneLength(best.text));
  const confidence = Math.round(Math.min(c ?? 1, best.score) * 100) / 100;
  // A question asked in the middle of a booking: answer it, then take the booking up where it was.
  if (noted.task?.kind === 'book') {
    const resumed = nextBookingStep(noted, noted.task, ctx, confidence);
    return { ...resumed, output: { ...resumed.output, say: [answer, ...resumed.output.say] } };
  }
  return anythingElse(noted, [answer], confidence);
};
