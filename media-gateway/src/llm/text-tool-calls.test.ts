import { describe, expect, it } from 'vitest';
import { textToolCalls } from './text-tool-calls.js';

const NAMES = ['book_appointment', 'escalate_to_human', 'search_knowledge_base', 'lookup_caller_history'];
const BOOKING = {
  service: 'Teeth cleaning',
  startsAt: '2026-03-11T15:00:00-04:00',
  customerName: 'Dana Reyes',
};
const id = expect.stringMatching(/^call_\S+$/);

describe('textToolCalls', () => {
  it('takes Qwen2.5 / Hermes <tool_call> tags, as Qwen writes them', () => {
    const text = `<tool_call>\n{"name": "book_appointment", "arguments": ${JSON.stringify(BOOKING)}}\n</tool_call>`;
    expect(textToolCalls(text, NAMES)).toEqual({
      calls: [{ id, name: 'book_appointment', arguments: BOOKING }],
      text: '',
    });
  });

  it('takes several tags, an unclosed last one, and keeps the speech around them', () => {
    const text =
      'One moment.\n<tool_call>\n{"name": "lookup_caller_history", "arguments": {}}\n</tool_call>\n' +
      '<tool_call>\n{"name": "search_knowledge_base", "arguments": {"query": "hours"}}';
    const { calls, text: left } = textToolCalls(text, NAMES);
    expect(calls.map((call) => [call.name, call.arguments])).toEqual([
      ['lookup_caller_history', {}],
      ['search_knowledge_base', { query: 'hours' }],
    ]);
    expect(left).toBe('One moment.');
    expect(new Set(calls.map((call) => call.id)).size).toBe(2);
  });

  it('takes Llama 3.2 bare {"name", "parameters"} objects', () => {
    const text = '{"name": "escalate_to_human", "parameters": {"reason": "caller asked for a person"}}';
    expect(textToolCalls(text, NAMES).calls).toEqual([
      { id, name: 'escalate_to_human', arguments: { reason: 'caller asked for a person' } },
    ]);
  });

  it('takes fenced json blocks, arrays of calls, arguments as a JSON string, and {"function": {...}}', () => {
    const fenced =
      'Sure.\n```json\n[{"name": "search_knowledge_base", "arguments": "{\\"query\\": \\"parking\\"}"}]\n```';
    expect(textToolCalls(fenced, NAMES)).toEqual({
      calls: [{ id, name: 'search_knowledge_base', arguments: { query: 'parking' } }],
      text: 'Sure.',
    });
    const wrapped = '{"type": "function", "function": {"name": "lookup_caller_history", "arguments": {}}}';
    expect(textToolCalls(wrapped, NAMES).calls).toEqual([
      { id, name: 'lookup_caller_history', arguments: {} },
    ]);
  });

  it('leaves calls of tools not offered, malformed arguments and plain speech as text', () => {
    for (const text of [
      '{"name": "delete_everything", "arguments": {}}',
      '<tool_call>{"name": "book_appointment", "arguments": "not json"}</tool_call>',
      '[{"name": "book_appointment", "arguments": {}}, {"name": "nope", "arguments": {}}]',
      'Our hours are 9 to 5 {approximately}.',
      'Hello! How can I help?',
    ]) {
      expect(textToolCalls(text, NAMES)).toEqual({ calls: [], text });
    }
  });

  it('reads braces inside strings as text, not structure', () => {
    const text = '{"name": "search_knowledge_base", "arguments": {"query": "price of {premium} cleaning }"}}';
    expect(textToolCalls(text, NAMES).calls[0]?.arguments).toEqual({
      query: 'price of {premium} cleaning }',
    });
  });

  const hours = '{"name": "search_knowledge_base", "arguments": {"query": "hours"}}';
  const history = '{"name": "lookup_caller_history", "arguments": {}}';
  it.each([
    ['a JSON fence in capitals', `One moment.\n\`\`\`JSON\n${hours}\n\`\`\``, 1],
    ['a json5 fence', `One moment.\n\`\`\`json5\n${hours}\n\`\`\``, 1],
    [
      'two calls in one fence, as the 1.5B writes them',
      `One moment.\n\`\`\`json\n${history}\n${hours}\n\`\`\``,
      2,
    ],
    ['an unclosed fence', `One moment.\n\`\`\`json\n${hours}`, 1],
    [
      'a <tool_call> inside a bare fence',
      `One moment.\n\`\`\`\n<tool_call>\n${hours}\n</tool_call>\n\`\`\``,
      1,
    ],
  ])('takes the calls of %s, and leaves no fence behind', (_, text, count) => {
    const { calls, text: left } = textToolCalls(text, NAMES);
    expect(calls).toHaveLength(count);
    expect(calls.at(-1)).toMatchObject({ name: 'search_knowledge_base', arguments: { query: 'hours' } });
    expect(left).toBe('One moment.');
  });

  it('drops what follows the last written call: a result the model made up before the tool ran', () => {
    const text = `Sure. ${hours} We are open from 9 to 5 every day.`;
    expect(textToolCalls(text, NAMES)).toEqual({
      calls: [{ id, name: 'search_knowledge_base', arguments: { query: 'hours' } }],
      text: 'Sure.',
    });
  });
});
