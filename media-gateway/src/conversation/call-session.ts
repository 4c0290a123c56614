import type { EventEnvelope } from '@ccp/schemas';
import type { AgentEntry, DepartmentEntry, TenantEntry } from '../directory/directory.js';
import { GATEWAY_NOTES, type LanguageModel } from '../llm/port.js';
import { AnswersByRequest } from './answers-by-request.js';
import { CallConversation, primary } from './call-conversation.js';
import { CommandRefusedError, type SendResult } from './commands.js';
import { scoreSentiment } from '@ccp/stream-processors';
import { escalationTrigger } from './escalation-policy.js';
import { detectLanguage } from './language.js';
import { respond, warmUp } from './model-turn.js';
import type { CallSummary } from './summary.js';
import { escalateByRule } from './tool-calls.js';
import type { GatewayTracing } from '../gateway-tracing.js';
import type { ToolDependencies } from './tools.js';

export interface SessionDependencies extends ToolDependencies {
  readonly model: LanguageModel;
  /** A gather webhook's whole turn (LLM_GATHER_TURN_MS); DEFAULT_GATHER_TURN_MS when absent. */
  readonly gatherTurnMs?: number;
  /** A media stream's whole turn (LLM_TIMEOUT_MS); absent, each request has the model's own budget. */
  readonly turnTimeoutMs?: number;
  /** Says the first words instead of the model (see GatewayDependencies.greeter). */
  readonly greeter?: LanguageModel;
  /** On a media stream, the filler line when the model has said nothing after this long; 0 or absent: never. */
  readonly fillerMs?: number;
  readonly now: () => Date;
  /** Brings the directory up to date (the caller's history before a lookup). */
  readonly catchUp: () => Promise<void>;
  /** The call's recorded events, decoded: what another process recorded since this session was made. */
  readonly readCall: () => Promise<readonly EventEnvelope[]>;
  readonly log: (message: string) => void;
  /** Spans of the call's turns and tool calls; absent: none. */
  readonly tracing?: GatewayTracing;
}

export interface CallSetup {
  readonly callId: string;
  readonly tenant: TenantEntry;
  readonly agent: AgentEntry;
  readonly department: DepartmentEntry | undefined;
  readonly customer: string;
  readonly afterHours: boolean;
  /** The call's own clock (the demo's "as if at" time); absent, the gateway's. */
  readonly now?: () => Date;
  /** An outbound campaign call's lead variables, for the greeting and the prompt. */
  readonly variables?: Readonly<Record<string, string>>;
  /** A known caller's language (their contact's): the call starts in it when the agent speaks it. */
  readonly callerLanguage?: string;
}

export type NextStep =
  | { readonly kind: 'listen' }
  | { readonly kind: 'queue'; readonly departmentId: string }
  | { readonly kind: 'hang_up' };

export interface AgentTurn {
  /** What to say, in order; a filler line said while a tool ran comes first. */
  readonly lines: readonly string[];
  readonly language: string;
  readonly voice: string;
  readonly next: NextStep;
}

/** What the parts of a session (its tool calls, the model's turn) work with: one call's own. */
export interface SessionParts {
  readonly deps: SessionDependencies;
  readonly setup: CallSetup;
  readonly callId: string;
  readonly conversation: CallConversation;
  /** The call's clock. */
  readonly now: () => Date;
  /** Records a command on the call's stream. */
  readonly send: (type: string, data: Record<string, unknown>) => Promise<SendResult>;
}

/**
 * One AI-handled call: the turn loop of caller line → model → tools → reply, with every step recorded as a
 * command (utterance, language change, tool calls, reply with model, tokens and latency, escalation). The
 * conversation history lives in the session's CallConversation (call-conversation.ts); everything that matters is
 * also in the call's stream. The model's turn is model-turn.ts, its tool calls tool-calls.ts; the session hears
 * lines, answers each request once and ends the call.
 */
export class CallSession {
  readonly callId: string;
  private readonly conversation: CallConversation;
  private readonly parts: SessionParts;
  private ended = false;
  /** Answers by request ("line 3", "back after reply 4"), so that a repeat gets the first one's answer. */
  private readonly answers = new AnswersByRequest<AgentTurn>();
  /** The line a gather without a number stood for, once one came (see `unnumberedLine`). */
  private unnumbered: number | undefined;
  /** A numbered gather reached this session: every answer since carried numbers. */
  private numbered = false;

  constructor(
    private readonly deps: SessionDependencies,
    readonly setup: CallSetup,
  ) {
    this.callId = setup.callId;
    this.now = setup.now ?? deps.now;
    this.conversation = new CallConversation(setup);
    this.parts = {
      deps,
      setup,
      callId: this.callId,
      conversation: this.conversation,
      now: this.now,
      send: (type, data) => this.send(type, data),
    };
  }

  /** The call's clock: business hours, "tomorrow" and what is in the past are judged by it. */
  private readonly now: () => Date;

  get currentLanguage(): string {
    return this.conversation.language;
  }

  get voice(): string {
    return this.conversation.voice;
  }

  get languages(): readonly string[] {
    return this.conversation.languages;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Caller lines recorded so far: the next one is line `linesHeard + 1`. */
  get linesHeard(): number {
    return this.conversation.lineCount;
  }

  /** AI replies recorded so far (the greeting is the first). */
  get repliesGiven(): number {
    return this.conversation.replyCount;
  }

  get isEscalated(): boolean {
    return this.conversation.escalationReason !== undefined;
  }

  /** The warm-handoff summary so far. */
  summary(): CallSummary {
    return this.conversation.summary();
  }

  /**
   * Rebuilds the conversation from the call's recorded events, after the process that held it stopped: the
   * model sees the same history, and ids go on from where they were, so nothing is recorded twice.
   */
  restore(events: readonly EventEnvelope[]): void {
    this.conversation.restore(events);
  }

  /**
   * Forgets what this session remembered of the conversation and rebuilds it from the call's events: another
   * process recorded some of it (the session learns so when the decider finds a line already recorded).
   */
  private async resync(): Promise<void> {
    const events = await this.deps.readCall();
    this.conversation.forget();
    this.restore(events);
  }

  /**
   * Whether the caller's `line`-th line, recorded, still waits for the AI: it is the latest line, the AI is in
   * control and neither said anything after it nor moved the call on (the process that heard it stopped first).
   */
  private awaitsReply(line: number): boolean {
    return (
      line === this.conversation.lineCount &&
      line > 0 &&
      !this.conversation.humanInControl &&
      !this.ended &&
      !this.conversation.nextAfterLine.has(line) &&
      this.conversation.transcript.at(-1)?.speaker === 'caller'
    );
  }

  /** A human took the conversation over: the AI says nothing more. */
  handOver(): void {
    this.conversation.humanInControl = true;
  }

  /** A supervisor's whisper: guidance the model gets from its next turn on, never said to the caller. */
  coach(note: string): void {
    this.conversation.coaching.push(note);
  }

  /**
   * The first words: the model is asked for them with no caller line yet, once. Asked again (the call's first
   * webhook made again) the answer is the greeting said, as recorded.
   */
  greet(onLine?: (line: string) => void): Promise<AgentTurn> {
    const { tracing } = this.deps;
    return tracing ? tracing.greeting(this.callId, () => this.greeted(onLine)) : this.greeted(onLine);
  }

  private greeted(onLine?: (line: string) => void): Promise<AgentTurn> {
    return this.answers.once('line 0', () =>
      this.conversation.replyCount > 0 || this.conversation.lineCount > 0
        ? Promise.resolve(this.answerOf(0))
        : respond(this.greeting(), onLine).then((turn) => {
            if (this.parts.deps.greeter !== undefined) warmUp(this.parts);
            return turn;
          }),
    );
  }

  /**
   * The parts the greeting is made with: the greeter in the model's place. A remote model on a CPU takes seconds
   * over a prompt it has not seen (Twilio waits 15 s for the first webhook); the greeting is known in advance,
   * and the model takes over from the caller's first line with it in the history.
   */
  private greeting(): SessionParts {
    const { greeter } = this.parts.deps;
    return greeter === undefined
      ? this.parts
      : { ...this.parts, deps: { ...this.parts.deps, model: greeter } };
  }

  /**
   * The caller's `line`-th line (a gather webhook names it in its URL): heard once. The same line again — Twilio
   * retrying, or someone replaying the signed request — gets the answer the first one got, recording nothing and
   * asking no model; the session knows the lines it heard from the call's events. A line recorded but never
   * answered (the process that heard it stopped before the AI replied) is answered now, once.
   */
  hearLine(
    line: number,
    input: { readonly text: string; readonly confidence: number; readonly language?: string },
  ): Promise<AgentTurn> {
    return this.answers.once(`line ${line}`, () => {
      if (this.awaitsReply(line)) return this.answerLine(line);
      if (line <= this.conversation.lineCount) return Promise.resolve(this.answerOf(line));
      if (line > this.conversation.lineCount + 1) {
        throw new CommandRefusedError(
          'TURN_AHEAD',
          `the call is at line ${this.conversation.lineCount + 1}, not ${line}`,
          'turn',
        );
      }
      return this.hear(input);
    });
  }

  /**
   * The line a gather without a number stands for. TwiML of the version before turns were numbered still
   * drives calls that were in flight across a deploy; their next request is the call's next line (or the latest
   * one, when it waits for the AI's reply), decided from the call's events, and the same request again is that
   * line again. Undefined once a numbered gather came: Twilio moved on, so one without a number is a replay.
   */
  unnumberedLine(): number | undefined {
    if (this.numbered) return undefined;
    this.unnumbered ??= this.awaitsReply(this.conversation.lineCount)
      ? this.conversation.lineCount
      : this.conversation.lineCount + 1;
    return this.unnumbered;
  }

  /** A gather with a number reached the session (see `unnumberedLine`). */
  markNumbered(): void {
    this.numbered = true;
  }

  /**
   * What the AI said after the caller's `line`-th line (0: the greeting), as recorded, and where that led.
   * The answer to a request made again.
   */
  answerOf(line: number): AgentTurn {
    const lines: string[] = [];
    let callerLines = 0;
    for (const entry of this.conversation.transcript) {
      if (entry.speaker === 'caller') callerLines += 1;
      else if (callerLines === line) lines.push(entry.text);
      if (callerLines > line) break;
    }
    return {
      lines,
      language: this.conversation.language,
      voice: this.voice,
      next: this.conversation.nextAfterLine.get(line) ?? { kind: 'listen' },
    };
  }

  /**
   * Nobody took the call from the queue: the AI takes it back, once. `afterReply` is how many replies the AI had
   * given when the call was queued; a reply since means this was done.
   */
  takeBack(afterReply: number): Promise<AgentTurn> {
    return this.answers.once(`back after reply ${afterReply}`, () => {
      if (this.conversation.replyCount > afterReply) {
        const said = this.conversation.transcript.filter((entry) => entry.speaker === 'ai')[afterReply];
        return Promise.resolve({
          lines: said ? [said.text] : [],
          language: this.conversation.language,
          voice: this.voice,
          next: { kind: 'listen' },
        });
      }
      return this.noHumanAvailable();
    });
  }

  /** The caller said a line: the AI's turn (in its own span when the gateway traces). */
  hear(
    input: { readonly text: string; readonly confidence: number; readonly language?: string },
    onLine?: (line: string) => void,
  ): Promise<AgentTurn> {
    const turn = () => this.heardLine(input, onLine);
    const { tracing } = this.deps;
    return tracing ? tracing.turn(this.callId, this.conversation.lineCount + 1, turn) : turn();
  }

  private async heardLine(
    input: { readonly text: string; readonly confidence: number; readonly language?: string },
    onLine?: (line: string) => void,
  ): Promise<AgentTurn> {
    const text = input.text.trim();
    if (text === '') return respond(this.parts, onLine, 'silence');
    const detected = input.language ?? detectLanguage(text, this.languages);
    if (detected !== undefined && primary(detected) !== primary(this.conversation.language)) {
      const supported = this.languages.find((l) => primary(l) === primary(detected));
      if (supported !== undefined) {
        this.conversation.language = supported;
        await this.send('ChangeCallLanguage', { language: supported });
      }
    }
    this.conversation.lineCount += 1;
    const line = this.conversation.lineCount;
    const { recorded } = await this.send('RecordUtterance', {
      utteranceId: `${this.callId}-c${line}`,
      speaker: 'caller',
      text,
      confidence: Math.min(1, Math.max(0, input.confidence)),
      language: this.conversation.language,
    });
    this.conversation.transcript.push({ speaker: 'caller', text });
    this.conversation.messages.push({ role: 'user', content: text });
    if (recorded === 0) {
      // The call's events already held this line: another process heard it first, and answered it, or stopped
      // before the AI replied. What this session remembers is behind; the events say which.
      await this.resync();
      return this.awaitsReply(line) ? this.answerLine(line, onLine) : this.answerOf(line);
    }
    if (!this.conversation.humanInControl)
      this.conversation.sentiments.push(scoreSentiment(text, primary(this.conversation.language)).score);
    return this.answerLine(line, onLine);
  }

  /** The AI's turn after the caller's `line`-th line, which is recorded (and its sentiment counted). */
  private async answerLine(line: number, onLine?: (line: string) => void): Promise<AgentTurn> {
    const text = this.conversation.transcript.at(-1)?.text ?? '';
    if (this.conversation.humanInControl)
      return { lines: [], language: this.conversation.language, voice: this.voice, next: { kind: 'listen' } };
    this.conversation.turnsWithoutResolution += 1;

    const trigger = this.isEscalated
      ? undefined
      : escalationTrigger(this.setup.agent.settings.escalationRules, text, {
          sentiments: this.conversation.sentiments,
          lowConfidenceStreak: this.conversation.lowConfidenceStreak,
          turnsWithoutResolution: this.conversation.turnsWithoutResolution,
        });
    const ruled = trigger ? await escalateByRule(this.parts, trigger) : undefined;
    const turn = await respond(this.parts, onLine, undefined, ruled);
    if (turn.next.kind !== 'listen') this.conversation.nextAfterLine.set(line, turn.next);
    return turn;
  }

  /** The caller waited in the queue as long as the department allows: back to the AI, which takes a message. */
  async noHumanAvailable(onLine?: (line: string) => void): Promise<AgentTurn> {
    this.conversation.messages.push({
      role: 'user',
      content: GATEWAY_NOTES.nobodyFree,
    });
    return respond(this.parts, onLine);
  }

  /** Ends the call with its outcome and summary; ending twice does nothing. */
  async end(
    outcome: 'resolved' | 'escalated' | 'abandoned' | 'voicemail' | 'failed',
    reason?: string,
  ): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    // The caller heard this much of a turn still running: on the record before the call ends (after, the call
    // takes no reply); the turn's own record later is the same reply again, which the decider keeps once.
    const heard = this.conversation.turnInFlight?.();
    if (heard !== undefined) await this.send('RecordAiReply', { ...heard });
    await this.send('EndCall', { outcome, ...(reason !== undefined && { reason: reason.slice(0, 500) }) });
    const { summary, outcome: businessOutcome, followUps } = this.summary();
    await this.send('SummarizeCall', {
      summary,
      ...(businessOutcome !== undefined && { outcome: businessOutcome }),
      followUps: followUps.map((f) => f.slice(0, 500)).slice(0, 50),
    });
  }

  /** The outcome the call has earned so far, for a hang-up with no explicit end. */
  outcome(): 'resolved' | 'escalated' | 'abandoned' {
    if (this.isEscalated) return 'escalated';
    return this.conversation.lineCount > 0 ? 'resolved' : 'abandoned';
  }

  private send(type: string, data: Record<string, unknown>): Promise<SendResult> {
    return this.deps.commands.send(
      type,
      { tenantId: this.setup.tenant.tenantId, callId: this.callId, ...data },
      { correlationId: this.callId },
    );
  }
}
