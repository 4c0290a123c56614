import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractRequest } from './contract.js';
import { withFallback } from './fallback.js';
import { createOpenAiModel } from './openai.js';
import { providerFallbacks, providerFailures } from './provider-failures.js';
import {
  LlmUnavailableError,
  type LanguageModel,
  type LlmFailureReason,
  type LlmRequest,
  type LlmResponse,
} from './port.js';
import { startOpenAiStandIn, type OpenAiStandIn } from './testing/openai-stand-in.js';
import { unreachableURL } from './testing/scripted-server.js';

/** Stands for the offline engine: answers every request the same way and remembers what it was asked. */
const recordingModel = (name: string, answer: Partial<LlmResponse> = {}) => {
  const asked: LlmRequest[] = [];
  const model: LanguageModel = {
    name,
    respond: async (request) => {
      asked.push(request);
      return {
        text: `${name} answers`,
        toolCalls: [],
        model: name,
        usage: { promptTokens: 0, completionTokens: 0 },
        ...answer,
      };
    },
  };
  return { model, asked };
};

const failing = (error: Error): LanguageModel => ({
  name: 'failing',
  respond: async () => {
    throw error;
  },
});

describe('withFallback (primary: OpenAI adapter against a local stand-in speaking the chat-completions wire format)', () => {
  let server: OpenAiStandIn;
  beforeAll(async () => {
    server = await startOpenAiStandIn();
  });
  afterAll(() => server.close());
  const primary = () =>
    createOpenAiModel({ apiKey: 'sk-test', baseURL: server.baseURL, model: 'gpt-4o-mini' });

  it('answers with the primary while it works, and never asks the fallback', async () => {
    server.script({ kind: 'reply', text: 'From OpenAI.', usage: { input: 5, output: 3 } });
    const offline = recordingModel('offline');
    const model = withFallback(primary(), offline.model);
    expect(model.name).toBe('openai:gpt-4o-mini');
    expect(await model.respond(contractRequest())).toMatchObject({
      text: 'From OpenAI.',
      model: 'gpt-4o-mini',
    });
    expect(offline.asked).toEqual([]);
  });

  it('answers the same request with the fallback when the provider fails, and says why in the log', async () => {
    server.script({ kind: 'error', status: 400, message: 'context_length_exceeded' });
    const offline = recordingModel('offline', { confidence: 0.8 });
    const logged: string[] = [];
    const request = contractRequest({ messages: [{ role: 'user', content: 'Are you open on Sunday?' }] });
    const response = await withFallback(primary(), offline.model, (line) => logged.push(line)).respond(
      request,
    );
    expect(response).toEqual({
      text: 'offline answers',
      toolCalls: [],
      model: 'offline',
      usage: { promptTokens: 0, completionTokens: 0 },
      confidence: 0.8,
      fallback: true,
    });
    expect(offline.asked).toEqual([request]);
    expect(logged).toEqual([
      expect.stringMatching(/HTTP 400 .*context_length_exceeded.*offline answers instead/),
    ]);
  });

  it('answers with the fallback when the provider cannot be reached', async () => {
    const offline = recordingModel('offline');
    const unreachable = createOpenAiModel({
      apiKey: 'k',
      baseURL: await unreachableURL('/v1'),
      model: 'gpt-4o-mini',
    });
    expect((await withFallback(unreachable, offline.model).respond(contractRequest())).text).toBe(
      'offline answers',
    );
  });

  it('lets other errors through: a bug is not an outage', async () => {
    const offline = recordingModel('offline');
    await expect(
      withFallback(failing(new TypeError('oops')), offline.model).respond(contractRequest()),
    ).rejects.toThrow(TypeError);
    expect(offline.asked).toEqual([]);
  });

  it('does not answer a caller who hung up', async () => {
    const offline = recordingModel('offline');
    const hangUp = new AbortController();
    hangUp.abort();
    const model = withFallback(failing(new LlmUnavailableError('p', 'down')), offline.model);
    await expect(model.respond(contractRequest({ signal: hangUp.signal }))).rejects.toThrow(
      LlmUnavailableError,
    );
    expect(offline.asked).toEqual([]);
  });

  it('passes on the fallback failing too, for the session to apologise', async () => {
    const model = withFallback(
      failing(new LlmUnavailableError('p', 'down')),
      failing(new Error('offline broke')),
    );
    await expect(model.respond(contractRequest())).rejects.toThrow('offline broke');
  });

  // A fallback used to be silent: no log line, no count, nothing on the health page.
  it('logs each fallback with the provider, the reason and the message, and counts it by reason', async () => {
    const name = 'openai-compatible:qwen2.5-fallback-count';
    const counted = () => providerFallbacks().find((f) => f.port === 'llm' && f.provider === name);
    const failingAs = (reason: LlmFailureReason): LanguageModel => ({
      name,
      respond: async () => {
        throw new LlmUnavailableError(name, `stand-in failure ${reason}`, { reason });
      },
    });
    const logged: string[] = [];
    const offline = recordingModel('offline');
    expect(counted()).toBeUndefined();
    await withFallback(failingAs('timeout'), offline.model, (line) => logged.push(line)).respond(
      contractRequest(),
    );
    expect(logged).toEqual([
      `llm: ${name} failed (timeout): stand-in failure timeout; offline answers instead; skipped for 20 s`,
    ]);
    expect(counted()).toMatchObject({ total: 1, byReason: { timeout: 1 }, lastReason: 'timeout' });
    await withFallback(failingAs('empty-reply'), offline.model, (line) => logged.push(line)).respond(
      contractRequest(),
    );
    await withFallback(failingAs('timeout'), offline.model).respond(contractRequest());
    expect(logged[1]).toMatch(/failed \(empty-reply\)/);
    expect(counted()).toMatchObject({
      total: 3,
      byReason: { timeout: 2, 'empty-reply': 1 },
      lastReason: 'timeout',
    });
    expect(Date.parse(counted()?.lastAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    // The failure is on the health page as well, with its reason: no HTTP status made it "unreachable".
    expect(providerFailures().find((f) => f.provider === name)).toMatchObject({
      recovered: false,
      reason: 'timeout',
    });
    await withFallback(failingAs('not-speech'), offline.model).respond(contractRequest());
    expect(providerFailures().find((f) => f.provider === name)).toMatchObject({ reason: 'not-speech' });
  });

  it("logs a tenant's own provider falling back but leaves it off the platform's counts", async () => {
    const name = 'tenant:acme:openai:fallback-uncounted';
    const logged: string[] = [];
    await withFallback(
      failing(new LlmUnavailableError(name, 'HTTP 401', { reason: 'http-error' })),
      recordingModel('platform').model,
      (line) => logged.push(line),
      { health: false },
    ).respond(contractRequest());
    expect(logged).toEqual([
      expect.stringMatching(/failed \(http-error\).*HTTP 401.*platform answers instead/),
    ]);
    expect(providerFallbacks().some((f) => f.provider === name)).toBe(false);
  });
});

/** A primary that fails or answers as scripted, counting how often it was asked (and warmed). */
const scriptedPrimary = (name: string, script: Array<'fail' | 'answer' | 'markup'>) => {
  const calls = { respond: 0, warm: 0 };
  const model: LanguageModel = {
    name,
    respond: async () => {
      calls.respond += 1;
      const step = script.shift() ?? 'answer';
      if (step === 'fail') {
        throw new LlmUnavailableError(name, 'no answer within 30000 ms', { reason: 'timeout' });
      }
      if (step === 'markup') {
        throw new LlmUnavailableError(name, 'the reply is markup', { reason: 'not-speech' });
      }
      return {
        text: 'From the primary.',
        toolCalls: [],
        model: name,
        usage: { promptTokens: 1, completionTokens: 1 },
      };
    },
    warm: async () => {
      calls.warm += 1;
    },
  };
  return { model, calls };
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A slow server made every turn wait its full budget before the offline engine answered.
describe('withFallback: a failed primary cools down', () => {
  it('skips the primary during the cooldown, probes it once after, and closes when it answers', async () => {
    const name = 'openai-compatible:breaker-closes';
    const primary = scriptedPrimary(name, ['fail', 'answer']);
    const offline = recordingModel('offline');
    const logged: string[] = [];
    const model = withFallback(primary.model, offline.model, (line) => logged.push(line), {
      cooldownMs: 150,
    });
    expect(await model.respond(contractRequest())).toMatchObject({ text: 'offline answers', fallback: true });
    expect(primary.calls.respond).toBe(1);
    for (let i = 0; i < 3; i += 1) {
      expect(await model.respond(contractRequest())).toMatchObject({
        text: 'offline answers',
        fallback: true,
      });
    }
    expect(primary.calls.respond).toBe(1);
    expect(offline.asked).toHaveLength(4);
    // Each turn the fallback answered is counted, under the reason that opened the breaker.
    expect(providerFallbacks().find((f) => f.provider === name)).toMatchObject({
      total: 4,
      byReason: { timeout: 4 },
    });
    await sleep(200);
    const probe = await model.respond(contractRequest());
    expect(probe.text).toBe('From the primary.');
    expect(probe.fallback).toBeUndefined();
    expect(await model.respond(contractRequest())).toMatchObject({ text: 'From the primary.' });
    expect(primary.calls.respond).toBe(3);
    expect(logged).toEqual([
      `llm: ${name} failed (timeout): no answer within 30000 ms; offline answers instead; skipped for 0.15 s`,
      `llm: ${name} answers again`,
    ]);
  });

  it('does not skip the primary for one bad reply: only a server that is down or slow opens the breaker', async () => {
    const primary = scriptedPrimary('openai-compatible:bad-reply', ['markup', 'answer']);
    const offline = recordingModel('offline');
    const model = withFallback(primary.model, offline.model, undefined, { cooldownMs: 60_000 });
    expect(await model.respond(contractRequest())).toMatchObject({ text: 'offline answers', fallback: true });
    // The next request (another call's, perhaps) asks the primary again at once.
    expect(await model.respond(contractRequest())).toMatchObject({ text: 'From the primary.' });
    expect(primary.calls.respond).toBe(2);
  });

  it('keeps skipping after a failed probe, and lets no second request probe meanwhile', async () => {
    const primary = scriptedPrimary('breaker-probe-fails', ['fail', 'fail', 'answer']);
    const offline = recordingModel('offline');
    const logged: string[] = [];
    const model = withFallback(primary.model, offline.model, (line) => logged.push(line), {
      cooldownMs: 100,
      health: false,
    });
    await model.respond(contractRequest());
    await sleep(130);
    await Promise.all([model.respond(contractRequest()), model.respond(contractRequest())]);
    expect(primary.calls.respond).toBe(2);
    expect(logged[1]).toMatch(/failed \(timeout\).*skipped again for 0.1 s$/);
    await model.respond(contractRequest());
    expect(primary.calls.respond).toBe(2);
    await sleep(130);
    expect((await model.respond(contractRequest())).text).toBe('From the primary.');
  });

  it('asks the primary every time with a cooldown of 0', async () => {
    const primary = scriptedPrimary('breaker-off', ['fail', 'fail', 'answer']);
    const model = withFallback(primary.model, recordingModel('offline').model, undefined, {
      cooldownMs: 0,
      health: false,
    });
    await model.respond(contractRequest());
    await model.respond(contractRequest());
    expect((await model.respond(contractRequest())).text).toBe('From the primary.');
    expect(primary.calls.respond).toBe(3);
  });

  it('sends a request that prefers the fallback straight to it, marked', async () => {
    const primary = scriptedPrimary('prefers-fallback', []);
    const offline = recordingModel('offline');
    const model = withFallback(primary.model, offline.model, undefined, { health: false });
    expect(await model.respond(contractRequest({ preferFallback: true }))).toMatchObject({
      text: 'offline answers',
      fallback: true,
    });
    expect(primary.calls.respond).toBe(0);
  });

  it('answers a request whose deadline has passed with the fallback, counting no failure', async () => {
    const name = 'deadline-passed';
    const primary = scriptedPrimary(name, []);
    const model = withFallback(primary.model, recordingModel('offline').model);
    expect(await model.respond(contractRequest({ deadline: Date.now() - 1 }))).toMatchObject({
      text: 'offline answers',
      fallback: true,
    });
    expect(primary.calls.respond).toBe(0);
    expect(providerFallbacks().some((f) => f.provider === name)).toBe(false);
    expect((await model.respond(contractRequest({ deadline: Date.now() + 5_000 }))).text).toBe(
      'From the primary.',
    );
  });

  it("warms the primary's cache unless it is cooling down; a failed warm-up is logged, never thrown", async () => {
    const primary = scriptedPrimary('warms', ['fail']);
    const model = withFallback(primary.model, recordingModel('offline').model, undefined, {
      cooldownMs: 60_000,
      health: false,
    });
    await model.warm?.(contractRequest());
    expect(primary.calls.warm).toBe(1);
    await model.respond(contractRequest());
    await model.warm?.(contractRequest());
    expect(primary.calls.warm).toBe(1);

    const logged: string[] = [];
    const broken: LanguageModel = {
      ...failing(new Error('x')),
      name: 'broken-warm',
      warm: async () => {
        throw new LlmUnavailableError('broken', 'HTTP 500', { reason: 'http-error' });
      },
    };
    await expect(
      withFallback(broken, recordingModel('offline').model, (line) => logged.push(line)).warm?.(
        contractRequest(),
      ),
    ).resolves.toBeUndefined();
    expect(logged).toEqual(['llm: broken-warm warm-up failed: broken: HTTP 500']);
    expect(providerFallbacks().some((f) => f.provider === 'broken-warm')).toBe(false);
    expect(withFallback(failing(new Error('x')), recordingModel('offline').model).warm).toBeUndefined();
  });
});
