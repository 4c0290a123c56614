import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEntry } from '../directory/directory.js';
import { createOfflineDialogueEngine } from '../dialogue/engine.js';
import { toMessagesRequest } from '../llm/anthropic.js';
import { toChatCompletionRequest } from '../llm/openai.js';
import type { ChatMessage, LlmRequest } from '../llm/port.js';
import { CLOSED_HOURS, gatewayFixture, OPEN_HOURS, TENANT, type GatewayFixture } from '../testing/fixture.js';
import { buildCallContext, buildSystemPrompt, type PromptInput } from './prompt.js';
import { TOOL_SPECS } from './tools.js';

/*
 * What the prompt tells every model, and in which half: the system prompt is what every call of an agent shares
 * (a server's prompt cache keeps it and the tools across calls), the call context is one call's situation (the
 * caller, a lead's variables, open or closed, when the call started, a supervisor's notes).
 */

let f: GatewayFixture;
beforeEach(async () => {
  f = await gatewayFixture();
});
afterEach(async () => {
  await f.close();
});

const MINUTE = 60_000;

const input = (options: Partial<PromptInput> = {}): PromptInput => {
  const directory = f.live.directory;
  return {
    tenant: directory.tenant(TENANT)!,
    department: undefined,
    agent: directory.agent(TENANT, 'ava')!,
    scripts: [],
    afterHours: false,
    now: OPEN_HOURS,
    ...options,
  };
};

/** Ava as a campaign would use her: a greeting and instructions with a lead's placeholders. */
const campaignAva = (): AgentEntry => {
  const ava = f.live.directory.agent(TENANT, 'ava')!;
  return {
    ...ava,
    settings: {
      ...ava.settings,
      systemPrompt: 'Remind {{first_name}} that the yearly check-up is due.',
      personality: {
        ...ava.settings.personality,
        greeting: 'Hi {{first_name}}, this is Ava from Acme Dental.',
      },
    },
  };
};

/** A turn's request as model-turn.ts makes it: the context from the call's start, `now` the turn's time. */
const turnRequest = (call: PromptInput, messages: readonly ChatMessage[], at: Date): LlmRequest => ({
  system: buildSystemPrompt(call),
  context: buildCallContext(call),
  messages,
  tools: TOOL_SPECS,
  language: 'en',
  languages: ['en', 'es'],
  now: at,
  timeZone: 'America/New_York',
});

const chat = (request: LlmRequest) => toChatCompletionRequest('qwen2.5-1.5b-instruct', request).messages;

describe('system prompt and call context', () => {
  it('names a known caller in the context only, on the `Caller:` line the offline engine reads', () => {
    const known = input({ caller: { name: 'Maria Known' } });
    expect(buildCallContext(known)).toMatch(/^Caller: Maria Known$/m);
    expect(buildCallContext(known)).toContain(
      'greet them by name and book under that name without asking for it',
    );
    expect(buildSystemPrompt(known)).not.toContain('Maria');
    expect(buildCallContext(input())).not.toMatch(/^Caller:/m);
  });

  it('has the agent offer only free times where the tenant books by service', () => {
    expect(buildSystemPrompt(input({ booksByService: true }))).toContain(
      'call find_free_slots and offer only the times it returns',
    );
    expect(buildSystemPrompt(input())).not.toContain('find_free_slots');
  });

  it('says when the call started, to the minute in the business zone, in the context and nowhere else', () => {
    const call = input({ now: new Date(OPEN_HOURS.getTime() + 17_250) });
    expect(buildCallContext(call).split('\n')).toContain(
      'The call started on Monday, March 2, 2026 at 11:00 (America/New_York).',
    );
    expect(buildSystemPrompt(call)).not.toMatch(/11:00|2026|Monday|Now:/);
    expect(buildSystemPrompt(call)).toBe(buildSystemPrompt(input({ now: CLOSED_HOURS, afterHours: true })));
  });

  it('puts the caller first, then the opening state and the start, and a supervisor last', () => {
    const context = buildCallContext(
      input({
        caller: { name: 'Maria Known' },
        afterHours: true,
        coaching: ['Offer the Thursday slot.'],
        now: CLOSED_HOURS,
      }),
    ).split('\n');
    expect(context[0]).toBe('Caller: Maria Known');
    const start = context.findIndex((line) => line.startsWith('The call started on'));
    expect(context[start - 1]).toMatch(
      /^The business is closed now: .* It opens again on Tuesday at 9:00 AM\./,
    );
    expect(context[start]).toBe('The call started on Monday, March 2, 2026 at 23:00 (America/New_York).');
    expect(context.slice(start + 1)).toEqual([
      expect.stringMatching(/supervisor.*Offer the Thursday slot\.$/),
    ]);
  });

  it("keeps a campaign's placeholders in the system prompt and gives the lead's values in the context", () => {
    const call = input({ agent: campaignAva(), variables: { first_name: 'Dana', plan: 'gold' } });
    const system = buildSystemPrompt(call);
    expect(system).toContain('Greeting: Hi {{first_name}}, this is Ava from Acme Dental.');
    expect(system).toContain('Remind {{first_name}} that the yearly check-up is due.');
    expect(system).not.toContain('Dana');
    const context = buildCallContext(call);
    expect(context).toContain('what we know of them: first_name: Dana; plan: gold.');
    expect(context).toMatch(/^Greeting: Hi Dana, this is Ava from Acme Dental\.$/m);
  });
});

describe('requests a prompt cache can reuse', () => {
  // Qwen's and Hermes-style chat templates write the tools after the system message: a system message that
  // changed by the minute or by caller made a local server process ~1,500 tokens again on every turn.
  it('sends every turn of a call with the previous request as its exact prefix, minutes apart', () => {
    const call = input({ caller: { name: 'Maria Known' }, now: new Date(OPEN_HOURS.getTime() + 20_000) });
    const greeting = turnRequest(call, [], new Date(OPEN_HOURS.getTime() + 21_000));
    const history: ChatMessage[] = [
      { role: 'assistant', content: 'Hi Maria, great to hear from you! How can I help today?' },
      { role: 'user', content: 'What are your hours on Saturday?' },
    ];
    const first = turnRequest(call, [...history], new Date(OPEN_HOURS.getTime() + 1 * MINUTE));
    history.push(
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'c1', name: 'search_knowledge_base', arguments: { query: 'Saturday hours' } }],
      },
      { role: 'tool', toolCallId: 'c1', name: 'search_knowledge_base', content: '{"answer":"9 to 1"}' },
      { role: 'assistant', content: 'Saturdays from 9 to 1.' },
      { role: 'user', content: 'Great, can I book next Saturday?' },
    );
    const later = turnRequest(call, [...history], new Date(OPEN_HOURS.getTime() + 4 * MINUTE + 31_000));
    const requests = [greeting, first, later].map(chat);
    for (let i = 1; i < requests.length; i += 1) {
      const [before, after] = [requests[i - 1] ?? [], requests[i] ?? []];
      expect(after[0]).toEqual(before[0]);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.length).toBeGreaterThan(before.length);
    }
    // Anthropic's whole system prompt (agent and context) stays the same within the call too.
    const anthropic = [greeting, first, later].map((r) => toMessagesRequest('claude', 1024, r).system);
    expect(new Set(anthropic).size).toBe(1);
  });

  it('sends the same system message to every call of an agent, whoever calls and whenever', () => {
    const known = turnRequest(
      input({ caller: { name: 'Maria Known' }, now: new Date(OPEN_HOURS.getTime() + 3 * MINUTE) }),
      [{ role: 'user', content: 'Hi.' }],
      new Date(OPEN_HOURS.getTime() + 4 * MINUTE),
    );
    const stranger = turnRequest(
      input({ now: new Date(OPEN_HOURS.getTime() + 47 * MINUTE + 5_000) }),
      [{ role: 'user', content: 'Hello?' }],
      new Date(OPEN_HOURS.getTime() + 48 * MINUTE),
    );
    const night = turnRequest(
      input({ now: CLOSED_HOURS, afterHours: true, coaching: ['Be brief.'] }),
      [],
      CLOSED_HOURS,
    );
    const [a, b, c] = [known, stranger, night].map(chat);
    expect(a?.[0]).toEqual(b?.[0]);
    expect(a?.[0]).toEqual(c?.[0]);
    // Each call's situation is still told, at the front of its first user message.
    expect(a?.[1]).toEqual({
      role: 'user',
      content: expect.stringMatching(/^\(Call context: Caller: Maria Known\n[^]*\)\n\nHi\.$/),
    });
    expect(b?.[1]?.content).toContain('The call started on Monday, March 2, 2026 at 11:47');
    expect(c?.[1]?.content).toContain('A supervisor listening to this call tells you');
  });

  it("sends a campaign call's system message the same as any other call of the agent", () => {
    const agent = campaignAva();
    const campaign = chat(
      turnRequest(input({ agent, variables: { first_name: 'Dana', name: 'Dana Scully' } }), [], OPEN_HOURS),
    );
    const inbound = chat(turnRequest(input({ agent }), [], OPEN_HOURS));
    expect(campaign[0]).toEqual(inbound[0]);
    expect(campaign[1]?.content).toContain('first_name: Dana');
  });
});

describe('the offline engine reads the call context', () => {
  const greet = (call: PromptInput) => createOfflineDialogueEngine().respond(turnRequest(call, [], call.now));

  it('greets a known caller by name', async () => {
    expect((await greet(input({ caller: { name: 'Maria Known' } }))).text).toMatch(/^Hi Maria Known!/);
  });

  it("says a lead's greeting with the lead's values filled in", async () => {
    const call = input({ agent: campaignAva(), variables: { first_name: 'Dana' } });
    expect((await greet(call)).text).toBe('Hi Dana, this is Ava from Acme Dental.');
  });

  it('says when the business opens again on a night line without a greeting of its own', async () => {
    const ava = campaignAva();
    const { greeting: _unused, ...personality } = ava.settings.personality;
    const agent = { ...ava, settings: { ...ava.settings, personality } };
    const text = (await greet(input({ agent, afterHours: true, now: CLOSED_HOURS }))).text;
    expect(text).toContain("We're closed right now; we open again on Tuesday at 9:00 AM.");
  });
});
