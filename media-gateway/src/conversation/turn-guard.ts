import { GATEWAY_NOTES, type ChatMessage } from '../llm/port.js';
import { isMarkup } from '../llm/index.js';
import {
  ACTION_TOOLS,
  claimedActions,
  echoesInstructions,
  indexEvidence,
  repeatsLongLine,
  namesSlot,
  unsupportedFactsIn,
  type ActionKind,
  type Evidence,
  type Instructions,
} from './guards/index.js';

/**
 * What the AI may say in this turn, judged one sentence at a time from the call's history: facts only with
 * evidence for them, and only actions the tools really did. Pure: the turn (model-turn.ts) decides what to say
 * instead.
 */

export const KNOWLEDGE_TOOL = 'search_knowledge_base';

const NOTES: ReadonlySet<string> = new Set(Object.values(GATEWAY_NOTES));

/** Where the caller's latest line (or the gateway's note in its place) is in the history; -1: none yet. */
export const latestLineIndex = (messages: readonly ChatMessage[]): number =>
  messages.findLastIndex((m) => m.role === 'user');

/** Where the current turn starts in the history: just after the caller's latest line (or the gateway's note). */
const turnStart = (messages: readonly ChatMessage[]): number => latestLineIndex(messages) + 1;

/** The caller's latest own words (not a note the gateway wrote for them), if they said anything yet. */
export const latestCallerLine = (messages: readonly ChatMessage[]): string | undefined =>
  messages.findLast(
    (m): m is Extract<ChatMessage, { role: 'user' }> => m.role === 'user' && !NOTES.has(m.content),
  )?.content;

/** What the history says this turn may rest on. */
export interface TurnRecord {
  /**
   * Text a fact may come from: the system prompt, the caller's lines, this turn's tool results and the call's
   * earlier tool results except knowledge (an answer looked up for an earlier question is not looked up now).
   */
  readonly evidence: readonly string[];
  /** Tools that succeeded at some point of the call. */
  readonly succeededInCall: ReadonlySet<string>;
  /** Tools that succeeded in this turn. */
  readonly succeededInTurn: ReadonlySet<string>;
  /** Whether the knowledge base was searched in this turn. */
  readonly lookedUp: boolean;
  /** The slots (startsAt) of the call's successful bookings and moves, by tool. */
  readonly slots: ReadonlyMap<string, readonly string[]>;
  /** Where and when the call is: a claimed slot is read in the tenant's zone. */
  readonly timeZone: string;
  readonly now: Date;
  /** The platform's own instructions to the model (not the tenant's words): never an answer. */
  readonly instructions?: Instructions;
  /** The call's first reply (the greeting) when this turn is a later one: said again, it answers nothing. */
  readonly opening: readonly string[];
}

/** The slot a successful tool result names (a booking's or a move's startsAt). */
const resultSlot = (content: string): string | undefined => {
  try {
    const startsAt = (JSON.parse(content) as { startsAt?: unknown } | null)?.startsAt;
    return typeof startsAt === 'string' ? startsAt : undefined;
  } catch {
    return undefined;
  }
};

export const turnRecord = (
  system: string,
  messages: readonly ChatMessage[],
  succeeded: { has(message: ChatMessage): boolean },
  clock: { readonly timeZone: string; readonly now: Date; readonly instructions?: Instructions },
): TurnRecord => {
  const start = turnStart(messages);
  const evidence = [system];
  const succeededInCall = new Set<string>();
  const succeededInTurn = new Set<string>();
  let lookedUp = false;
  const slots = new Map<string, string[]>();
  const first = messages.findIndex((m) => m.role === 'assistant' && m.content !== '');
  const opening = first >= 0 && first < start ? [messages[first]?.content ?? ''] : [];
  messages.forEach((message, i) => {
    if (message.role === 'user') evidence.push(message.content);
    if (message.role !== 'tool') return;
    const inTurn = i >= start;
    if (inTurn || message.name !== KNOWLEDGE_TOOL) evidence.push(message.content);
    if (inTurn && message.name === KNOWLEDGE_TOOL) lookedUp = true;
    if (succeeded.has(message)) {
      succeededInCall.add(message.name);
      const slot = resultSlot(message.content);
      if (slot !== undefined) slots.set(message.name, [...(slots.get(message.name) ?? []), slot]);
      if (inTurn) succeededInTurn.add(message.name);
    }
  });
  return { evidence, succeededInCall, succeededInTurn, lookedUp, slots, opening, ...clock };
};

/** A done claim that names a time names one its tool succeeded at in the call ("booked Friday at 3" is not Tuesday's). */
const slotHolds = (sentence: string, tool: string, record: TurnRecord): boolean => {
  const slots = record.slots.get(tool) ?? [];
  if (slots.length === 0) return true;
  const verdicts = slots.map((slot) => namesSlot(sentence, slot, record.timeZone, record.now));
  return verdicts.includes('fits') || verdicts.every((v) => v === 'none');
};

export type SentenceCheck =
  | { readonly kind: 'say' }
  /** JSON, a tool-call tag or a code fence: never read to a caller. */
  | { readonly kind: 'markup' }
  /** The model's instructions read back, or a long line of an earlier reply said again: never an answer. */
  | { readonly kind: 'echo' }
  | { readonly kind: 'unsupported'; readonly facts: readonly string[] }
  /** An action said done (or promised now) that no tool made true (yet). */
  | { readonly kind: 'claim'; readonly action: ActionKind; readonly tool: string; readonly done: boolean };

/**
 * A sentence judged against the turn's record (its evidence indexed once for all the sentences of a round). A
 * done claim holds when its tool succeeded in the call, a promise only when it succeeded in this turn (the turn
 * decides whether the reply's own tool calls keep it).
 */
export const checkSentence = (
  sentence: string,
  record: TurnRecord,
  evidence: Evidence = indexEvidence(record.evidence),
): SentenceCheck => {
  if (isMarkup(sentence)) return { kind: 'markup' };
  if (
    (record.instructions !== undefined && echoesInstructions(sentence, record.instructions)) ||
    repeatsLongLine(sentence, record.opening)
  )
    return { kind: 'echo' };
  const facts = unsupportedFactsIn(sentence, evidence);
  if (facts.length > 0) return { kind: 'unsupported', facts };
  const { done, promised } = claimedActions(sentence);
  for (const action of done) {
    const tool = ACTION_TOOLS[action];
    if (!record.succeededInCall.has(tool) || !slotHolds(sentence, tool, record)) {
      return { kind: 'claim', action, tool, done: true };
    }
  }
  for (const action of promised) {
    const tool = ACTION_TOOLS[action];
    if (!record.succeededInTurn.has(tool)) return { kind: 'claim', action, tool, done: false };
  }
  return { kind: 'say' };
};
