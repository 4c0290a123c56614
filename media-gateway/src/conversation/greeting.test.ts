import { afterEach, describe, expect, it } from 'vitest';
import { MediaGateway } from '../gateway.js';
import { tenantKnowledge } from '../knowledge.js';
import type { LanguageModel, LlmRequest } from '../llm/port.js';
import { OPEN_HOURS, TENANT, gatewayFixture, type GatewayFixture } from '../testing/fixture.js';

const CALL = 'CA00000000000000000000000000000c03';

/** A model of our own port that answers every request with one line, and remembers the requests. */
const oneLiner = (name: string, text: string): LanguageModel & { requests: LlmRequest[] } => {
  const requests: LlmRequest[] = [];
  return {
    name,
    requests,
    respond: (request) => {
      requests.push(request);
      return Promise.resolve({
        text,
        toolCalls: [],
        model: name,
        usage: { promptTokens: 1, completionTokens: 1 },
      });
    },
  };
};

let fixture: GatewayFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const callWith = async (model: LanguageModel, greeter?: LanguageModel) => {
  fixture = await gatewayFixture();
  const ready = fixture;
  const gateway = new MediaGateway({
    live: ready.live,
    commands: ready.commands,
    model,
    ...(greeter && { greeter }),
    searchKnowledge: tenantKnowledge(ready.live.directory),
    humansAvailable: () => false,
    now: () => OPEN_HOURS,
    log: () => undefined,
    readCall: (tenantId, callId) => ready.events(`call-${tenantId}.${callId}`),
  });
  await gateway.open({
    callId: CALL,
    from: '+15557770003',
    to: '+15550000001',
    provider: 'twilio',
    direction: 'inbound',
  });
  const session = gateway.session(CALL);
  if (!session) throw new Error('the call reached no agent');
  return session;
};

const replies = async () =>
  (await (fixture as GatewayFixture).events(`call-${TENANT}.${CALL}`))
    .filter((e) => e.type === 'AiReplied')
    .map((e) => e.data as { text: string; model: string });

describe('the greeting of a call a remote model converses on', () => {
  it('is said by the greeter at once; the model answers from the first caller line, the greeting in its history', async () => {
    const remote = oneLiner('remote-llm', 'Sure, we can help with that.');
    const greeter = oneLiner('offline-dialogue-1', 'Thanks for calling. How can I help?');
    const session = await callWith(remote, greeter);

    const greeting = await session.greet();
    expect(greeting.lines).toEqual(['Thanks for calling. How can I help?']);
    expect(remote.requests).toEqual([]);

    await session.hear({ text: 'I need a cleaning.', confidence: 0.9 });
    expect(remote.requests).toHaveLength(1);
    const history = JSON.stringify(remote.requests[0]?.messages);
    expect(history).toContain('Thanks for calling. How can I help?');
    expect(history).toContain('I need a cleaning.');
    expect((await replies()).map((r) => r.model)).toEqual(['offline-dialogue-1', 'remote-llm']);
  });

  it('warms the model with the prompt its first turn will send while the greeting is said', async () => {
    const warmed: LlmRequest[] = [];
    const remote = {
      ...oneLiner('remote-llm', 'Sure.'),
      warm: (request: LlmRequest) => {
        warmed.push(request);
        return Promise.resolve();
      },
    };
    const session = await callWith(remote, oneLiner('offline-dialogue-1', 'Thanks for calling.'));
    await session.greet();
    expect(warmed).toHaveLength(1);
    await session.hear({ text: 'I need a cleaning.', confidence: 0.9 });
    const [warm] = warmed;
    const [first] = remote.requests;
    expect(warm?.system).toBe(first?.system);
    expect(warm?.context).toBe(first?.context);
    expect(warm?.tools).toEqual(first?.tools);
    // The first turn's history starts with everything the warm-up sent.
    expect(first?.messages.slice(0, warm?.messages.length ?? 0)).toEqual(warm?.messages);
    expect(JSON.stringify(warm?.messages)).toContain('Thanks for calling.');
  });

  it('is asked of the model itself when there is no greeter', async () => {
    const remote = oneLiner('remote-llm', 'Hello from the model.');
    const session = await callWith(remote);
    expect((await session.greet()).lines).toEqual(['Hello from the model.']);
    expect(remote.requests).toHaveLength(1);
  });
});
