import { z } from 'zod';
import type { ReadStore } from '@ccp/projections';
import type { Processor } from './processor.js';

const LEDGER = 'projection_versions';

const Row = z.object({ name: z.string(), version: z.coerce.number().int() });

/**
 * Which version of each processor wrote its tables: the ledger a start compares with the code's versions.
 * ReplacingMergeTree by recorded_at, so the last record of a name wins.
 */
export const projectionVersions = (readStore: ReadStore) => {
  const ready = readStore.command(
    `CREATE TABLE IF NOT EXISTS ${LEDGER} (
      name        String,
      version     UInt32,
      recorded_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree(recorded_at) ORDER BY name`,
  );
  const recorded = async (): Promise<Map<string, number>> => {
    await ready;
    const rows = await readStore.query<unknown>(`SELECT name, version FROM ${LEDGER} FINAL`);
    return new Map(rows.map((raw) => Row.parse(raw)).map((row) => [row.name, row.version]));
  };
  const isEmpty = async (processor: Processor): Promise<boolean> => {
    for (const table of processor.tables) {
      const [row] = await readStore.query<{ n: string | number }>(`SELECT count() AS n FROM ${table}`);
      if (Number(row?.n ?? 0) > 0) return false;
    }
    return true;
  };
  return {
    record: async (name: string, version: number): Promise<void> => {
      await ready;
      await readStore.insert(LEDGER, [{ name, version }]);
    },
    /**
     * The processors whose tables an older version wrote. Tables with no record were written before versions
     * were recorded (version 1) unless they are empty: a first start has nothing to rebuild, and its versions
     * are recorded at once.
     */
    outdated: async (processors: readonly Processor[]): Promise<Processor[]> => {
      const known = await recorded();
      const stale: Processor[] = [];
      for (const processor of processors) {
        const version = processor.version ?? 1;
        const was = known.get(processor.name) ?? ((await isEmpty(processor)) ? version : 1);
        if (!known.has(processor.name) && was === version) {
          await readStore.insert(LEDGER, [{ name: processor.name, version }]);
        }
        if (was < version) stale.push(processor);
      }
      return stale;
    },
  };
};
