import type { ToolEffect } from './tools.js';

export interface CallRecordLine {
  readonly speaker: 'caller' | 'ai';
  readonly text: string;
}

export interface CallSummary {
  readonly summary: string;
  readonly outcome: string | undefined;
  readonly followUps: readonly string[];
}

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/**
 * An extractive summary: what the caller came for (their first real line), what the AI did (tools with
 * effects), and how it ended. It needs no model, so every call has one, and it quotes rather than guesses.
 */
export const summarise = (
  lines: readonly CallRecordLine[],
  effects: readonly ToolEffect[],
  context: { readonly agentName: string; readonly escalationReason?: string | undefined },
): CallSummary => {
  const callerLines = lines.filter((l) => l.speaker === 'caller').map((l) => l.text);
  const followUps = effects.flatMap((e) => (e.kind === 'follow_up' ? [e.description] : []));
  const queued = effects.find((e) => e.kind === 'queued');
  const parts: string[] = [];
  const first = callerLines.find((l) => l.split(/\s+/).length >= 3) ?? callerLines[0];
  if (first === undefined) parts.push(`The caller said nothing to ${context.agentName}.`);
  else parts.push(`The caller told ${context.agentName}: "${clip(first, 300)}".`);
  if (followUps.length > 0) parts.push(`Done: ${followUps.join('; ')}.`);
  if (context.escalationReason !== undefined) {
    parts.push(
      `Escalated to a person (${context.escalationReason.replace(/_/g, ' ')})` +
        (queued?.kind === 'queued' ? ` and queued for ${queued.departmentId}.` : '; nobody was available.'),
    );
  }
  const last = callerLines[callerLines.length - 1];
  if (last !== undefined && last !== first) parts.push(`Last words from the caller: "${clip(last, 200)}".`);
  const outcome =
    followUps.find((f) => f.startsWith('appointment')) !== undefined
      ? 'appointment booked'
      : followUps.find((f) => f.startsWith('message')) !== undefined
        ? 'message taken'
        : queued
          ? 'handed to a person'
          : followUps.length > 0
            ? 'follow-up recorded'
            : callerLines.length > 0
              ? 'answered by the AI'
              : undefined;
  return { summary: parts.join(' '), outcome, followUps };
};
