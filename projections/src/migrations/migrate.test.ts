import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openChdbReadStore } from '../read-store/chdb.js';
import type { ReadStore } from '../read-store/port.js';
import { MigrationError, migrate, migrations, type Migration } from './index.js';

const PROJECTION_TABLES = [
  'api_requests',
  'appointments',
  'billing_accounts',
  'billing_invoices',
  'billing_meter',
  'billing_meter_closes',
  'billing_payment_failures',
  'calendar_feeds',
  'call_intents',
  'call_sentiment',
  'call_sla',
  'calls',
  'campaign_attempts',
  'campaign_imports',
  'campaign_leads',
  'campaigns',
  'contact_phones',
  'contact_tickets',
  'contacts',
  'do_not_call',
  'events',
  'integration_connections',
  'integration_deliveries',
  'messages',
  'reservations',
  'resources',
  'schedule_settings',
  'services',
  'sla_follow_ups',
  'tenant_plans',
  'tenant_sla_targets',
  'usage_calls',
  'usage_events',
  'utterance_intents',
  'utterance_sentiment',
  'utterances',
];

const dir = mkdtempSync(join(tmpdir(), 'ccp-migrations-'));
let databases = 0;
const opened: ReadStore[] = [];
/** A fresh, empty database in the one chdb directory this process may hold. */
const freshStore = async (): Promise<ReadStore> => {
  const store = await openChdbReadStore({ path: dir, database: `ccp_migrate_${(databases += 1)}` });
  opened.push(store);
  return store;
};

afterAll(async () => {
  for (const store of opened) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const tables = async (store: ReadStore) =>
  (
    await store.query<{ name: string }>(
      'SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name',
    )
  ).map((row) => row.name);

describe('migrate', () => {
  it('applies every migration to a fresh store, then nothing on a second run', async () => {
    const store = await freshStore();
    const first = await migrate(store);
    expect(first).toEqual({ applied: migrations.map((m) => m.version), alreadyApplied: [] });
    expect(await tables(store)).toEqual([...PROJECTION_TABLES, 'schema_migrations'].sort());
    expect(await store.query('SELECT version, name FROM schema_migrations FINAL ORDER BY version')).toEqual(
      migrations.map((m) => ({ version: m.version, name: m.name })),
    );

    const second = await migrate(store);
    expect(second).toEqual({ applied: [], alreadyApplied: migrations.map((m) => m.version) });
    expect(await store.query('SELECT count() AS n FROM schema_migrations')).toEqual([
      { n: String(migrations.length) },
    ]);
  });

  it('creates tables that lead their order with tenant_id and partition by month', async () => {
    const store = await freshStore();
    await migrate(store);
    const described = await store.query<{
      name: string;
      sorting_key: string;
      partition_key: string;
      engine: string;
    }>(
      `SELECT name, sorting_key, partition_key, engine FROM system.tables
       WHERE database = currentDatabase() AND name != 'schema_migrations' ORDER BY name`,
    );
    for (const table of described) {
      expect(table.sorting_key).toMatch(/^tenant_id, /);
      expect(table.partition_key).toMatch(/^toYYYYMM\(/);
      expect(table.engine).toBe('ReplacingMergeTree');
    }
    expect(described.map((t) => t.name)).toEqual(PROJECTION_TABLES);
  });

  it('a calls row replayed or superseded reads as its newest version', async () => {
    const store = await freshStore();
    await migrate(store);
    const row = {
      tenant_id: 'acme',
      call_id: 'CA1',
      direction: 'inbound',
      provider: 'twilio',
      from_address: '+15551234567',
      to_address: '+15557654321',
      status: 'in_progress',
      started_at: '2024-03-01T10:00:00.000Z',
      last_event_at: '2024-03-01T10:00:00.000Z',
      version: 10,
    };
    const ended = {
      ...row,
      status: 'ended',
      ended_at: '2024-03-01T10:05:00.000Z',
      outcome: 'resolved',
      duration_seconds: 300,
      last_event_at: '2024-03-01T10:05:00.000Z',
      version: 14,
    };
    await store.insert('calls', [row]);
    await store.insert('calls', [ended]);
    await store.insert('calls', [row]);
    expect(
      await store.query(
        'SELECT status, outcome, duration_seconds, ended_at, escalated FROM calls FINAL WHERE tenant_id = {t:String}',
        { t: 'acme' },
      ),
    ).toEqual([
      {
        status: 'ended',
        outcome: 'resolved',
        duration_seconds: 300,
        ended_at: '2024-03-01 10:05:00.000',
        escalated: 0,
      },
    ]);
  });

  it('stops at a failing migration, reports it, and applies it once fixed', async () => {
    const store = await freshStore();
    const good: Migration = {
      version: 1,
      name: 'first',
      up: ['CREATE TABLE IF NOT EXISTS first (tenant_id String) ENGINE = MergeTree ORDER BY tenant_id'],
    };
    const broken: Migration = {
      version: 2,
      name: 'second',
      up: [
        'CREATE TABLE IF NOT EXISTS second (tenant_id String) ENGINE = MergeTree ORDER BY tenant_id',
        'ALTER TABLE second ADD COLUMN oops NotAType',
      ],
    };
    const later: Migration = {
      version: 3,
      name: 'third',
      up: ['CREATE TABLE IF NOT EXISTS third (tenant_id String) ENGINE = MergeTree ORDER BY tenant_id'],
    };
    const error = await migrate(store, [later, broken, good]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({
      code: 'MIGRATION_FAILED',
      version: 2,
      migrationName: 'second',
      statement: 1,
      applied: [1],
    });
    expect((error as Error).message).toMatch(/^migration 2 \(second\) failed at statement 2: .*NotAType/);
    expect((error as Error).cause).toMatchObject({ code: 'READ_STORE_QUERY' });
    expect(await store.query('SELECT version FROM schema_migrations FINAL')).toEqual([{ version: 1 }]);
    expect(await tables(store)).not.toContain('third');

    // The statements before the failure ran; being idempotent, they run again harmlessly.
    const fixed: Migration = {
      ...broken,
      up: [broken.up[0] as string, 'ALTER TABLE second ADD COLUMN IF NOT EXISTS ok UInt8'],
    };
    expect(await migrate(store, [good, fixed, later])).toEqual({ applied: [2, 3], alreadyApplied: [1] });
    expect(await tables(store)).toEqual(['first', 'schema_migrations', 'second', 'third']);
  });

  it('refuses a list with a repeated version before touching the store', async () => {
    const store = await freshStore();
    const twice: Migration = { version: 1, name: 'a', up: ['SELECT 1'] };
    await expect(migrate(store, [twice, { ...twice, name: 'b' }])).rejects.toThrow(/used twice/);
    expect(await tables(store)).toEqual([]);
  });
});
