import { describe, expect, it } from 'vitest';
import type { ChatMessage } from './port.js';
import { CALL_ANSWERED, placeForChat } from './prompt-placement.js';
import { systemPromptFor } from './system-prompt.js';

/*
 * Where the call context goes: out of the system message (which a chat template follows with the tools), into
 * the conversation's first user message, so a server's prompt cache keeps system + tools across calls and the
 * whole history across turns.
 */

const SYSTEM = 'You are Ava, an AI voice agent answering the phone for Acme Dental.\nTone: friendly\n';
const CONTEXT = 'Caller: Maria Known\nThe call started on Monday, March 2, 2026 at 11:00 (America/New_York).';

const place = (messages: readonly ChatMessage[], language = 'en', context: string | null = CONTEXT) =>
  placeForChat({ system: SYSTEM, messages, language, ...(context !== null && { context }) });

const roles = (messages: readonly ChatMessage[]): string => messages.map((m) => m.role).join(' ');

describe('placeForChat', () => {
  it('keeps the system message to the agent prompt, whatever the context and language', () => {
    expect(place([], 'en').system).toBe(SYSTEM.trimEnd());
    expect(place([], 'es', 'Caller: Someone Else').system).toBe(SYSTEM.trimEnd());
    expect(place([], 'en', null).system).toBe(SYSTEM.trimEnd());
  });

  it('asks for the greeting with one user message: the context, the language and that the call was answered', () => {
    expect(place([], 'pt-BR').messages).toEqual([
      {
        role: 'user',
        content: `(Call context: ${CONTEXT}\nReply in Brazilian Portuguese.)\n\n${CALL_ANSWERED}`,
      },
    ]);
  });

  it("puts the context in front of the caller's first line, and leaves the rest as it is", () => {
    const history: ChatMessage[] = [
      { role: 'user', content: 'Hi, are you open on Saturday?' },
      { role: 'assistant', content: 'Yes, from 9 to 1.' },
      { role: 'user', content: 'Thanks.' },
    ];
    const { messages } = place(history, 'es');
    expect(messages).toEqual([
      {
        role: 'user',
        content: `(Call context: ${CONTEXT}\nReply in Spanish.)\n\nHi, are you open on Saturday?`,
      },
      ...history.slice(1),
    ]);
  });

  it('opens a history that starts with the greeting with the same user message the greeting was asked with', () => {
    const greeting = place([]).messages;
    const history: ChatMessage[] = [
      { role: 'assistant', content: 'Hi Maria! How can I help?' },
      { role: 'user', content: 'I need to move my appointment.' },
    ];
    const { messages } = place(history);
    expect(messages.slice(0, greeting.length)).toEqual(greeting);
    expect(messages.slice(greeting.length)).toEqual(history);
    // Roles alternate: templates that refuse two user messages in a row take it.
    expect(roles(messages)).toBe('user assistant user');
  });

  it('tells the reply language alone when a request has no context', () => {
    expect(place([{ role: 'user', content: 'Hola.' }], 'es', null).messages[0]?.content).toBe(
      '(Call context: Reply in Spanish.)\n\nHola.',
    );
  });
});

describe('systemPromptFor (providers with a separate system prompt)', () => {
  it('appends the context and then the reply language to the agent prompt', () => {
    expect(systemPromptFor({ system: SYSTEM, context: CONTEXT, language: 'es' })).toBe(
      `${SYSTEM.trimEnd()}\n\n${CONTEXT}\nReply in Spanish.`,
    );
    expect(systemPromptFor({ system: 'You are Ava.', language: 'es' })).toBe(
      'You are Ava.\n\nReply in Spanish.',
    );
  });
});
