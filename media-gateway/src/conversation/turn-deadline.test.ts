import { afterEach, describe, expect, it } from 'vitest';
import { MediaGateway } from '../gateway.js';
import { tenantKnowledge } from '../knowledge.js';
import { withFallback } from '../llm/fallback.js';
import { createOpenAiModel } from '../llm/openai.js';
import type { LanguageModel, LlmRequest } from '../llm/port.js';
import { startOpenAiStandIn, type OpenAiStandIn } from '../llm/testing/openai-stand-in.js';
import { gatewayFixture, OPEN_HOURS, type GatewayFixture } from '../testing/fixture.js';
import { DEFAULT_GATHER_TURN_MS } from './model-turn.js';
import { scriptedCall, scriptedResponse, type ScriptedCall } from './testing/scripted-call.js';

/*
 * A benchmark against llama.cpp on 2 busy cores: a gather turn ran past Twilio's 15 s webhook limit, because each
 * model request of the turn waited its own budget, and after a fallback the next round asked the slow model again.
 */

const until = async (done: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !done(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!done()) throw new Error('the warm-up request never reached the stand-in');
};

const lookup = { id: 'call_look', name: 'search_knowledge_base', arguments: { query: 'opening hours' } };

describe("a caller turn's deadline (scripted model)", () => {
  let call: ScriptedCall | undefined;
  afterEach(async () => {
    await call?.close();
    call = undefined;
  });

  it('gives every request of a gather turn the same deadline, and sends the rounds after a fallback to it', async () => {
    let round = 0;
    call = await scriptedCall(() => {
      round += 1;
      return round === 1 ? { toolCalls: [lookup], fallback: true } : { text: 'We open at eight.' };
    });
    const before = Date.now();
    const turn = await call.session.hearLine(1, { text: 'When do you open?', confidence: 0.9 });
    expect(turn.lines).toEqual(['We open at eight.']);
    const [first, second] = call.requests.slice(1);
    expect(first?.deadline).toBeGreaterThanOrEqual(before + DEFAULT_GATHER_TURN_MS);
    expect(first?.deadline).toBeLessThanOrEqual(Date.now() + DEFAULT_GATHER_TURN_MS);
    expect(second?.deadline).toBe(first?.deadline);
    expect(first?.preferFallback).toBeUndefined();
    expect(second?.preferFallback).toBe(true);
  });
});

describe('a slow primary in a gather turn (OpenAI adapter against a local stand-in of the chat-completions API)', () => {
  let standIn: OpenAiStandIn | undefined;
  let fixture: GatewayFixture | undefined;
  afterEach(async () => {
    await standIn?.close();
    await fixture?.close();
  });

  it(
    "ends the turn within its deadline with the fallback's reply, and asks the primary no second time",
    async () => {
      standIn = await startOpenAiStandIn();
      fixture = await gatewayFixture();
      // The primary never answers in time; the fallback (the offline engine's place) looks up, then answers.
      // The warm-up sent while the greeting is said is answered; the turn's own request then stalls.
      standIn.script({ kind: 'reply', text: 'Hi.' }, { kind: 'stall', ms: 30_000 });
      const asked: LlmRequest[] = [];
      const fallback: LanguageModel = {
        name: 'offline',
        respond: async (request) => {
          asked.push(request);
          return scriptedResponse(
            asked.length === 1 ? { toolCalls: [lookup] } : { text: 'We open at eight.' },
          );
        },
      };
      const primary = createOpenAiModel({ baseURL: standIn.baseURL, model: 'qwen-slow', maxRetries: 1 });
      const gateway = new MediaGateway({
        live: fixture.live,
        commands: fixture.commands,
        // No cooldown: only the turn's own fallback keeps the second round from the primary.
        model: withFallback(primary, fallback, undefined, { cooldownMs: 0, health: false }),
        greeter: fallback,
        searchKnowledge: tenantKnowledge(fixture.live.directory),
        humansAvailable: () => false,
        now: () => OPEN_HOURS,
        log: () => undefined,
        readCall: () => Promise.resolve([]),
      });
      const callId = 'CA00000000000000000000000000000d01';
      await gateway.open({
        callId,
        from: '+15557770002',
        to: '+15550000001',
        provider: 'twilio',
        direction: 'inbound',
      });
      asked.length = 0;
      await until(() => standIn?.received.length === 1);
      const session = gateway.session(callId);
      const started = Date.now();
      const turn = await session?.hearLine(1, { text: 'When do you open?', confidence: 0.9 });
      const took = Date.now() - started;
      expect(turn?.lines).toEqual(['We open at eight.']);
      expect(took).toBeGreaterThanOrEqual(DEFAULT_GATHER_TURN_MS - 50);
      expect(took).toBeLessThan(DEFAULT_GATHER_TURN_MS + 1_500);
      // The warm-up (one token) and the turn's request: no second request of the turn reached the primary.
      expect(standIn.received).toHaveLength(2);
      expect(standIn.received[0]?.body).toMatchObject({ max_tokens: 1 });
      expect(asked.map((request) => request.preferFallback)).toEqual([undefined, true]);
    },
    DEFAULT_GATHER_TURN_MS + 10_000,
  );
});
