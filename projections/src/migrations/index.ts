import type { ReadStore } from '../read-store/port.js';
import { migration as events } from './001_events.js';
import { migration as calls } from './002_calls.js';
import { migration as utterances } from './003_utterances.js';
import { migration as eventsActorRole } from './004_events_actor_role.js';
import { migration as callsHandling } from './005_calls_handling.js';
import { migration as sentiment } from './006_sentiment.js';
import { migration as utteranceIntents } from './007_utterance_intents.js';
import { migration as sla } from './010_sla.js';
import { migration as usage } from './011_usage.js';
import { migration as apiRequests } from './012_api_requests.js';
import { migration as campaignsAndLimits } from './013_campaigns_and_limits.js';
import { migration as callRollups } from './014_call_rollups.js';
import { migration as callWrapUp } from './015_call_wrap_up.js';
import { migration as campaigns } from './016_campaigns.js';
import { migration as appointments } from './017_appointments.js';
import { migration as billing } from './018_billing.js';
import { migration as integrations } from './019_integrations.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

/** Every migration of the read side, in order. A new one is a new numbered module added at the end. */
export const migrations: readonly Migration[] = [
  events,
  calls,
  utterances,
  eventsActorRole,
  callsHandling,
  sentiment,
  utteranceIntents,
  sla,
  usage,
  apiRequests,
  campaignsAndLimits,
  callRollups,
  callWrapUp,
  campaigns,
  appointments,
  billing,
  integrations,
];

const LEDGER = 'schema_migrations';

/**
 * ReplacingMergeTree so that two runners racing at start-up, each recording the same version, still leave one
 * row for it.
 */
const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS ${LEDGER} (
  version    UInt32,
  name       String,
  applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree ORDER BY version`;

/** A migration failed: the versions before it are applied and recorded, it and the later ones are not. */
export class MigrationError extends Error {
  readonly code = 'MIGRATION_FAILED';
  constructor(
    readonly version: number,
    readonly migrationName: string,
    /** Index of the failing statement in the migration's `up`. */
    readonly statement: number,
    readonly applied: readonly number[],
    cause: unknown,
  ) {
    super(
      `migration ${version} (${migrationName}) failed at statement ${statement + 1}: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
    this.name = 'MigrationError';
  }
}

export interface MigrationReport {
  /** Versions this run applied, in order. */
  readonly applied: readonly number[];
  /** Versions found already recorded. */
  readonly alreadyApplied: readonly number[];
}

const checked = (list: readonly Migration[]): Migration[] => {
  const sorted = [...list].sort((a, b) => a.version - b.version);
  for (const [n, migration] of sorted.entries()) {
    if (!Number.isInteger(migration.version) || migration.version < 1) {
      throw new TypeError(
        `migration ${migration.name}: version ${migration.version} is not a positive integer`,
      );
    }
    if (n > 0 && sorted[n - 1]?.version === migration.version) {
      throw new TypeError(`migration version ${migration.version} is used twice`);
    }
    if (migration.up.length === 0) throw new TypeError(`migration ${migration.version} has no statements`);
  }
  return sorted;
};

/**
 * Brings the store's schema up to date: applies, in version order, every migration not recorded in
 * schema_migrations, recording each once all its statements succeeded. Running it again does nothing. A failure
 * stops the run at once with a MigrationError; nothing after the failing migration is attempted.
 *
 * Versions recorded but unknown to this code (a newer release migrated first) are left alone, so an older
 * instance still starts during a rolling deploy.
 */
export const migrate = async (
  store: ReadStore,
  list: readonly Migration[] = migrations,
): Promise<MigrationReport> => {
  const ordered = checked(list);
  await store.command(CREATE_LEDGER);
  const recorded = await store.query<{ version: number }>(
    `SELECT version FROM ${LEDGER} FINAL ORDER BY version`,
  );
  const done = new Set(recorded.map((row) => Number(row.version)));
  const applied: number[] = [];
  const alreadyApplied: number[] = [];
  for (const migration of ordered) {
    if (done.has(migration.version)) {
      alreadyApplied.push(migration.version);
      continue;
    }
    for (const [index, statement] of migration.up.entries()) {
      try {
        await store.command(statement);
      } catch (error) {
        throw new MigrationError(migration.version, migration.name, index, applied, error);
      }
    }
    await store.insert(LEDGER, [{ version: migration.version, name: migration.name }]);
    applied.push(migration.version);
  }
  return { applied, alreadyApplied };
};
