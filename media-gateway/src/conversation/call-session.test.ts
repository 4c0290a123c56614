import { afterEach, describe, expect, it } from 'vitest';
import { MediaGateway } from '../gateway.js';
import { tenantKnowledge } from '../knowledge.js';
import type { LanguageModel, LlmRequest, LlmResponse, ToolCallRequest } from '../llm/port.js';
import { OPEN_HOURS, TENANT, gatewayFixture, type GatewayFixture } from '../testing/fixture.js';
import type { CallSession } from './call-session.js';

/*
 * A call session's turn when the model misbehaves: tool calls it made up, and tool calls without end. The
 * caller must still hear the model's answer (not an apology) and every tool call is on record.
 */

const CALL = 'CA00000000000000000000000000000c01';
const APOLOGY = "I'm sorry, I'm having trouble right now.";

let f: GatewayFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const reply = (step: Partial<LlmResponse>): LlmResponse => ({
  text: '',
  toolCalls: [],
  model: 'scripted-1',
  usage: { promptTokens: 1, completionTokens: 1 },
  ...step,
});

/** Opens a call answered by Ava with a model that greets, then answers each request with `next`. */
const sessionWith = async (
  next: (request: LlmRequest) => Partial<LlmResponse>,
): Promise<{ session: CallSession; requests: LlmRequest[]; fixture: GatewayFixture }> => {
  const fixture = await gatewayFixture();
  f = fixture;
  const requests: LlmRequest[] = [];
  const model: LanguageModel = {
    name: 'scripted',
    respond: async (request) => {
      requests.push(request);
      return reply(requests.length === 1 ? { text: 'Hello, this is Ava.' } : next(request));
    },
  };
  const gateway = new MediaGateway({
    live: fixture.live,
    commands: fixture.commands,
    model,
    searchKnowledge: tenantKnowledge(fixture.live.directory),
    humansAvailable: () => false,
    now: () => OPEN_HOURS,
    log: () => undefined,
    readCall: (tenantId, callId) => fixture.events(`call-${tenantId}.${callId}`),
  });
  const opening = await gateway.open({
    callId: CALL,
    from: '+15557770001',
    to: '+15550000001',
    provider: 'twilio',
    direction: 'inbound',
  });
  expect(opening.kind).toBe('agent');
  const session = gateway.session(CALL);
  if (!session) throw new Error('no session for the call');
  return { session, requests, fixture };
};

const toolsInvoked = async (fixture: GatewayFixture) =>
  (await fixture.events(`call-${TENANT}.${CALL}`))
    .filter((e) => e.type === 'ToolInvoked')
    .map((e) => {
      const data = e.data as { name: string; status: string };
      return [data.name, data.status];
    });

/** The model's last message to it: the result of the tool it called, as the session reported it. */
const lastToolResult = (request: LlmRequest): string => {
  const last = request.messages[request.messages.length - 1];
  return last?.role === 'tool' ? last.content : '';
};

describe('call session', () => {
  it('tells the model a tool it made up is unknown, records it as failed, and says the model’s answer', async () => {
    const calls: ToolCallRequest[][] = [
      [{ id: 't1', name: 'transfer_funds', arguments: { amount: 1000 } }],
      [{ id: 't2', name: 'toString', arguments: {} }],
    ];
    const { session, requests, fixture } = await sessionWith(() => {
      const toolCalls = calls.shift();
      return toolCalls ? { toolCalls } : { text: 'I can help you book a visit instead.' };
    });
    const turn = await session.hearLine(1, { text: 'Send my money to Bob', confidence: 0.9 });
    expect(turn.lines.join(' ')).toContain('I can help you book a visit instead.');
    expect(turn.lines.join(' ')).not.toContain(APOLOGY);
    expect(lastToolResult(requests[2] as LlmRequest)).toContain('unknown tool transfer_funds');
    expect(await toolsInvoked(fixture)).toEqual([
      ['transfer_funds', 'failed'],
      ['toString', 'failed'],
    ]);
  });

  it('records and answers a made-up tool whose name the log would not take as a tool name', async () => {
    const calls: ToolCallRequest[][] = [[{ id: 't1', name: 'functions.lookup caller', arguments: {} }]];
    const { session, requests, fixture } = await sessionWith(() => {
      const toolCalls = calls.shift();
      return toolCalls ? { toolCalls } : { text: 'How else can I help?' };
    });
    const turn = await session.hearLine(1, { text: 'Who am I?', confidence: 0.9 });
    expect(turn.lines.join(' ')).not.toContain(APOLOGY);
    expect(turn.lines).toContain('How else can I help?');
    expect(lastToolResult(requests[2] as LlmRequest)).toContain('unknown tool');
    expect(await toolsInvoked(fixture)).toHaveLength(1);
  });

  it('answers a tool call with arguments that do not fit with the field, and the call goes on', async () => {
    let asked = false;
    const { session, requests, fixture } = await sessionWith(() => {
      if (asked) return { text: 'What day would suit you?' };
      asked = true;
      return {
        toolCalls: [
          {
            id: 't1',
            name: 'book_appointment',
            arguments: { service: 'Cleaning', startsAt: 'next tuesday' },
          },
        ],
      };
    });
    const turn = await session.hearLine(1, { text: 'Book me for a cleaning', confidence: 0.9 });
    expect(turn.lines).toContain('What day would suit you?');
    expect(lastToolResult(requests[2] as LlmRequest)).toMatch(/invalid arguments: startsAt/);
    expect(await toolsInvoked(fixture)).toEqual([['book_appointment', 'failed']]);
    const appointments = (await fixture.store.readAll()).filter((e) => e.type === 'AppointmentScheduled');
    expect(appointments).toEqual([]);
  });

  it('stops a model that calls tools without end after a bounded number of rounds', async () => {
    let n = 0;
    const { session, requests, fixture } = await sessionWith(() => {
      n += 1;
      return {
        text: n === 1 ? 'Let me look.' : '',
        toolCalls: [{ id: `t${n}`, name: 'lookup_caller_history', arguments: {} }],
      };
    });
    const turn = await session.hearLine(1, { text: 'What did I call about last time?', confidence: 0.9 });
    // The greeting's request, then five rounds for the line.
    expect(requests).toHaveLength(6);
    expect(turn.lines).toContain('Let me look.');
    expect(await toolsInvoked(fixture)).toHaveLength(5);
  });
});
