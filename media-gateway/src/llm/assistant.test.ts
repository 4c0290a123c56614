import { describe, expect, it } from 'vitest';
import { withAssistant } from './assistant.js';
import { contractRequest } from './contract.js';
import type { LanguageModel, LlmRequest, LlmResponse } from './port.js';

/** Stands for a model: answers every request the same way and remembers what it was asked. */
const recording = (name: string, answer: Partial<LlmResponse> | (() => never) = {}) => {
  const asked: LlmRequest[] = [];
  const model: LanguageModel = {
    name,
    respond: async (request) => {
      asked.push(request);
      if (typeof answer === 'function') answer();
      return {
        text: `${name} answers`,
        toolCalls: [],
        model: name,
        usage: { promptTokens: 0, completionTokens: 0 },
        ...(typeof answer === 'function' ? {} : answer),
      };
    },
  };
  return { model, asked };
};

describe('withAssistant: the offline engine leads, a model answers what it cannot', () => {
  it('says the lead’s answer when it is sure, without asking the assistant', async () => {
    const lead = recording('offline');
    const assistant = recording('local');
    const reply = await withAssistant(lead.model, assistant.model).respond(contractRequest());
    expect(reply.text).toBe('offline answers');
    expect(assistant.asked).toHaveLength(0);
  });

  it('asks the assistant the same request when the lead is unsure, and says its answer', async () => {
    const lead = recording('offline', { unsure: true });
    const assistant = recording('local');
    const request = contractRequest();
    const reply = await withAssistant(lead.model, assistant.model).respond(request);
    expect(reply).toMatchObject({ text: 'local answers', model: 'local' });
    expect(assistant.asked).toEqual([request]);
  });

  it('keeps the lead’s answer when the assistant’s own fallback answered, or it failed (logged)', async () => {
    const lead = recording('offline', { unsure: true });
    const fellBack = recording('local', { fallback: true, text: 'offline again' });
    expect((await withAssistant(lead.model, fellBack.model).respond(contractRequest())).text).toBe(
      'offline answers',
    );
    const logged: string[] = [];
    const broken = recording('local', () => {
      throw new Error('connection refused');
    });
    const reply = await withAssistant(lead.model, broken.model, (m) => logged.push(m)).respond(
      contractRequest(),
    );
    expect(reply.text).toBe('offline answers');
    expect(logged).toEqual([expect.stringContaining('local could not assist: Error: connection refused')]);
  });

  it('answers a turn that falls back (the assistant’s reply was refused) with the lead alone', async () => {
    const lead = recording('offline', { unsure: true });
    const assistant = recording('local');
    const reply = await withAssistant(lead.model, assistant.model).respond(
      contractRequest({ preferFallback: true }),
    );
    expect(reply.text).toBe('offline answers');
    expect(assistant.asked).toHaveLength(0);
  });

  it('warms the assistant’s prompt cache (the lead has none)', async () => {
    const warmed: LlmRequest[] = [];
    const assistant: LanguageModel = {
      ...recording('local').model,
      warm: async (request) => {
        warmed.push(request);
      },
    };
    const model = withAssistant(recording('offline').model, assistant);
    await model.warm?.(contractRequest());
    expect(warmed).toHaveLength(1);
  });
});
