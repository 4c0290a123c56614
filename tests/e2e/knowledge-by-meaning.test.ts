import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NUMBER, DEMO_TENANT, ensureSentenceEncoder } from '@ccp/infra';
import { hangUp, say, scripted } from '@ccp/media-gateway/simulator';
import { CALLER, DAY } from '../support/gateway-calls.js';
import { startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import { apiClient, login, SUPER_ADMIN } from '../support/platform.js';

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

/**
 * A stand-in of an OpenAI-compatible chat completions server (POST /v1/chat/completions, OpenAI's documented
 * body): a request to translate gets the Spanish of the sedation article's sentence, anything else a short line.
 */
const startChatStandIn = async () => {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as { model: string; messages: { role: string; content: string }[] };
      const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
      asked.push(system.startsWith('You translate') ? 'translate' : 'converse');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `chatcmpl-${String(asked.length)}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [
            {
              index: 0,
              finish_reason: 'stop',
              message: {
                role: 'assistant',
                content: system.startsWith('You translate') ? TRANSLATED : 'De acuerdo.',
                refusal: null,
              },
            },
          ],
          usage: { prompt_tokens: 40, completion_tokens: 30, total_tokens: 70 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseURL: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/v1`,
    asked,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

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
    const chat = await startChatStandIn();
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
    expect(chat.asked).toContain('translate');
    expect(heard).toContain(TRANSLATED);
    expect(heard).not.toMatch(/en inglés/);
  }, 120_000);
});
