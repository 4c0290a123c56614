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
import type { LiveConnections } from '../integrations/live-connections.js';
import { contractRequest } from './contract.js';
import type { LanguageModel, LlmRequest } from './port.js';
import { providerFailures, recordProviderSuccess } from './provider-failures.js';
import { createTenantModels, type TenantModelsDeps } from './tenant-models.js';
import { startAnthropicStandIn, type AnthropicStandIn } from './testing/anthropic-stand-in.js';
import { startOpenAiStandIn, type OpenAiStandIn } from './testing/openai-stand-in.js';

// Tenants on OpenAI's and Anthropic's own APIs (stand-ins of the OpenAI chat completions and Anthropic messages
// APIs on 127.0.0.1), next to a platform model that carries the very same name as the tenant's.
const dir = mkdtempSync(join(tmpdir(), 'ccp-tenant-models-platform-'));
const PLATFORM_NAME = 'openai:gpt-4o-mini';
const OPENAI_KEY = 'sk-initech-own-key-4410';
const ANTHROPIC_KEY = 'sk-ant-hooli-own-key-8821';

const platformModel = () => {
  const asked: LlmRequest[] = [];
  const model: LanguageModel = {
    name: PLATFORM_NAME,
    respond: async (request) => {
      asked.push(request);
      return {
        text: 'platform answers',
        toolCalls: [],
        model: 'p',
        usage: { promptTokens: 0, completionTokens: 0 },
      };
    },
  };
  return { model, asked };
};

const created = (tenantId: string, settings: object, apiKey: string) => ({
  id: randomUUID(),
  type: 'ConnectionCreated',
  data: { name: 'Own model', settings, secrets: { apiKey }, secretHints: { apiKey: '…' } },
  metadata: {
    version: 1,
    tenantId,
    occurredAt: new Date().toISOString(),
    causationId: null,
    correlationId: randomUUID(),
    actor: SYSTEM_ACTOR,
  },
});

describe("a tenant's own OpenAI or Anthropic account, beside the platform's model", () => {
  let openai: OpenAiStandIn;
  let anthropic: AnthropicStandIn;
  let store: EventStore;
  let keys: ReturnType<typeof createSqliteSubjectKeys>;
  let platform: ReturnType<typeof platformModel>;
  let logs: string[];
  const modelsWith = (overrides: Partial<TenantModelsDeps> = {}) =>
    createTenantModels({
      connections: createLiveConnections(store, keys),
      platform: platform.model,
      fetch: outboundGuard({ allow: ['127.0.0.1/32'] }).fetch,
      apiUrls: { openai: `${openai.baseURL}`, anthropic: anthropic.baseURL },
      log: (message) => logs.push(message),
      ...overrides,
    });

  beforeAll(async () => {
    openai = await startOpenAiStandIn();
    anthropic = await startAnthropicStandIn();
    keys = createSqliteSubjectKeys(join(dir, 'keys.db'), randomBytes(32));
    store = withPersonalDataEncryption(createSqliteEventStore({ path: join(dir, 'events.db') }), keys);
    await store.append(
      'connection-initech.llm',
      [created('initech', { kind: 'openai', model: 'gpt-4o-mini' }, OPENAI_KEY)],
      'no_stream',
    );
    await store.append(
      'connection-hooli.llm',
      [created('hooli', { kind: 'anthropic' }, ANTHROPIC_KEY)],
      'no_stream',
    );
  });
  afterAll(async () => {
    await openai.close();
    await anthropic.close();
    keys.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    openai.clear();
    anthropic.clear();
    platform = platformModel();
    logs = [];
  });

  it("a tenant's wrong key does not mark the platform's model of the same name failed", async () => {
    recordProviderSuccess('llm', PLATFORM_NAME);
    openai.script({ kind: 'error', status: 401, message: 'Incorrect API key provided', echoKey: true });
    const models = modelsWith();
    expect((await models.modelFor('initech').respond(contractRequest())).text).toBe('platform answers');
    expect(models.modelFor('initech').name).toBe('tenant:initech:openai:gpt-4o-mini');
    expect(openai.received.at(-1)?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(providerFailures().filter((f) => f.provider === PLATFORM_NAME)).toEqual([]);
    expect(JSON.stringify(providerFailures())).not.toContain(OPENAI_KEY);
    expect(logs.join('\n')).toMatch(/tenant initech.*HTTP 401.*\[redacted\]/);
    expect(logs.join('\n')).not.toContain(OPENAI_KEY);
  });

  it.each([
    ['initech', 'OpenAI'],
    ['hooli', 'Anthropic'],
  ])(
    "sends tenant %s's turns to %s through the outbound guard: a guard that refuses means the platform answers",
    async (tenantId) => {
      const before = openai.received.length + anthropic.received.length;
      const models = modelsWith({ fetch: outboundGuard({}).fetch });
      expect((await models.modelFor(tenantId).respond(contractRequest())).text).toBe('platform answers');
      expect(openai.received.length + anthropic.received.length).toBe(before);
      expect(logs[0]).toMatch(new RegExp(`tenant ${tenantId}`));
    },
  );

  it("reaches the tenant's Anthropic account through the guard when it allows it", async () => {
    anthropic.script({ kind: 'reply', text: 'Hooli model here.' });
    const models = modelsWith();
    expect((await models.modelFor('hooli').respond(contractRequest())).text).toBe('Hooli model here.');
    expect(models.modelFor('hooli').name).toMatch(/^tenant:hooli:anthropic:/);
  });

  it("answers with the platform's model when catching up with the log fails, and logs it", async () => {
    const live = createLiveConnections(store, keys);
    const broken: LiveConnections = {
      view: live.view,
      catchUp: () => Promise.reject(new Error('event store unreachable')),
    };
    const models = modelsWith({ connections: broken });
    expect((await models.modelFor('initech').respond(contractRequest())).text).toBe('platform answers');
    expect(logs.join('\n')).toMatch(/event store unreachable/);
  });

  it('reads the log once for turns that arrive together', async () => {
    const live = createLiveConnections(store, keys);
    let reads = 0;
    const counting: LiveConnections = {
      view: live.view,
      catchUp: () => {
        reads += 1;
        return live.catchUp();
      },
    };
    openai.script(...['a', 'b', 'c'].map((text) => ({ kind: 'reply', text }) as const));
    const models = modelsWith({ connections: counting });
    const answers = await Promise.all(
      [1, 2, 3].map(() => models.modelFor('initech').respond(contractRequest())),
    );
    expect(answers.map((a) => a.text).sort()).toEqual(['a', 'b', 'c']);
    expect(reads).toBe(1);
  });
});
