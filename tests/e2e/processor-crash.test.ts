import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalKafka, type LocalKafka } from '@ccp/infra';
import { recordCall } from '../support/calls.js';
import { notYetHandled } from '../support/caught-up.js';
import { apiClient, login } from '../support/platform.js';
import { spawnPlatform, type PlatformProcess } from '../support/process.js';

const PROCESSORS = ['audit-log', 'call-facts', 'sentiment', 'intent', 'sla', 'usage'];
type Checksum = { tables: Record<string, { rows: string; hash: string }> };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The platform process is killed while its processors are busy, then restarted: what the projections hold must
 * equal a clean rebuild from position 0 — nothing lost, nothing counted twice.
 */
describe.each(['embedded', 'kafka'] as const)('processors killed mid-batch on the %s bus', (bus) => {
  const dataDirs: string[] = [];
  const running: PlatformProcess[] = [];
  let kafka: LocalKafka | undefined;
  const stopAll = async () => {
    for (const p of running.splice(0)) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
    await kafka?.stop();
    kafka = undefined;
  };
  afterAll(async () => {
    await stopAll();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('recover to exactly what a rebuild from position 0 gives', { timeout: 420_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), `ccp-pcrash-${bus}-`));
    dataDirs.push(dataDir);
    const env: Record<string, string> = {
      DATA_DIR: dataDir,
      SEED_DEMO: 'false',
      SUPER_ADMIN_EMAIL: 'root@crash.example',
      SUPER_ADMIN_PASSWORD: 'crash-test-password',
      BUS: bus,
    };
    if (bus === 'kafka') {
      kafka = await startLocalKafka({ withRegistry: true });
      env.KAFKA_BROKERS = kafka.brokers.join(',');
      env.SCHEMA_REGISTRY_URL = kafka.registryUrl ?? '';
    }
    const first = await spawnPlatform(env);
    running.push(first);
    const root = apiClient(
      first.url,
      await login(first.url, env.SUPER_ADMIN_EMAIL ?? '', env.SUPER_ADMIN_PASSWORD ?? ''),
    );
    expect(
      (await root.command('CreateTenant', { tenantId: 'acme', name: 'Acme', planTier: 'starter' })).status,
    ).toBe(200);

    // Several callers at once; the process dies without warning while the processors work through them.
    let started = 0;
    let acknowledged = 0;
    let killed = false;
    const caller = async (n: number) => {
      for (let call = 0; call < 6 && !killed; call += 1) {
        try {
          started += 1;
          await recordCall(root, 'acme', `CA-${n}-${call}`, undefined, undefined, () => {
            acknowledged += 1;
          });
        } catch {
          return;
        }
        if (started >= 20 && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 5 }, (_, n) => caller(n)));
    expect(await first.exited).toBe('SIGKILL');

    const second = await spawnPlatform(env);
    running.push(second);
    const admin = apiClient(
      second.url,
      await login(second.url, env.SUPER_ADMIN_EMAIL ?? '', env.SUPER_ADMIN_PASSWORD ?? ''),
    );
    await recordCall(admin, 'acme', 'CA-after-restart');
    const checksum = async (name: string) => {
      const response = await admin.request<Checksum>('GET', `/api/admin/projections/${name}/checksum`);
      expect(response.status).toBe(200);
      return response.body;
    };

    // Caught up: every processor's durable progress covers the whole log (not tables that look quiet for a
    // moment, which a processor still working through its backlog after the restart can also give).
    for (const deadline = Date.now() + 180_000; ; await sleep(200)) {
      const behind = await notYetHandled(dataDir, bus, kafka?.brokers);
      if (behind.length === 0) break;
      if (Date.now() > deadline) {
        throw new Error(`processors did not catch up: ${behind.join(', ')}\n${second.output().slice(-4000)}`);
      }
    }
    // Calls whose start was acknowledged before the kill, plus the one after; an unacknowledged start may also
    // have been stored, hence at least.
    const calls = await checksum('call-facts');
    expect(Number(calls.tables.calls?.rows)).toBeGreaterThanOrEqual(acknowledged + 1);

    for (const name of PROCESSORS) {
      const recovered = await checksum(name);
      for (const table of Object.values(recovered.tables)) expect(table.hash, name).toMatch(/^\d+$/);
      const rebuild = await admin.request<{ events: number }>(
        'POST',
        `/api/admin/projections/${name}/rebuild`,
        {},
      );
      expect(rebuild.status, JSON.stringify(rebuild.body)).toBe(200);
      expect(rebuild.body.events).toBeGreaterThan(0);
      expect(await checksum(name), name).toEqual(recovered);
    }
    second.child.kill('SIGTERM');
    await second.exited;
  });
});
