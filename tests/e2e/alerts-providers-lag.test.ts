import { afterAll, beforeAll, expect, it } from 'vitest';
import { hangUp, say, scripted } from '@ccp/media-gateway/simulator';
import { alertModule, DEMO_NUMBER } from '@ccp/infra';
import { providerFailures } from '@ccp/media-gateway';
import { alertEvents, BOT_TOKEN, ruleEvents, startAlertReceivers, waitFor } from '../support/alerts.js';
import { startChatStandIn } from '../support/chat-stand-in.js';
import { startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import { CALLER, DAY } from '../support/gateway-calls.js';
import { apiClient, login, SUPER_ADMIN } from '../support/platform.js';

/*
 * Issue 18, item 4, two more platform kinds on a running platform, as `npm start` composes them (the media
 * gateway's provider failures and the stream processors' lag handed to the alert evaluator):
 *
 * - provider_failures: the platform's LLM is an OpenAI-compatible server (a stand-in of the chat completions API on
 *   loopback, tests/support/chat-stand-in.ts) answering 500. A call placed through signed Twilio webhooks falls
 *   back to the offline engine, and the provider's failure fires the rule once; once the server answers again, the
 *   next call's turn is answered by it and the alert resolves once.
 * - processor_lag: one stream processor is paused (the platform's own control, used while a projection's tables
 *   are swapped) while an event of its category is recorded, and resumed seconds later: that event's lag is the
 *   pause, so the slowest processor's 99th percentile crosses the threshold and the rule fires once. The lag is a
 *   percentile over the latest events, so it falls back once a hundred events more went through at once: the
 *   alert resolves once.
 *
 * Each tells the platform's Telegram chat (a stand-in, tests/support/alerts.ts). The gateway's clock is a Monday
 * at 11:00 in New York, so the calls are answered at any hour the test runs.
 */

const CHAT = '-1001234567890';
/**
 * The lag rule's threshold: every processor's slowest event so far counts while it has handled fewer than a
 * hundred (the platform's start and seed, on a busy machine a second or two), so the threshold is well above.
 */
const LAG_SECONDS = 4;
const state = { failing: true };
let receivers: Awaited<ReturnType<typeof startAlertReceivers>>;
let llm: Awaited<ReturnType<typeof startChatStandIn>>;
let env: GatewayPlatform;
let root: ReturnType<typeof apiClient>;

beforeAll(async () => {
  receivers = await startAlertReceivers();
  llm = await startChatStandIn(() =>
    state.failing
      ? {
          status: 500,
          error: { message: 'The server had an error processing your request.', type: 'server_error' },
        }
      : 'Let me help you with that.',
  );
  env = await startGatewayPlatform({
    now: () => DAY,
    readSide: true,
    env: {
      OUTBOUND_ALLOW: '127.0.0.1/32',
      INTEGRATION_API_URLS: JSON.stringify({ telegram: receivers.url }),
      LLM_PROVIDER: 'openai-compatible',
      LLM_BASE_URL: llm.baseURL,
      LLM_MODEL: 'clinic-llama',
      OPENAI_API_KEY: 'sk-test-key-0123',
      // Each turn asks the server (no retry, no cooldown after a failure): its recovery shows at the next turn.
      LLM_MAX_RETRIES: '0',
      LLM_COOLDOWN_MS: '0',
    },
    modules: (_config, processing) => [
      alertModule(
        { everySeconds: 0.2, notifyAttempts: 2 },
        {
          providerFailures,
          ...(processing && { processors: () => processing.processors().lag() }),
        },
      ),
    ],
  });
  root = apiClient(env.test.url, await login(env.test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  const ops = await root.command('CreateConnection', {
    tenantId: 'platform',
    connectionId: 'ops-telegram',
    name: 'Ops chat',
    settings: { kind: 'telegram', chatId: CHAT, topics: ['sla_breach'] },
    secrets: { botToken: BOT_TOKEN },
  });
  expect(ops.status).toBe(200);
}, 90_000);

afterAll(async () => {
  await env?.stop();
  await llm?.stop();
  await receivers?.stop();
});

const setRule = async (ruleId: string, name: string, kind: string, threshold: number) => {
  const set = await root.command('SetAlertRule', {
    tenantId: 'platform',
    ruleId,
    name,
    kind,
    threshold,
    forSeconds: 1,
    channels: ['ops-telegram'],
  });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
};

/** The Telegram messages about one rule (they start with FIRING/RESOLVED and its name). */
const toldAbout = (name: string) => receivers.telegram.filter((m) => m.text.includes(`: ${name} (Platform)`));

const callTheClinic = async () => {
  const result = await env.call({
    from: CALLER,
    to: DEMO_NUMBER,
    caller: scripted([say('What are your opening hours?'), hangUp()]),
  });
  expect(result.errors).toEqual([]);
};

it('fires once when a paused processor falls behind, resolves once when newer events went through', async () => {
  const processing = env.processing;
  if (processing === undefined) throw new Error('no stream processing');
  // A connection whose updates are the events the integrations processor consumes.
  const scratch = await root.command('CreateConnection', {
    tenantId: 'platform',
    connectionId: 'scratch',
    name: 'Scratch mailbox',
    settings: { kind: 'email', to: ['scratch@platform.example'], topics: ['sla_breach'] },
  });
  expect(scratch.status).toBe(200);
  await setRule('lag', 'Processors behind', 'processor_lag', LAG_SECONDS);
  await new Promise((r) => setTimeout(r, 1000));
  expect(await ruleEvents(env.test, 'platform', 'lag')).toEqual(['AlertRuleSet']);

  const rename = async (name: string) =>
    expect(
      (await root.command('UpdateConnection', { tenantId: 'platform', connectionId: 'scratch', name }))
        .status,
    ).toBe(200);
  await processing.processors().pause('integrations');
  await rename('Scratch mailbox, held');
  await new Promise((r) => setTimeout(r, (LAG_SECONDS + 2) * 1000));
  await processing.processors().resume('integrations');

  await waitFor(() => toldAbout('Processors behind').length >= 1, 'the firing alert to be told');
  expect(toldAbout('Processors behind')[0]?.text).toMatch(/^FIRING: Processors behind \(Platform\)/);
  const fired = (await alertEvents(env.test)).filter(
    (e) => e.type === 'AlertFired' && e.streamId === 'alert-platform.lag',
  );
  expect((fired[0]?.data as { value: number }).value).toBeGreaterThan(LAG_SECONDS + 1);
  // Still behind as long as the held event is among the slowest percent of the latest events.
  await new Promise((r) => setTimeout(r, 1500));
  expect(toldAbout('Processors behind')).toHaveLength(1);

  // A hundred and twenty events more, each handled at once: the held one drops out of the 99th percentile.
  for (let i = 0; i < 120; i += 1) await rename(`Scratch mailbox ${i}`);
  await waitFor(() => toldAbout('Processors behind').length >= 2, 'the resolution to be told');
  expect(toldAbout('Processors behind')[1]?.text).toMatch(/^RESOLVED: Processors behind/);
  await new Promise((r) => setTimeout(r, 1500));
  expect(await ruleEvents(env.test, 'platform', 'lag')).toEqual([
    'AlertRuleSet',
    'AlertFired',
    'AlertNotified',
    'AlertResolved',
    'AlertNotified',
  ]);
  expect(toldAbout('Processors behind')).toHaveLength(2);
  expect(processing.processors().lag()['integrations']?.p99Ms).toBeLessThan(LAG_SECONDS * 1000);
}, 90_000);

it('fires once when the LLM server fails a call, resolves once when it answers the next', async () => {
  await setRule('providers', 'Provider failing', 'provider_failures', 0);
  await new Promise((r) => setTimeout(r, 1000));
  expect(await ruleEvents(env.test, 'platform', 'providers')).toEqual(['AlertRuleSet']);

  await callTheClinic();
  expect(llm.received.length).toBeGreaterThan(0);
  expect(providerFailures().filter((f) => !f.recovered)).toMatchObject([
    { port: 'llm', provider: expect.stringContaining('clinic-llama') as string, status: 500 },
  ]);
  await waitFor(() => toldAbout('Provider failing').length >= 1, 'the firing alert to be told');
  expect(toldAbout('Provider failing')[0]?.text).toMatch(/^FIRING: Provider failing \(Platform\)/);
  const fired = (await alertEvents(env.test)).find(
    (e) => e.type === 'AlertFired' && e.streamId === 'alert-platform.providers',
  );
  expect(fired?.data).toMatchObject({ value: 1 });

  // The server answers again: the next call's turn is its answer, and the failure is marked recovered.
  state.failing = false;
  const asked = llm.received.length;
  await callTheClinic();
  expect(llm.received.length).toBeGreaterThan(asked);
  await waitFor(() => toldAbout('Provider failing').length >= 2, 'the resolution to be told');
  expect(toldAbout('Provider failing')[1]?.text).toMatch(/^RESOLVED: Provider failing/);
  await new Promise((r) => setTimeout(r, 1500));
  expect(await ruleEvents(env.test, 'platform', 'providers')).toEqual([
    'AlertRuleSet',
    'AlertFired',
    'AlertNotified',
    'AlertResolved',
    'AlertNotified',
  ]);
  expect(toldAbout('Provider failing')).toHaveLength(2);
}, 90_000);
