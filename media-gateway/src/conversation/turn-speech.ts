import { splitSentences, type LlmResponse } from '../llm/index.js';
import {
  checkingLine,
  fillerLine,
  indexEvidence,
  noAnswerLine,
  notDoneLine,
  type Evidence,
} from './guards/index.js';
import { checkSentence, type TurnRecord } from './turn-guard.js';

/**
 * What the caller hears in one AI turn, sentence by sentence as the model writes them: each passes the turn's
 * guards (turn-guard.ts) and is said at once on a media stream, or with the rest of the reply otherwise. A
 * sentence with a fact nothing supports is not said: the gateway says it is checking and owes a knowledge
 * lookup (once a turn), or, once looked up, that it does not know (once a turn). A claimed action no tool made
 * true is replaced by an honest line. When the model is slow to say anything, a filler line is said, once.
 */

/** A claim that the reply's own tool calls may make true: judged once the reply is complete. */
const HOLD = Symbol('hold');
/** A promise the reply's own tool call is to keep: judged once that call ran. */
const DEFER = Symbol('defer');

export interface TurnSpeechOptions {
  readonly language: string;
  /** Where each line goes as it is said (a media stream); absent, the turn's lines are said when it ends. */
  readonly onLine?: (line: string) => void;
  /** The turn's record as the history stands now (it grows as tools run). */
  readonly record: () => TurnRecord;
  /** With onLine: the filler line after this long without a word from the model; 0: never. */
  readonly fillerMs: number;
  /** How the evidence is indexed (indexEvidence; a test counts the calls). */
  readonly indexEvidence?: (evidence: readonly string[]) => Evidence;
}

const sameTexts = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((text, i) => text === b[i]);

const normalised = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** How many leading sentences two lists share. */
const sharedPrefix = (a: readonly string[], b: readonly string[]): number => {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n += 1;
  return n;
};

export class TurnSpeech {
  /** Every line said in the turn, in order. */
  readonly lines: string[] = [];
  /** The sentence whose fact had no evidence when nothing was looked up yet: the gateway owes a lookup. */
  owedLookup: string | undefined;
  /** What the current round said that the model should see in the history (not the filler). */
  private roundLines: string[] = [];
  /** Sentences streamed in this round, and those waiting for the reply's end (a claim, and all after it). */
  private received: string[] = [];
  private held: string[] = [];
  /** A promise the reply's own call is to keep, and all after it: said once the calls ran (`afterCalls`). */
  private deferred: string[] = [];
  /** The tools the reply called (known once it ended). */
  private ownCalls: readonly string[] = [];
  /** A fact without evidence: the rest of this reply is not said (the model answers again after the lookup). */
  private dropRest = false;
  /** Between asking the model and its reply: a sentence streamed outside that (a late one) is never said. */
  private asking = false;
  private lastRound = false;
  private noAnswerSaid = false;
  private fillerSaid = false;
  private filler: ReturnType<typeof setTimeout> | undefined;
  private readonly notDoneSaid = new Set<string>();
  /**
   * The record sentences are judged against, read once a round (the history does not change while the model
   * answers) and again once the calls ran; its evidence indexed again only when it grew. Indexing a long prompt
   * for every sentence cost ~9 ms a sentence.
   */
  private judged: { readonly record: TurnRecord; readonly index: Evidence } | undefined;
  private indexed: { readonly evidence: readonly string[]; readonly index: Evidence } | undefined;

  constructor(private readonly options: TurnSpeechOptions) {}

  get streaming(): boolean {
    return this.options.onLine !== undefined;
  }

  /** Says a line now (and to the model's history, unless it is only the filler). */
  say(line: string, inHistory = true): void {
    const trimmed = line.trim();
    if (trimmed === '') return;
    this.stopFiller();
    this.lines.push(trimmed);
    if (inHistory) this.roundLines.push(trimmed);
    this.options.onLine?.(trimmed);
  }

  /** The model is asked again: a new reply, and on a media stream the filler's clock starts. */
  beginRound(lastRound: boolean): void {
    this.roundLines = [];
    this.received = [];
    this.held = [];
    this.deferred = [];
    this.ownCalls = [];
    this.judged = undefined;
    this.dropRest = false;
    this.asking = true;
    this.lastRound = lastRound;
    const { fillerMs } = this.options;
    if (this.streaming && fillerMs > 0 && !this.fillerSaid) {
      this.filler = setTimeout(() => {
        this.filler = undefined;
        this.fillerSaid = true;
        this.say(fillerLine(this.options.language), false);
      }, fillerMs);
    }
  }

  /** What this round said, for the assistant message of the history. */
  roundText(): string {
    return this.roundLines.join(' ');
  }

  /** A complete sentence the model streamed: said at once when the guards let it, else held or dropped. */
  streamed = (sentence: string): void => {
    if (!this.asking) return;
    this.received.push(sentence);
    if (this.dropRest) return;
    if (this.held.length > 0) {
      this.held.push(sentence);
      return;
    }
    const verdict = this.judge(sentence, undefined);
    if (verdict === HOLD) this.held.push(sentence);
    else if (typeof verdict === 'string') this.say(verdict);
  };

  /**
   * The reply is complete: what it says beyond the streamed sentences (and what was held) is judged and said.
   * False when the reply is not the one streamed (another model answered after the first failed mid-reply) and
   * the caller heard some of that one: said on top of it, it would splice two replies, so it is dropped, tool
   * calls and all. Nothing heard yet, the other reply is said alone (the failed one's held sentences dropped).
   */
  endResponse(response: LlmResponse): boolean {
    this.stopFiller();
    this.asking = false;
    const sentences = splitSentences(response.text);
    const shared = sharedPrefix(sentences, this.received);
    const continues = (response.streamed ?? 0) > 0 || shared >= this.received.length;
    if (!continues) {
      // The held sentences are the failed reply's: never said with another reply's.
      this.held = [];
      if (this.roundLines.length > 0) return false;
    }
    // A reply that does not count the sentences it streamed repeats none of those said; another reply (nothing
    // of the failed one was said) is said whole.
    const already = continues ? Math.max(response.streamed ?? 0, shared) : 0;
    const block = [...this.held, ...sentences.slice(already)];
    const calls = response.toolCalls.map((call) => call.name);
    this.ownCalls = calls;
    let changed = this.held.length > 0 || already > 0;
    this.held = [];
    const said: string[] = [];
    for (const sentence of block) {
      if (this.deferred.length > 0) {
        this.deferred.push(sentence);
        continue;
      }
      const verdict = this.dropRest ? undefined : this.judge(sentence, calls);
      if (verdict === DEFER) this.deferred.push(sentence);
      if (verdict !== sentence) changed = true;
      if (typeof verdict === 'string') said.push(verdict);
    }
    if (said.length === 0) return true;
    // Unchanged, the reply is said as the model wrote it (one line, as without the guards).
    const whole = !changed && normalised(sentences.join(' ')) === normalised(response.text);
    this.say(whole ? response.text : said.join(' '));
    return true;
  }

  /**
   * The reply's calls ran: its promise (and what followed it) is said if its tool succeeded, else dropped
   * silently — the model sees the failed result and its next reply tells the caller (an honest "not done" line
   * here would answer for it, and the next reply would follow a line the model never wrote) — and nothing but
   * the question when the gate asked the caller to confirm. What was said, for the round's history.
   */
  afterCalls(asked: boolean): string {
    const block = this.deferred;
    this.deferred = [];
    // The calls' results are in the history now.
    this.judged = undefined;
    const said: string[] = [];
    for (const sentence of block) {
      const verdict = this.dropRest ? undefined : this.judge(sentence, this.ownCalls, true);
      if (asked && verdict !== sentence) continue;
      if (typeof verdict === 'string') said.push(verdict);
    }
    if (said.length === 0) return '';
    const line = said.join(' ');
    this.say(line);
    return line;
  }

  /** The turn is over: no filler is left to fire. */
  stopFiller(): void {
    if (this.filler !== undefined) clearTimeout(this.filler);
    this.filler = undefined;
  }

  private current(): { readonly record: TurnRecord; readonly index: Evidence } {
    if (this.judged !== undefined) return this.judged;
    const record = this.options.record();
    if (this.indexed === undefined || !sameTexts(this.indexed.evidence, record.evidence)) {
      const build = this.options.indexEvidence ?? indexEvidence;
      this.indexed = { evidence: record.evidence, index: build(record.evidence) };
    }
    this.judged = { record, index: this.indexed.index };
    return this.judged;
  }

  /**
   * What to say for a sentence: itself, a replacement, nothing, or HOLD while the reply's tool calls are not
   * known yet (`calls` undefined) and a claim may depend on them.
   */
  private judge(
    sentence: string,
    calls: readonly string[] | undefined,
    ran = false,
  ): string | undefined | typeof HOLD | typeof DEFER {
    const { record, index } = this.current();
    const check = checkSentence(sentence, record, index);
    const { language } = this.options;
    switch (check.kind) {
      case 'say':
        return sentence;
      case 'markup':
      case 'echo':
        return undefined;
      case 'unsupported':
        if (!record.lookedUp && !this.lastRound) {
          this.dropRest = true;
          if (this.owedLookup !== undefined) return undefined;
          this.owedLookup = sentence;
          return checkingLine(language);
        }
        if (this.noAnswerSaid) return undefined;
        this.noAnswerSaid = true;
        return noAnswerLine(language);
      case 'claim': {
        if (calls === undefined) return HOLD;
        // The reply's own call: a promise waits for it to run; its outcome is for the next round to tell.
        // Once the calls ran, a claim still not true is the reply's own call failing: the next round tells.
        if (calls.includes(check.tool)) return check.done || ran ? undefined : DEFER;
        const line = notDoneLine(check.action, language);
        if (this.notDoneSaid.has(line)) return undefined;
        this.notDoneSaid.add(line);
        return line;
      }
    }
  }
}
