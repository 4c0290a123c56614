import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { placeInboundCall, scenario } from '@ccp/media-gateway/simulator';
import { DEMO_NUMBER, configFromEnv, enginesOf, speechWarnings } from '@ccp/infra';
import { LLM_FAILURE_REASONS, providerFailures, providerFallbacks } from '@ccp/media-gateway';
import { startGatewayPlatform } from '../support/gateway.js';
import { CALLER, content, DAY } from '../support/gateway-calls.js';
import { apiClient, login, SUPER_ADMIN } from '../support/platform.js';
import { startReadSidePlatform } from '../support/read-side.js';

// The speech and language providers: the warning about the machine voice on a real Twilio account, and a
// provider's refusal shown on the health page. Each test starts what it needs itself.

describe('a real Twilio account with the machine voice is called out', () => {
  const realTwilio = {
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'a-real-auth-token-0123',
  };

  it('warns, naming the variables, when Media Streams callers would hear the machine voice', () => {
    expect(speechWarnings(configFromEnv(realTwilio))).toEqual([
      expect.stringMatching(
        /TWILIO_ACCOUNT_SID is set.*STT_PROVIDER=machine-voice, TTS_PROVIDER=machine-voice.*mode=stream/,
      ),
    ]);
    expect(speechWarnings(configFromEnv({ ...realTwilio, STT_PROVIDER: 'google' }))).toEqual([
      expect.stringMatching(/TTS_PROVIDER=machine-voice/),
    ]);
    // The health page's engines say it too, not only the start output.
    expect(enginesOf(configFromEnv(realTwilio)).textToSpeech).toMatch(/machine-voice.*not for real callers/);
  });

  it('says nothing with real speech providers, a Twilio stand-in, or no account', () => {
    const real = configFromEnv({
      ...realTwilio,
      STT_PROVIDER: 'whisper',
      TTS_PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-test-key',
    });
    expect(speechWarnings(real)).toEqual([]);
    expect(enginesOf(real).textToSpeech).toBe('openai');
    // A stand-in at another API URL (the simulator's carrier) has only simulated callers.
    expect(speechWarnings(configFromEnv({ ...realTwilio, TWILIO_API_URL: 'http://127.0.0.1:9' }))).toEqual(
      [],
    );
    expect(speechWarnings(configFromEnv({}))).toEqual([]);
    expect(enginesOf(configFromEnv({})).textToSpeech).toBe('machine-voice');
  });
});

describe('a provider that refuses the key', () => {
  it(
    'is shown on the platform health API with its status and time and its fallbacks counted, while the call falls back',
    { timeout: 90_000 },
    async () => {
      // A local stand-in for OpenAI's chat completions answering every request as OpenAI answers a wrong key.
      const refusing = createServer((request, response) => {
        request.resume();
        request.on('end', () => {
          response.writeHead(401, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({
              error: {
                message: 'Incorrect API key provided: sk-wrong.',
                type: 'invalid_request_error',
                param: null,
                code: 'invalid_api_key',
              },
            }),
          );
        });
      });
      await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
      const { port } = refusing.address() as AddressInfo;
      const before = Date.now();
      const logged: string[] = [];
      const gateway = await startGatewayPlatform({
        now: () => DAY,
        log: (line) => logged.push(line),
        env: {
          LLM_PROVIDER: 'openai-compatible',
          LLM_BASE_URL: `http://127.0.0.1:${port}/v1`,
          LLM_MODEL: 'gpt-4o-mini',
          OPENAI_API_KEY: 'sk-wrong',
        },
      });
      // The platform hands the gateway's report of provider failures to the query API (infra/platform/main.ts).
      const readSide = await startReadSidePlatform({ hooks: { providerFailures, providerFallbacks } });
      try {
        const faq = scenario('faq', content);
        const result = await placeInboundCall({
          baseUrl: gateway.test.url,
          voicePath: '/twilio/voice',
          statusCallbackPath: '/twilio/status',
          authToken: gateway.authToken,
          accountSid: gateway.accountSid,
          from: CALLER,
          to: DEMO_NUMBER,
          caller: faq.caller,
          registry: gateway.carrier.registry,
        });
        // The offline engine answered the caller all the same.
        expect(result.errors).toEqual([]);
        expect(faq.check(result.heard)).toEqual([]);

        const root = apiClient(
          readSide.url,
          await login(readSide.url, SUPER_ADMIN.email, SUPER_ADMIN.password),
        );
        const health = await root.request<{
          status: string;
          providerFailures: {
            port: string;
            provider: string;
            kind: string;
            status?: number;
            reason?: string;
            at: string;
          }[];
          providerFallbacks: {
            port: string;
            provider: string;
            total: number;
            byReason: Record<string, number>;
            lastReason: string;
            lastAt: string;
          }[];
        }>('GET', '/api/admin/health');
        expect(health.status).toBe(200);
        expect(health.body.status).toBe('degraded');
        const failure = health.body.providerFailures.find((f) => f.port === 'llm');
        // The turn's reason reaches the health page too (a bad reply is no "unreachable").
        expect(failure).toMatchObject({ kind: 'auth', status: 401, reason: 'http-error' });
        expect(Date.parse(failure?.at ?? '')).toBeGreaterThanOrEqual(before - 1000);
        // Every turn the offline engine answered instead is counted, by its reason.
        const fallbacks = health.body.providerFallbacks.find(
          (f) => f.port === 'llm' && f.provider === 'openai-compatible:gpt-4o-mini',
        );
        expect(fallbacks?.total).toBeGreaterThanOrEqual(2);
        expect(LLM_FAILURE_REASONS).toContain(fallbacks?.lastReason);
        expect(Object.values(fallbacks?.byReason ?? {}).reduce((a, b) => a + b, 0)).toBe(fallbacks?.total);
        expect(Date.parse(fallbacks?.lastAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
        // And the platform's log says who failed, why, and who answers instead: once, as the failed provider is
        // skipped for the cooldown (LLM_COOLDOWN_MS) rather than asked again on every turn.
        const told = logged.filter((line) => /^llm: openai-compatible:gpt-4o-mini failed \(/.test(line));
        expect(told).toHaveLength(1);
        expect(told[0]).toMatch(
          /failed \(http-error\): .*HTTP 401.*offline-dialogue answers instead; skipped for 20 s$/,
        );
      } finally {
        await readSide.stop();
        await gateway.stop();
        refusing.close();
      }
    },
  );
});
