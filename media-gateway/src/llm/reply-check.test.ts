import { describe, expect, it } from 'vitest';
import { TOOL_SPECS } from '../conversation/tools.js';
import { LlmUnavailableError, type LlmResponse } from './port.js';
import { checkedReply, isMarkup } from './reply-check.js';

const reply = (text: string, extra: Partial<LlmResponse> = {}): LlmResponse => ({
  text,
  toolCalls: [],
  model: 'qwen2.5-1.5b-instruct',
  usage: { promptTokens: 10, completionTokens: 5 },
  ...extra,
});
const failure = (run: () => unknown): LlmUnavailableError | undefined => {
  try {
    run();
  } catch (error) {
    if (error instanceof LlmUnavailableError) return error;
    throw error;
  }
  return undefined;
};

describe('isMarkup', () => {
  it.each([
    '{"name": "escalate_to_human"}',
    '  [{"a": 1}]',
    'Sure <tool_call>',
    '</tool_call>',
    '<function=book_appointment>{}</function>',
    '<|python_tag|>x',
    '[TOOL_CALLS] x',
    '```json',
    'Okay {"x": 1}',
    // What Qwen2.5-Coder-0.5B answered on a real llama.cpp server: the gateway's own notes read back.
    'Call context: Reply in English.\n\nThe call has just been answered.',
    'The call has just been answered.',
    '(The caller said nothing.)',
  ])('%j is markup', (text) => {
    expect(isMarkup(text)).toBe(true);
  });

  it.each([
    'Hello! How can I help?',
    '¿En qué le puedo ayudar?',
    'It costs $3.50 (plus tax).',
    'Between 9 and 5.',
    'Thanks for calling, how can I help?',
  ])('%j is speech', (text) => {
    expect(isMarkup(text)).toBe(false);
  });
});

describe('checkedReply', () => {
  it('turns a tool call written as text into a tool call, keeping the speech', () => {
    const checked = checkedReply(
      'p',
      reply('One moment.\n<tool_call>\n{"name": "lookup_caller_history", "arguments": {}}\n</tool_call>', {
        streamed: 1,
      }),
      TOOL_SPECS,
    );
    expect(checked.text).toBe('One moment.');
    expect(checked.toolCalls).toEqual([
      { id: expect.stringMatching(/^call_/), name: 'lookup_caller_history', arguments: {} },
    ]);
    expect(checked.streamed).toBe(1);
    expect(checked.usage).toEqual({ promptTokens: 10, completionTokens: 5 });
  });

  it('refuses an empty reply without tool calls (a silent greeting) as empty-reply', () => {
    expect(failure(() => checkedReply('p', reply('  \n'), TOOL_SPECS))?.reason).toBe('empty-reply');
    const call = { id: 'c', name: 'lookup_caller_history', arguments: {} };
    expect(checkedReply('p', reply('', { toolCalls: [call] }), TOOL_SPECS).toolCalls).toEqual([call]);
  });

  it('never lets {"name": "escalate_to_human", …} become speech', () => {
    const text = '{"name": "escalate_to_human", "arguments": {"reason": "wants a person"}}';
    expect(checkedReply('p', reply(text), TOOL_SPECS)).toMatchObject({
      text: '',
      toolCalls: [{ name: 'escalate_to_human', arguments: { reason: 'wants a person' } }],
    });
    // Not offered this turn: not a call, and not something to say either.
    const error = failure(() => checkedReply('p', reply(text), []));
    expect(error?.reason).toBe('not-speech');
    expect(error?.message).toMatch(/^p: the reply is markup/);
  });

  it('passes plain speech as it is', () => {
    const response = reply('Hello! How can I help?');
    expect(checkedReply('p', response, TOOL_SPECS)).toBe(response);
  });

  it.each([
    [
      'a call as a single-quoted object',
      "Sure, {'name': 'search_knowledge_base', 'arguments': {'query': 'hours'}}",
    ],
    ['a call written as a function call', 'search_knowledge_base(query="hours")'],
    ['a call written as a function call after speech', 'One moment. escalate_to_human (reason="asked")'],
  ])('refuses %s as not-speech', (_, text) => {
    expect(failure(() => checkedReply('p', reply(text), TOOL_SPECS))?.reason).toBe('not-speech');
  });
});

describe('isMarkup with the tool names', () => {
  it('knows a call by a tool name followed by a parenthesis, only when given the names', () => {
    expect(isMarkup('get_weather(city="Paris")', ['get_weather'])).toBe(true);
    expect(isMarkup('get_weather(city="Paris")')).toBe(false);
    expect(isMarkup('The weather (sunny) is fine.', ['get_weather'])).toBe(false);
    expect(isMarkup("Sure, {'name': 'get_weather', 'arguments': {'city': 'Paris'}}")).toBe(true);
  });
});
