import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalKafka, type LocalKafka, streamProcessing, type StreamProcessing } from '@ccp/infra';
import { createProcessors } from '@ccp/stream-processors';
import { recordCall } from './calls.js';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from './platform.js';

const eventually = async (check: () => Promise<void>, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
};

/** The same end-to-end scenario on either bus: one test file per bus, since chdb opens one data directory per process. */
export const streamProcessingScenario = (bus: 'embedded' | 'kafka') =>
  describe(`the platform on the ${bus} bus: calls flow into ClickHouse projections`, () => {
    let kafka: LocalKafka | undefined;
    let t: TestPlatform;
    let processing: StreamProcessing;
    let root: ReturnType<typeof apiClient>;
    const count = async (sql: string) =>
      Number((await processing.readStore().query<{ n: string }>(sql, { tenant: 'acme' }))[0]?.n ?? 0);

    beforeAll(async () => {
      processing = streamProcessing(createProcessors());
      const env: Record<string, string> = { BUS: bus };
      if (bus === 'kafka') {
        kafka = await startLocalKafka({ withRegistry: true });
        env.KAFKA_BROKERS = kafka.brokers.join(',');
        env.SCHEMA_REGISTRY_URL = kafka.registryUrl ?? '';
      }
      t = await startTestPlatform(undefined, { processing, env });
      root = apiClient(t.url, await login(t.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
      expect(
        (await root.command('CreateTenant', { tenantId: 'acme', name: 'Acme', planTier: 'professional' }))
          .status,
      ).toBe(200);
    });
    afterAll(async () => {
      await t.stop();
      await kafka?.stop();
    });

    it('projects calls, transcripts, sentiment, intents, SLA, usage and the audit log', async () => {
      await recordCall(root, 'acme', 'CA-flow-1');
      await recordCall(
        root,
        'acme',
        'CA-flow-2',
        ['This is the third time I call and nobody fixed it, I am furious'],
        'escalated',
      );
      await eventually(async () => {
        expect(
          await count(
            'SELECT toString(count()) AS n FROM calls FINAL WHERE tenant_id = {tenant:String} AND ended_at IS NOT NULL',
          ),
        ).toBe(2);
        expect(
          await count(
            'SELECT toString(count()) AS n FROM utterances FINAL WHERE tenant_id = {tenant:String}',
          ),
        ).toBe(6);
        expect(
          await count(
            'SELECT toString(count()) AS n FROM utterance_intents FINAL WHERE tenant_id = {tenant:String}',
          ),
        ).toBe(3);
        expect(
          await count('SELECT toString(count()) AS n FROM call_sla FINAL WHERE tenant_id = {tenant:String}'),
        ).toBe(2);
        expect(
          await count(
            "SELECT toString(count()) AS n FROM usage_events FINAL WHERE tenant_id = {tenant:String} AND kind = 'llm_tokens'",
          ),
        ).toBe(3);
      });
      const sentiment = await processing
        .readStore()
        .query<{ call_id: string; label: string }>(
          "SELECT call_id, label FROM utterance_sentiment FINAL WHERE tenant_id = {tenant:String} AND speaker = 'caller' ORDER BY call_id, utterance_id",
          { tenant: 'acme' },
        );
      expect(sentiment.find((r) => r.call_id === 'CA-flow-2')?.label).toBe('negative');
      const [intent] = await processing
        .readStore()
        .query<{ intent: string }>(
          "SELECT intent FROM utterance_intents FINAL WHERE tenant_id = {tenant:String} AND call_id = 'CA-flow-1' AND utterance_id = 'c0'",
          { tenant: 'acme' },
        );
      expect(intent?.intent).toBe('book_appointment');
      // The audit log holds every event, personal fields masked.
      const audit = await processing
        .readStore()
        .query<{ data: string }>(
          "SELECT data FROM events FINAL WHERE tenant_id = {tenant:String} AND type = 'UtteranceRecorded'",
          {
            tenant: 'acme',
          },
        );
      expect(audit).toHaveLength(3);
      expect(audit.map((r) => r.data).join()).not.toContain('furious');
    });

    it("reports each processor's lag to super admins only", async () => {
      const response = await root.request<{ processors: Record<string, { events: number; p99Ms: number }> }>(
        'GET',
        '/api/admin/processors',
      );
      expect(response.status).toBe(200);
      for (const name of ['audit-log', 'call-facts', 'sentiment', 'intent', 'sla', 'usage']) {
        expect(response.body.processors[name]?.events, name).toBeGreaterThan(0);
      }
      expect(
        (
          await root.command('InviteMember', {
            tenantId: 'acme',
            userId: 'boss',
            email: 'boss@acme.example',
            name: 'Boss',
            role: 'tenant_admin',
          })
        ).status,
      ).toBe(200);
      expect(
        (await root.request('PUT', '/api/members/boss/password', { password: 'boss-password-1' })).status,
      ).toBe(204);
      const boss = apiClient(t.url, await login(t.url, 'boss@acme.example', 'boss-password-1'));
      expect((await boss.request('GET', '/api/admin/processors')).status).toBe(403);
      expect((await boss.request('POST', '/api/admin/projections/call-facts/rebuild', {})).status).toBe(403);
    });

    it('rebuilds a projection from position 0 into new tables and switches reads to the same result', async () => {
      for (const name of ['call-facts', 'sentiment', 'audit-log']) {
        const before = await root.request('GET', `/api/admin/projections/${name}/checksum`);
        expect(before.status).toBe(200);
        const rebuilt = await root.request<{ events: number; version: string }>(
          'POST',
          `/api/admin/projections/${name}/rebuild`,
          {},
        );
        expect(rebuilt.status, JSON.stringify(rebuilt.body)).toBe(200);
        expect(rebuilt.body.events).toBeGreaterThan(0);
        const after = await root.request('GET', `/api/admin/projections/${name}/checksum`);
        expect(after.body, name).toEqual(before.body);
      }
      // The rebuilt projection keeps following new events.
      await recordCall(root, 'acme', 'CA-flow-3');
      await eventually(async () =>
        expect(
          await count('SELECT toString(count()) AS n FROM calls FINAL WHERE tenant_id = {tenant:String}'),
        ).toBe(3),
      );
    });
  });
