import { describe, expect, it } from 'vitest';
import type { LanguageModel, LlmRequest, LlmResponse } from '../llm/port.js';
import { modelTranslator } from './translator.js';

// The LLM port played by a scripted double (the adapters have their own contract suite): what the translator
// asks, and what it lets through.
const model = (answer: Partial<LlmResponse> | Error, seen: LlmRequest[] = []): LanguageModel => ({
  name: 'scripted',
  respond: async (request) => {
    seen.push(request);
    if (answer instanceof Error) throw answer;
    return {
      text: '',
      toolCalls: [],
      model: 'scripted',
      usage: { promptTokens: 1, completionTokens: 1 },
      ...answer,
    };
  },
});

const ENGLISH = 'Nitrous oxide is $60 a visit, from 9:30.';

describe('translation by the configured model', () => {
  it('asks for a translation only, into the language named, and says it', async () => {
    const seen: LlmRequest[] = [];
    const translator = modelTranslator(
      model({ text: '"El óxido nitroso cuesta $60 por visita, desde las 9:30."' }, seen),
    );
    expect(await translator.translate(ENGLISH, 'es-MX')).toBe(
      'El óxido nitroso cuesta $60 por visita, desde las 9:30.',
    );
    expect(seen[0]?.system).toMatch(/into Spanish/);
    expect(seen[0]?.tools).toEqual([]);
    expect(seen[0]?.messages).toEqual([{ role: 'user', content: ENGLISH }]);
  });

  it('lets nothing through that changed a number, talks instead, fell back or failed', async () => {
    const refused = async (answer: Partial<LlmResponse> | Error) =>
      modelTranslator(model(answer)).translate(ENGLISH, 'es');
    expect(
      await refused({ text: 'El óxido nitroso cuesta $50 por visita, desde las 9:30.' }),
    ).toBeUndefined();
    expect(await refused({ text: 'El óxido nitroso cuesta $60 por visita.' })).toBeUndefined();
    expect(await refused({ text: '' })).toBeUndefined();
    expect(
      await refused({ text: `Claro. ${'Le cuento todo sobre la clínica. '.repeat(10)} $60 9:30` }),
    ).toBeUndefined();
    expect(
      await refused({ text: 'El óxido nitroso cuesta $60, desde las 9:30.', fallback: true }),
    ).toBeUndefined();
    expect(
      await refused({
        text: 'El óxido nitroso cuesta $60, desde las 9:30.',
        toolCalls: [{ id: 't1', name: 'search_knowledge_base', arguments: {} }],
      }),
    ).toBeUndefined();
    expect(await refused(new Error('unreachable'))).toBeUndefined();
  });

  it('does not ask for a language it cannot name, or for nothing', async () => {
    const seen: LlmRequest[] = [];
    const translator = modelTranslator(model({ text: 'x' }, seen));
    expect(await translator.translate(ENGLISH, 'tlh')).toBeUndefined();
    expect(await translator.translate('  ', 'es')).toBeUndefined();
    expect(seen).toEqual([]);
  });
});
