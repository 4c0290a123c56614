import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NUMBER, DEMO_TENANT, ensureSentenceEncoder } from '@ccp/infra';
import { hangUp, say, scripted } from '@ccp/media-gateway/simulator';
import { CALLER, DAY } from '../support/gateway-calls.js';
import { startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import { apiClient, login, SUPER_ADMIN } from '../support/platform.js';
import { startChatStandIn } from '../support/chat-stand-in.js';

/*
 * A caller whose words share none with the article that answers: a Spanish caller asks "do you have something for
 * nervous patients?" and the demo clinic's only answer is an English article on sedation. Called through signed
 * Twilio webhooks on the whole media gateway: with the sentence encoder (prepared in the cache, as `npm test`
 * and `npm start` do) the article is found by meaning and its sentence said; with KNOWLEDGE_EMBEDDINGS=off the
 * caller hears that it was not found, as before.
 */

const ARTICLE = {
  tenantId: DEMO_TENANT,
  articleId: 'sedation',
  title: 'Sedation for nervous patients',
  body:
    'Patients who feel anxious about treatment can have nitrous oxide, known as laughing gas, for $60 a visit. ' +
    'Ask for it when you book.',
  tags: ['comfort'],
  language: 'en',
};
const QUESTION = '¿Tienen algo para pacientes nerviosos?';

const running: { stop(): Promise<void> }[] = [];

const TRANSLATED =
  'Los pacientes que sienten ansiedad ante el tratamiento pueden recibir óxido nitroso, el gas de la risa, por $60 la visita.';

/** An OpenAI-compatible server: a request to translate gets the Spanish of the article's sentence. */
const startTranslatingStandIn = () =>
  startChatStandIn((request) =>
    String(request.body.messages.find((m) => m.role === 'system')?.content ?? '').startsWith('You translate')
      ? TRANSLATED
      : 'De acuerdo.',
  );

const platformWith = async (env: Record<string, string>): Promise<GatewayPlatform> => {
  const gateway = await startGatewayPlatform({ now: () => DAY, env });
  running.push(gateway);
  const root = apiClient(
    gateway.test.url,
    await login(gateway.test.url, SUPER_ADMIN.email, SUPER_ADMIN.password),
  );
  expect((await root.command('CreateArticle', ARTICLE)).status).toBe(200);
  expect(
    (await root.command('PublishArticle', { tenantId: DEMO_TENANT, articleId: 'sedation' })).status,
  ).toBe(200);
  return gateway;
};

const askAs = async (gateway: GatewayPlatform): Promise<string> => {
  const result = await gateway.call({
    from: CALLER,
    to: DEMO_NUMBER,
    caller: scripted([say('Hola, buenos días.'), say(QUESTION), hangUp()]),
  });
  expect(result.errors).toEqual([]);
  return result.transcript
    .filter((line) => line.speaker !== 'caller')
    .map((line) => line.text)
    .join('\n');
};

beforeAll(async () => {
  await ensureSentenceEncoder();
}, 600_000);

afterAll(async () => {
  for (const gateway of running) await gateway.stop();
});

describe('knowledge found by meaning', () => {
  it('answers from an article in other words and another language, and only with the encoder', async () => {
    const heard = await askAs(await platformWith({}));
    expect(heard).toContain('nitrous oxide');
    // Said as written, introduced in the caller's language (the offline engine does not translate).
    expect(heard).toMatch(/solo (la|lo) tengo en inglés: Patients who feel anxious/);

    const without = await askAs(await platformWith({ KNOWLEDGE_EMBEDDINGS: 'off' }));
    expect(without).not.toContain('nitrous oxide');
    expect(without).toContain('no tengo esa información');
  }, 120_000);

  it('says the article in the caller’s language when a model is configured to translate it', async () => {
    const chat = await startTranslatingStandIn();
    running.push(chat);
    const heard = await askAs(
      await platformWith({
        LLM_PROVIDER: 'openai-compatible',
        LLM_BASE_URL: chat.baseURL,
        LLM_MODEL: 'stand-in',
        // The offline engine answers; the model translates what it found (and answers only what it cannot).
        LLM_MODE: 'assist',
      }),
    );
    const systems = chat.received.map((r) =>
      String(r.body.messages.find((m) => m.role === 'system')?.content ?? ''),
    );
    expect(systems.some((system) => system.startsWith('You translate'))).toBe(true);
    expect(heard).toContain(TRANSLATED);
    expect(heard).not.toMatch(/en inglés/);
  }, 120_000);
});
