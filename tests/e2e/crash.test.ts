import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '@ccp/command-service';
import { apiClient, login } from '../support/platform.js';
import { spawnPlatform, type PlatformProcess } from '../support/process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'ccp-crash-'));
const env = {
  DATA_DIR: dataDir,
  SEED_DEMO: 'false',
  SUPER_ADMIN_EMAIL: 'root@crash.example',
  SUPER_ADMIN_PASSWORD: 'crash-test-password',
};
const running: PlatformProcess[] = [];
afterAll(() => {
  for (const p of running) p.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const TOTAL = 400;
const utterance = (n: number) => ({
  tenantId: 'acme',
  callId: 'CA-crash',
  utteranceId: `u${n}`,
  speaker: 'caller',
  text: `line ${n}`,
  confidence: 0.9,
  language: 'en',
});

describe('a platform process killed mid-traffic', () => {
  it('loses no acknowledged event, and retries with the same Idempotency-Key store nothing twice', async () => {
    const first = await spawnPlatform(env);
    running.push(first);
    const root = apiClient(
      first.url,
      await login(first.url, env.SUPER_ADMIN_EMAIL, env.SUPER_ADMIN_PASSWORD),
    );
    expect((await root.command('CreateTenant', { tenantId: 'acme', name: 'Acme' })).status).toBe(200);
    const start = await root.command('StartCall', {
      tenantId: 'acme',
      callId: 'CA-crash',
      direction: 'inbound',
      from: '+15550001111',
      to: '+15550002222',
      provider: 'simulator',
    });
    expect(start.status).toBe(200);

    // Eight senders keep the server busy; the process is killed without warning once 150 were acknowledged.
    const acknowledged = new Set<number>();
    let next = 0;
    let killed = false;
    const sender = async () => {
      while (next < TOTAL && !killed) {
        const n = next++;
        try {
          const response = await root.command('RecordUtterance', utterance(n), {
            'idempotency-key': `utt-${n}-key`,
          });
          if (response.status === 200) acknowledged.add(n);
          if (acknowledged.size >= 150 && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        } catch {
          // The connection died with the process: this one was not acknowledged.
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    expect(await first.exited).toBe('SIGKILL');
    expect(acknowledged.size).toBeGreaterThanOrEqual(150);

    const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
    const stored = (await store.readStream('call-acme.CA-crash')).filter(
      (e) => e.type === 'UtteranceRecorded',
    );
    const storedIds = new Set(stored.map((e) => (e.data as { utteranceId: string }).utteranceId));
    for (const n of acknowledged) expect(storedIds.has(`u${n}`), `acknowledged u${n} was lost`).toBe(true);
    await store.close();

    // The client retries everything, acknowledged or not, with the same keys.
    const second = await spawnPlatform(env);
    running.push(second);
    const again = apiClient(
      second.url,
      await login(second.url, env.SUPER_ADMIN_EMAIL, env.SUPER_ADMIN_PASSWORD),
    );
    for (let n = 0; n < TOTAL; n += 1) {
      const response = await again.command('RecordUtterance', utterance(n), {
        'idempotency-key': `utt-${n}-key`,
      });
      expect(response.status).toBe(200);
    }
    const check = createSqliteEventStore({ path: join(dataDir, 'events.db') });
    const events = await check.readStream('call-acme.CA-crash');
    expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
    const ids = events
      .filter((e) => e.type === 'UtteranceRecorded')
      .map((e) => (e.data as { utteranceId: string }).utteranceId);
    expect(ids).toHaveLength(TOTAL);
    expect(new Set(ids).size).toBe(TOTAL);
    await check.close();
    second.child.kill('SIGTERM');
    await second.exited;
  }, 120_000);
});
