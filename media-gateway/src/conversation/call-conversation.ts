import type { CallEvent, EventEnvelope } from '@ccp/schemas';
import type { ChatMessage } from '../llm/port.js';
import { scoreSentiment } from '@ccp/stream-processors';
import type { CallSetup, NextStep } from './call-session.js';
import { isEffectTool, type PendingConfirmation } from './confirmation-gate.js';
import { summarise, type CallRecordLine, type CallSummary } from './summary.js';
import type { ToolEffect } from './tools.js';

/** An AI turn's reply as RecordAiReply records it. */
export interface AiReply {
  readonly utteranceId: string;
  readonly text: string;
  readonly language: string;
  readonly model: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly latencyMs: number;
}

export const primary = (tag: string): string => tag.split('-')[0] ?? tag;

/**
 * What a call session knows of its conversation: the language spoken (among those its setup allows), the
 * history the model sees, the transcript, the tools' effects, the caller's sentiment, the signals escalation
 * rules read and the counts that number lines, replies and tool calls. All of it can be rebuilt from the call's
 * recorded events (`restore`), after another process held the call or recorded part of it (`forget` first).
 */
export class CallConversation {
  language: string;
  readonly messages: ChatMessage[] = [];
  readonly transcript: CallRecordLine[] = [];
  readonly effects: ToolEffect[] = [];
  readonly sentiments: number[] = [];
  lowConfidenceStreak = 0;
  turnsWithoutResolution = 0;
  lineCount = 0;
  replyCount = 0;
  toolCount = 0;
  escalationReason: string | undefined;
  humanInControl = false;
  readonly coaching: string[] = [];
  /** Where each caller line led when not back to listening (the queue, hanging up), as said or as recorded. */
  readonly nextAfterLine = new Map<number, NextStep>();
  /** The tool results (of `messages`) of calls that succeeded: what the AI may say it did. */
  succeededTools = new WeakSet<ChatMessage>();
  /** A booking, move or cancellation held back until the caller confirms the slot the last reply read back. */
  pendingConfirmation: PendingConfirmation | undefined;
  /** When the call started (its first event's time, or the first turn's): the call context's time. */
  startedAt: Date | undefined;
  /** The caller line a booking, move or cancellation ran on: one yes lets one effect run, not two. */
  effectLine: number | undefined;
  /** The AI turn running now: what it has said so far, for a call that ends before it does. */
  turnInFlight: (() => AiReply | undefined) | undefined;

  constructor(private readonly setup: CallSetup) {
    this.language = this.firstLanguage();
  }

  private firstLanguage(): string {
    const preferred = this.setup.callerLanguage;
    const spoken = preferred && this.languages.find((l) => primary(l) === primary(preferred));
    return (
      spoken || (this.setup.agent.settings.languages[0] ?? this.setup.tenant.settings.languages[0] ?? 'en')
    );
  }

  get voice(): string {
    return this.setup.agent.settings.voice;
  }

  get languages(): readonly string[] {
    const { agent, tenant } = this.setup;
    return agent.settings.languages.length > 0 ? agent.settings.languages : tenant.settings.languages;
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
      this.startedAt ??= new Date(event.occurredAt);
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
          const result: ChatMessage = {
            role: 'tool',
            toolCallId: id,
            name: e.data.name,
            content: JSON.stringify(e.data.result),
          };
          this.messages.push(result);
          if (e.data.status === 'succeeded') this.succeededTools.add(result);
          if (isEffectTool(e.data.name) && e.data.status === 'succeeded') this.effectLine = this.lineCount;
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
   * Forgets what was remembered of the conversation, for `restore` to rebuild it from the call's events: another
   * process recorded some of it. The tools' effects, the low-confidence streak and the turns without resolution
   * stay.
   */
  forget(): void {
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
    this.succeededTools = new WeakSet();
    this.pendingConfirmation = undefined;
    this.effectLine = undefined;
    this.startedAt = undefined;
  }
}
