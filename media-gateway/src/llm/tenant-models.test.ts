import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import {
  outboundGuard,
  createSqliteEventStore,
  createSqliteSubjectKeys,
  withPersonalDataEncryption,
  type EventStore,
} from '@ccp/command-service';
import { createLiveConnections } from '../integrations/live-connections.js';
import { contractRequest } from './contract.js';
import type { LanguageModel, LlmRequest } from './port.js';
import { providerFailures } from './provider-failures.js';
import { createTenantModels } from './tenant-models.js';
import { startOpenAiStandIn, type OpenAiStandIn } from './testing/openai-stand-in.js';

const dir = mkdtempSync(join(tmpdir(), 'ccp-tenant-models-'));

/** Stands for the platform's own model: answers the same way and counts what it was asked. */
const platformModel = () => {
  const asked: LlmRequest[] = [];
  const model: LanguageModel = {
    name: 'platform',
    respond: async (request) => {
      asked.push(request);
      return {
        text: 'platform answers',
        toolCalls: [],
        model: 'platform',
        usage: { promptTokens: 0, completionTokens: 0 },
      };
    },
  };
  return { model, asked };
};

const event = (tenantId: string, type: string, data: object) => ({
  id: randomUUID(),
  type,
  data,
  metadata: {
    version: 1,
    tenantId,
    occurredAt: new Date().toISOString(),
    causationId: null,
    correlationId: randomUUID(),
    actor: SYSTEM_ACTOR,
  },
});

describe('modelFor: a tenant brings its own model (stand-in of the OpenAI chat completions API on 127.0.0.1)', () => {
  let standIn: OpenAiStandIn;
  let store: EventStore;
  let keys: ReturnType<typeof createSqliteSubjectKeys>;
  let platform: ReturnType<typeof platformModel>;
  let logs: string[];
  let models: ReturnType<typeof createTenantModels>;
  const KEY = 'sk-acme-own-key-7731';

  beforeAll(async () => {
    standIn = await startOpenAiStandIn();
    keys = createSqliteSubjectKeys(join(dir, 'keys.db'), randomBytes(32));
    store = withPersonalDataEncryption(createSqliteEventStore({ path: join(dir, 'events.db') }), keys);
    await store.append(
      'connection-acme.llm',
      [
        event('acme', 'ConnectionCreated', {
          name: 'Our model server',
          settings: { kind: 'openai_compatible', baseUrl: standIn.baseURL, model: 'acme-llama' },
          secrets: { apiKey: KEY },
          secretHints: { apiKey: '…7731' },
        }),
      ],
      'no_stream',
    );
  });
  afterAll(async () => {
    await standIn.close();
    keys.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    standIn.clear();
    platform = platformModel();
    logs = [];
    models = createTenantModels({
      connections: createLiveConnections(store, keys),
      platform: platform.model,
      fetch: outboundGuard({ allow: ['127.0.0.1/32'] }).fetch,
      apiUrls: {},
      log: (message) => logs.push(message),
    });
  });

  it("sends the turn to the tenant's server with the tenant's key", async () => {
    standIn.script({ kind: 'reply', text: 'Acme model here.' });
    const response = await models.modelFor('acme').respond(contractRequest());
    expect(response.text).toBe('Acme model here.');
    expect(standIn.received).toHaveLength(1);
    expect(standIn.received[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(standIn.received[0]?.body.model).toBe('acme-llama');
    expect(platform.asked).toHaveLength(0);
  });

  it("answers another tenant with the platform's model, never the connection", async () => {
    const before = standIn.received.length;
    const response = await models.modelFor('globex').respond(contractRequest());
    expect(response.text).toBe('platform answers');
    expect(standIn.received.length).toBe(before);
    expect(models.modelFor('globex').name).toBe('platform');
  });

  it.each([
    [401, 'Incorrect API key provided'],
    [500, 'The server had an error'],
  ])(
    "falls back to the platform's model when the provider answers %i, and logs it once",
    async (status, message) => {
      // The SDK tries a 5xx once more; both answers fail, quoting the key they refused.
      const failure = { kind: 'error', status, message, echoKey: true } as const;
      standIn.script(failure, failure);
      const response = await models.modelFor('acme').respond(contractRequest());
      expect(response.text).toBe('platform answers');
      expect(platform.asked).toHaveLength(1);
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatch(
        new RegExp(
          `tenant acme, openai_compatible connection llm: .*HTTP ${status}.*platform answers instead`,
        ),
      );
      expect(logs.join('\n')).not.toContain(KEY);
      // The tenant's failure is the tenant's: nothing of it on the platform's health page.
      expect(JSON.stringify(providerFailures())).not.toContain(KEY);
      expect(providerFailures().filter((f) => f.provider.includes('acme-llama'))).toEqual([]);
    },
  );

  it('switches back to the platform model on the next turn once the connection is disabled, and back again', async () => {
    standIn.script({ kind: 'reply', text: 'first' });
    const model = models.modelFor('acme');
    expect((await model.respond(contractRequest())).text).toBe('first');

    await store.append('connection-acme.llm', [event('acme', 'ConnectionDisabled', {})], 'any');
    const received = standIn.received.length;
    expect((await model.respond(contractRequest())).text).toBe('platform answers');
    expect(standIn.received.length).toBe(received);

    await store.append('connection-acme.llm', [event('acme', 'ConnectionEnabled', {})], 'any');
    standIn.script({ kind: 'reply', text: 'again' });
    expect((await model.respond(contractRequest())).text).toBe('again');
  });

  it('uses a rotated key from the next turn', async () => {
    const rotated = 'sk-acme-rotated-key-9902';
    await store.append(
      'connection-acme.llm',
      [
        event('acme', 'ConnectionSecretsRotated', {
          secrets: { apiKey: rotated },
          secretHints: { apiKey: '…9902' },
        }),
      ],
      'any',
    );
    standIn.script({ kind: 'reply', text: 'rotated' });
    expect((await models.modelFor('acme').respond(contractRequest())).text).toBe('rotated');
    expect(standIn.received.at(-1)?.headers.authorization).toBe(`Bearer ${rotated}`);
  });

  it("refuses a base URL the outbound guard does not allow, and the platform's model answers", async () => {
    const guarded = createTenantModels({
      connections: createLiveConnections(store, keys),
      platform: platform.model,
      fetch: outboundGuard({}).fetch,
      apiUrls: {},
      log: (message) => logs.push(message),
    });
    const before = standIn.received.length;
    expect((await guarded.modelFor('acme').respond(contractRequest())).text).toBe('platform answers');
    expect(standIn.received.length).toBe(before);
    expect(logs[0]).toMatch(/tenant acme/);
  });

  it("applies the platform's LLM settings to a tenant's model: streaming, retries and time budgets", async () => {
    const configured = createTenantModels({
      connections: createLiveConnections(store, keys),
      platform: platform.model,
      fetch: outboundGuard({ allow: ['127.0.0.1/32'] }).fetch,
      apiUrls: {},
      stream: false,
      maxRetries: 0,
      timeoutMs: 5_000,
      firstTokenMs: 200,
      log: (message) => logs.push(message),
    });
    // Not streamed (stream: false), and no first-token budget for it: 400 ms to answer is within the turn.
    standIn.script({ kind: 'stall', ms: 400 }, { kind: 'reply', text: 'Never asked.' });
    const before = standIn.received.length;
    expect((await configured.modelFor('acme').respond(contractRequest())).text).toBe('platform answers');
    expect(standIn.received.length - before).toBe(1);
    expect(standIn.received.at(-1)?.body.stream).toBeUndefined();
    expect(logs.at(-1)).toMatch(/failed \(http-error\): .*HTTP 504/);
  });

  it("warms the tenant's own server, caps its replies and cools it down after a failure", async () => {
    const configured = createTenantModels({
      connections: createLiveConnections(store, keys),
      platform: platform.model,
      fetch: outboundGuard({ allow: ['127.0.0.1/32'] }).fetch,
      apiUrls: {},
      maxRetries: 0,
      maxTokens: 80,
      cooldownMs: 60_000,
      log: (message) => logs.push(message),
    });
    const model = configured.modelFor('acme');
    standIn.script({ kind: 'reply', text: 'Hi.' }, { kind: 'error', status: 500, message: 'boom' });
    await model.warm?.(contractRequest());
    expect(standIn.received.at(-1)?.body).toMatchObject({ model: 'acme-llama', max_tokens: 1 });
    expect(await model.respond(contractRequest())).toMatchObject({
      text: 'platform answers',
      fallback: true,
    });
    const asked = standIn.received.length;
    expect((await model.respond(contractRequest())).text).toBe('platform answers');
    expect(standIn.received.length).toBe(asked);
    expect(standIn.received.at(-1)?.body.max_tokens).toBe(80);
  });
});
