import { CLAIM_PATTERNS } from './claim-patterns.js';
import { matchesOf, plain } from './text.js';

export const ACTION_KINDS = [
  'booked',
  'rescheduled',
  'cancelled',
  'message_taken',
  'callback_scheduled',
  'ticket_opened',
  'transferred',
  'do_not_call',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** The tool whose success makes each action true. */
export const ACTION_TOOLS: Readonly<Record<ActionKind, string>> = {
  booked: 'book_appointment',
  rescheduled: 'reschedule_appointment',
  cancelled: 'cancel_appointment',
  message_taken: 'take_message',
  callback_scheduled: 'schedule_callback',
  ticket_opened: 'open_ticket',
  transferred: 'escalate_to_human',
  do_not_call: 'add_to_do_not_call',
};

/** Asking is not claiming: "Shall I book it?", "Would you like me to cancel…?", "¿La reservo?". */
const ASKING =
  /^(?:(?:so|and|then|okay|ok|great|perfect|alright|all right|now|well)\s+)*(?:shall|should|would|will|do|does|did|can|could|may|might|is|are|was|were|want|what|when|which|how|who|where|have|has)\b/;

/** The sentence without its questions: Spanish ¿…? spans, and English clauses that ask, from the asking one on. */
const withoutQuestions = (text: string): string =>
  text
    .replace(/¿[^?]*(?:\?|$)/g, ' ')
    .split(/(?<=[.!?])\s+/)
    .map((piece) => {
      if (!piece.trimEnd().endsWith('?')) return piece;
      const clauses = piece.split(/,\s*/);
      const asking = clauses.findIndex((c) => ASKING.test(c.trim()));
      return asking < 0 ? piece : clauses.slice(0, asking).join(', ');
    })
    .join(' ');

/** A negation between the start of the clause and the claim: "I haven't…", "no he reservado", "not yet". */
const NEGATED =
  /(?:\b(?:not|never|no|nunca|cannot|unable|tampoco|yet\s+to)\b|n't\b)[^,;:.!?]*$|(?:\btodavía|\btodavia|\baún|\baun)\s+no\s+$/;

const negated = (text: string, at: number): boolean => {
  const before = text.slice(0, at);
  const clause = before.slice(
    Math.max(...[',', ';', ':', '.', '!', '?', '¡'].map((c) => before.lastIndexOf(c))) + 1,
  );
  return NEGATED.test(clause);
};

/** Actions a sentence says were done or promises to do now, English and Spanish. */
export const claimedActions = (
  sentence: string,
): { readonly done: readonly ActionKind[]; readonly promised: readonly ActionKind[] } => {
  const text = withoutQuestions(plain(sentence));
  const done = new Set<ActionKind>();
  const promised = new Set<ActionKind>();
  for (const { kind, when, pattern } of CLAIM_PATTERNS) {
    if (matchesOf(pattern, text).some((m) => !negated(text, m.index)))
      (when === 'done' ? done : promised).add(kind);
  }
  return {
    done: ACTION_KINDS.filter((k) => done.has(k)),
    promised: ACTION_KINDS.filter((k) => promised.has(k) && !done.has(k)),
  };
};
