import type { CallEvent, EventEnvelope } from '@ccp/schemas';
import type { AgentEntry, DepartmentEntry, TenantEntry } from '../directory/directory.js';
import { GATEWAY_NOTES, type ChatMessage, type LanguageModel, type LlmResponse } from '../llm/port.js';
import { CommandRefusedError, type SendResult } from './commands.js';
import { scoreSentiment } from '../../../stream-processors/src/nlp/sentiment.js';
import { escalationTrigger, type EscalationReason } from './escalation-policy.js';
import { detectLanguage } from './language.js';
import { buildSystemPrompt, scriptsFor } from './prompt.js';
import { summarise, type CallRecordLine, type CallSummary } from './summary.js';
import {
  TOOL_SPECS,
  runTool,
  type ToolCallContext,
  type ToolDependencies,
  type ToolEffect,
} from './tools.js';

export interface SessionDependencies extends ToolDependencies {
  readonly model: LanguageModel;
  readonly now: () => Date;
  /** Brings the directory up to date (the caller's history before a lookup). */
  readonly catchUp: () => Promise<void>;
  /** The call's recorded events, decoded: what another process recorded since this session was made. */
  readonly readCall: () => Promise<readonly EventEnvelope[]>;
  readonly log: (message: string) => void;
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

/**
 * A tool call's name as the log records it (1-64 letters, digits, "_" or "-"): the model names tools, and a made-up
 * name such as "functions.lookup" must be recorded and answered as unknown, not refuse the record and the turn.
 */
const recordedToolName = (name: string): string =>
  name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'unnamed';

/** At most this many model calls per caller line: a model stuck calling tools must not hold the line. */
const MAX_ROUNDS = 5;
/** Answers still being worked out, kept to answer a repeat of the same request (only the latest few). */
const IN_FLIGHT = 8;

const APOLOGY: Readonly<Record<string, string>> = {
  en: "I'm sorry, I'm having trouble right now. Let me take a message so the team can call you back.",
  es: 'Lo siento, tengo un problema en este momento. Déjeme tomar un mensaje para que el equipo le devuelva la llamada.',
};

const primary = (tag: string): string => tag.split('-')[0] ?? tag;

/**
 * One AI-handled call: the turn loop of caller line → model → tools → reply, with every step recorded as a
 * command (utterance, language change, tool calls, reply with model, tokens and latency, escalation). The
 * conversation history lives here; everything that matters is also in the call's stream.
 */
export class CallSession {
  readonly callId: string;
  private language: string;
  private readonly messages: ChatMessage[] = [];
  private readonly transcript: CallRecordLine[] = [];
  private readonly effects: ToolEffect[] = [];
  private readonly sentiments: number[] = [];
  private lowConfidenceStreak = 0;
  private turnsWithoutResolution = 0;
  private lineCount = 0;
  private replyCount = 0;
  private toolCount = 0;
  private escalationReason: string | undefined;
  private humanInControl = false;
  private readonly coaching: string[] = [];
  private ended = false;
  /** Answers by request ("line 3", "back after reply 4"), so that a repeat gets the first one's answer. */
  private readonly answers = new Map<string, Promise<AgentTurn>>();
  /** Where each caller line led when not back to listening (the queue, hanging up), as said or as recorded. */
  private readonly nextAfterLine = new Map<number, NextStep>();
  /** The line a gather without a number stood for, once one came (see `unnumberedLine`). */
  private unnumbered: number | undefined;
  /** A numbered gather reached this session: every answer since carried numbers. */
  private numbered = false;

  constructor(
    private readonly deps: SessionDependencies,
    readonly setup: CallSetup,
  ) {
    this.callId = setup.callId;
    this.language = this.firstLanguage();
    this.now = setup.now ?? deps.now;
  }

  /** The call's clock: business hours, "tomorrow" and what is in the past are judged by it. */
  private readonly now: () => Date;

  private firstLanguage(): string {
    return this.setup.agent.settings.languages[0] ?? this.setup.tenant.settings.languages[0] ?? 'en';
  }

  get currentLanguage(): string {
    return this.language;
  }

  get voice(): string {
    return this.setup.agent.settings.voice;
  }

  get languages(): readonly string[] {
    const { agent, tenant } = this.setup;
    return agent.settings.languages.length > 0 ? agent.settings.languages : tenant.settings.languages;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Caller lines recorded so far: the next one is line `linesHeard + 1`. */
  get linesHeard(): number {
    return this.lineCount;
  }

  /** AI replies recorded so far (the greeting is the first). */
  get repliesGiven(): number {
    return this.replyCount;
  }

  get isEscalated(): boolean {
    return this.escalationReason !== undefined;
  }

  /** The warm-handoff summary so far. */
  summary(): CallSummary {
    return summarise(this.transcript, this.effects, {
      agentName: this.setup.agent.settings.name,
      escalationReason: this.escalationReason,
    });
  }

  /**
   * Rebuilds the conversation from the call's recorded events, after the process that held it stopped: the
   * model sees the same history, and ids go on from where they were, so nothing is recorded twice.
   */
  restore(events: readonly EventEnvelope[]): void {
    for (const event of events) {
      const e = event as unknown as CallEvent;
      switch (e.type) {
        case 'CallLanguageChanged':
          this.language = e.data.language;
          break;
        case 'UtteranceRecorded':
          if (e.data.speaker !== 'caller') break;
          this.lineCount += 1;
          this.transcript.push({ speaker: 'caller', text: e.data.text });
          this.messages.push({ role: 'user', content: e.data.text });
          this.sentiments.push(scoreSentiment(e.data.text, primary(this.language)).score);
          break;
        case 'ToolInvoked': {
          this.toolCount += 1;
          if (e.data.name === 'end_call' && e.data.status === 'succeeded') {
            this.nextAfterLine.set(this.lineCount, { kind: 'hang_up' });
          }
          const id = e.data.toolCallId;
          const args = (e.data.arguments ?? {}) as Record<string, unknown>;
          this.messages.push({
            role: 'assistant',
            content: '',
            toolCalls: [{ id, name: e.data.name, arguments: args }],
          });
          this.messages.push({
            role: 'tool',
            toolCallId: id,
            name: e.data.name,
            content: JSON.stringify(e.data.result),
          });
          break;
        }
        case 'AiReplied':
          this.replyCount += 1;
          this.transcript.push({ speaker: 'ai', text: e.data.text });
          this.messages.push({ role: 'assistant', content: e.data.text });
          break;
        case 'EscalationRequested':
          this.escalationReason = e.data.reason;
          break;
        case 'CallQueued':
          this.nextAfterLine.set(this.lineCount, { kind: 'queue', departmentId: e.data.departmentId });
          break;
        case 'HumanTookOver':
          this.humanInControl = true;
          break;
        case 'AiCoached':
          this.coaching.push(e.data.note);
          break;
        default:
          break;
      }
    }
  }

  /**
   * Forgets what this session remembered of the conversation and rebuilds it from the call's events: another
   * process recorded some of it (the session learns so when the decider finds a line already recorded).
   */
  private async resync(): Promise<void> {
    const events = await this.deps.readCall();
    this.language = this.firstLanguage();
    this.messages.length = 0;
    this.transcript.length = 0;
    this.sentiments.length = 0;
    this.coaching.length = 0;
    this.nextAfterLine.clear();
    this.lineCount = 0;
    this.replyCount = 0;
    this.toolCount = 0;
    this.escalationReason = undefined;
    this.humanInControl = false;
    this.restore(events);
  }

  /**
   * Whether the caller's `line`-th line, recorded, still waits for the AI: it is the latest line, the AI is in
   * control and neither said anything after it nor moved the call on (the process that heard it stopped first).
   */
  private awaitsReply(line: number): boolean {
    return (
      line === this.lineCount &&
      line > 0 &&
      !this.humanInControl &&
      !this.ended &&
      !this.nextAfterLine.has(line) &&
      this.transcript.at(-1)?.speaker === 'caller'
    );
  }

  /** A human took the conversation over: the AI says nothing more. */
  handOver(): void {
    this.humanInControl = true;
  }

  /** A supervisor's whisper: guidance the model gets from its next turn on, never said to the caller. */
  coach(note: string): void {
    this.coaching.push(note);
  }

  /**
   * The first words: the model is asked for them with no caller line yet, once. Asked again (the call's first
   * webhook made again) the answer is the greeting said, as recorded.
   */
  greet(onLine?: (line: string) => void): Promise<AgentTurn> {
    return this.once('line 0', () =>
      this.replyCount > 0 || this.lineCount > 0 ? Promise.resolve(this.answerOf(0)) : this.respond(onLine),
    );
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
    return this.once(`line ${line}`, () => {
      if (this.awaitsReply(line)) return this.answerLine(line);
      if (line <= this.lineCount) return Promise.resolve(this.answerOf(line));
      if (line > this.lineCount + 1) {
        throw new CommandRefusedError(
          'TURN_AHEAD',
          `the call is at line ${this.lineCount + 1}, not ${line}`,
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
    this.unnumbered ??= this.awaitsReply(this.lineCount) ? this.lineCount : this.lineCount + 1;
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
    for (const entry of this.transcript) {
      if (entry.speaker === 'caller') callerLines += 1;
      else if (callerLines === line) lines.push(entry.text);
      if (callerLines > line) break;
    }
    return {
      lines,
      language: this.language,
      voice: this.voice,
      next: this.nextAfterLine.get(line) ?? { kind: 'listen' },
    };
  }

  /**
   * Nobody took the call from the queue: the AI takes it back, once. `afterReply` is how many replies the AI had
   * given when the call was queued; a reply since means this was done.
   */
  takeBack(afterReply: number): Promise<AgentTurn> {
    return this.once(`back after reply ${afterReply}`, () => {
      if (this.replyCount > afterReply) {
        const said = this.transcript.filter((entry) => entry.speaker === 'ai')[afterReply];
        return Promise.resolve({
          lines: said ? [said.text] : [],
          language: this.language,
          voice: this.voice,
          next: { kind: 'listen' },
        });
      }
      return this.noHumanAvailable();
    });
  }

  /** Runs `work` for a request once; the same request while it runs, or after, gets the same answer. */
  private once(key: string, work: () => Promise<AgentTurn>): Promise<AgentTurn> {
    const known = this.answers.get(key);
    if (known) return known;
    let answer: Promise<AgentTurn>;
    try {
      answer = work();
    } catch (error) {
      return Promise.reject(error);
    }
    this.answers.set(key, answer);
    // A failed request may be tried again; only the latest few answers are kept.
    answer.catch(() => this.answers.delete(key));
    for (const old of this.answers.keys()) {
      if (this.answers.size <= IN_FLIGHT) break;
      this.answers.delete(old);
    }
    return answer;
  }

  async hear(
    input: { readonly text: string; readonly confidence: number; readonly language?: string },
    onLine?: (line: string) => void,
  ): Promise<AgentTurn> {
    const text = input.text.trim();
    if (text === '') return this.respond(onLine, 'silence');
    const detected = input.language ?? detectLanguage(text, this.languages);
    if (detected !== undefined && primary(detected) !== primary(this.language)) {
      const supported = this.languages.find((l) => primary(l) === primary(detected));
      if (supported !== undefined) {
        this.language = supported;
        await this.send('ChangeCallLanguage', { language: supported });
      }
    }
    this.lineCount += 1;
    const line = this.lineCount;
    const { recorded } = await this.send('RecordUtterance', {
      utteranceId: `${this.callId}-c${line}`,
      speaker: 'caller',
      text,
      confidence: Math.min(1, Math.max(0, input.confidence)),
      language: this.language,
    });
    this.transcript.push({ speaker: 'caller', text });
    this.messages.push({ role: 'user', content: text });
    if (recorded === 0) {
      // The call's events already held this line: another process heard it first, and answered it, or stopped
      // before the AI replied. What this session remembers is behind; the events say which.
      await this.resync();
      return this.awaitsReply(line) ? this.answerLine(line, onLine) : this.answerOf(line);
    }
    if (!this.humanInControl) this.sentiments.push(scoreSentiment(text, primary(this.language)).score);
    return this.answerLine(line, onLine);
  }

  /** The AI's turn after the caller's `line`-th line, which is recorded (and its sentiment counted). */
  private async answerLine(line: number, onLine?: (line: string) => void): Promise<AgentTurn> {
    const text = this.transcript.at(-1)?.text ?? '';
    if (this.humanInControl)
      return { lines: [], language: this.language, voice: this.voice, next: { kind: 'listen' } };
    this.turnsWithoutResolution += 1;

    const trigger = this.isEscalated
      ? undefined
      : escalationTrigger(this.setup.agent.settings.escalationRules, text, {
          sentiments: this.sentiments,
          lowConfidenceStreak: this.lowConfidenceStreak,
          turnsWithoutResolution: this.turnsWithoutResolution,
        });
    const ruled = trigger ? await this.escalateByRule(trigger) : undefined;
    const turn = await this.respond(onLine, undefined, ruled);
    if (turn.next.kind !== 'listen') this.nextAfterLine.set(line, turn.next);
    return turn;
  }

  /** The caller waited in the queue as long as the department allows: back to the AI, which takes a message. */
  async noHumanAvailable(onLine?: (line: string) => void): Promise<AgentTurn> {
    this.messages.push({
      role: 'user',
      content: GATEWAY_NOTES.nobodyFree,
    });
    return this.respond(onLine);
  }

  /** Ends the call with its outcome and summary; ending twice does nothing. */
  async end(
    outcome: 'resolved' | 'escalated' | 'abandoned' | 'voicemail' | 'failed',
    reason?: string,
  ): Promise<void> {
    if (this.ended) return;
    this.ended = true;
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
    return this.lineCount > 0 ? 'resolved' : 'abandoned';
  }

  private toolContext(): ToolCallContext {
    const { setup } = this;
    return {
      tenantId: setup.tenant.tenantId,
      callId: this.callId,
      customer: setup.customer,
      agentId: setup.agent.agentId,
      departmentId: setup.department?.departmentId ?? setup.agent.settings.departmentId,
      language: this.language,
      timeZone: setup.tenant.settings.timeZone,
      afterHours: setup.afterHours,
      openingHours:
        setup.department?.settings.escalation.businessHours ?? setup.tenant.settings.businessHours,
      now: this.now,
    };
  }

  /** A rule fired: the escalation tool runs as if the model had called it, so the model sees its result. */
  private async escalateByRule(reason: EscalationReason): Promise<NextStep | undefined> {
    const id = `${this.callId}-rule${this.toolCount + 1}`;
    const args = { reason, summary: this.summary().summary };
    this.messages.push({
      role: 'assistant',
      content: '',
      toolCalls: [{ id, name: 'escalate_to_human', arguments: args }],
    });
    return this.runToolCall(id, 'escalate_to_human', args);
  }

  private async runToolCall(
    id: string,
    name: string,
    args: Readonly<Record<string, unknown>>,
  ): Promise<NextStep | undefined> {
    if (
      name === 'lookup_caller_history' ||
      name === 'reschedule_appointment' ||
      name === 'cancel_appointment'
    ) {
      await this.deps.catchUp();
    }
    const started = performance.now();
    const outcome = await runTool(this.deps, this.toolContext(), id, name, args);
    const durationMs = Math.round(performance.now() - started);
    this.toolCount += 1;
    await this.send('InvokeTool', {
      toolCallId: `${this.callId}-t${this.toolCount}`,
      name: recordedToolName(name),
      arguments: args,
      result: outcome.result,
      status: outcome.status,
      durationMs,
    });
    this.messages.push({ role: 'tool', toolCallId: id, name, content: JSON.stringify(outcome.result) });
    if (name === 'escalate_to_human' && outcome.status === 'succeeded') {
      this.escalationReason = String(args['reason'] ?? 'caller_request');
    }
    let next: NextStep | undefined;
    for (const effect of outcome.effects) {
      this.effects.push(effect);
      if (effect.kind === 'follow_up') this.turnsWithoutResolution = 0;
      if (effect.kind === 'queued') next = { kind: 'queue', departmentId: effect.departmentId };
      if (effect.kind === 'end_call') next ??= { kind: 'hang_up' };
    }
    if (
      name === 'search_knowledge_base' &&
      Array.isArray(outcome.result['results']) &&
      outcome.result['results'].length > 0
    ) {
      this.turnsWithoutResolution = 0;
    }
    return next;
  }

  private async respond(
    onLine?: (line: string) => void,
    silence?: 'silence',
    already?: NextStep,
  ): Promise<AgentTurn> {
    const started = performance.now();
    const lines: string[] = [];
    const say = (line: string): void => {
      const trimmed = line.trim();
      if (trimmed === '') return;
      lines.push(trimmed);
      onLine?.(trimmed);
    };
    let next: NextStep = already ?? { kind: 'listen' };
    let promptTokens = 0;
    let completionTokens = 0;
    let model = this.deps.model.name;
    if (silence) this.messages.push({ role: 'user', content: GATEWAY_NOTES.silence });
    try {
      const system = buildSystemPrompt({
        tenant: this.setup.tenant,
        department: this.setup.department,
        agent: this.setup.agent,
        scripts: scriptsFor(this.setup.agent, this.deps.directory.scripts(this.setup.tenant.tenantId)),
        afterHours: this.setup.afterHours,
        now: this.now(),
        coaching: this.coaching,
      });
      for (let round = 0; round < MAX_ROUNDS; round += 1) {
        const response: LlmResponse = await this.deps.model.respond({
          system,
          // A copy: the history grows while a provider may still hold the request.
          messages: [...this.messages],
          tools: TOOL_SPECS,
          language: this.language,
          languages: this.languages,
          now: this.now(),
          timeZone: this.setup.tenant.settings.timeZone,
        });
        model = response.model;
        promptTokens += response.usage.promptTokens;
        completionTokens += response.usage.completionTokens;
        if (response.confidence !== undefined && round === 0 && this.lineCount > 0 && !silence) {
          this.lowConfidenceStreak =
            response.confidence < this.setup.agent.settings.escalationRules.belowConfidence
              ? this.lowConfidenceStreak + 1
              : 0;
        }
        if (response.toolCalls.length === 0) {
          this.messages.push({ role: 'assistant', content: response.text });
          say(response.text);
          break;
        }
        this.messages.push({ role: 'assistant', content: response.text, toolCalls: response.toolCalls });
        // Said before the tools run: on a media stream the caller hears it while they work.
        say(response.text);
        for (const call of response.toolCalls) {
          const step = await this.runToolCall(call.id, call.name, call.arguments);
          if (step?.kind === 'queue' || (step?.kind === 'hang_up' && next.kind === 'listen')) next = step;
        }
      }
    } catch (error) {
      // Even the offline fallback failed: the caller still hears something and the team gets the call.
      say(APOLOGY[primary(this.language)] ?? APOLOGY['en'] ?? '');
      this.messages.push({ role: 'assistant', content: lines.join(' ') });
      this.deps.log(`call ${this.callId}: no reply from ${this.deps.model.name}: ${String(error)}`);
    }
    const text = lines.join(' ');
    if (text !== '') {
      this.replyCount += 1;
      this.transcript.push({ speaker: 'ai', text });
      await this.send('RecordAiReply', {
        utteranceId: `${this.callId}-a${this.replyCount}`,
        text,
        language: this.language,
        model: model.slice(0, 200),
        promptTokens,
        completionTokens,
        latencyMs: Math.round(performance.now() - started),
      });
    }
    return { lines, language: this.language, voice: this.voice, next };
  }

  private send(type: string, data: Record<string, unknown>): Promise<SendResult> {
    return this.deps.commands.send(
      type,
      { tenantId: this.setup.tenant.tenantId, callId: this.callId, ...data },
      { correlationId: this.callId },
    );
  }
}
