import { Histogram } from 'prom-client';
import { FAST_SECONDS, type MetricsRegistry } from '@ccp/command-service';
import type { ReadStore } from './port.js';

/**
 * The read store's own metrics, around whichever adapter the platform opened (chdb or a ClickHouse server): the
 * time of each statement by operation (`query`: a SELECT the query API or a processor reads with; `insert`: rows
 * a projection writes; `command`: DDL, INSERT … SELECT, ALTER, OPTIMIZE) and outcome (`ok`, `error`). Never the
 * statement's text: its tables and shapes are many, and a label must stay a small closed set.
 */
export const observedReadStore = (store: ReadStore, registry: MetricsRegistry): ReadStore => {
  const seconds = new Histogram({
    name: 'ccp_read_store_query_duration_seconds',
    help: 'Time of one read-store statement, by operation (query, insert, command) and outcome (ok, error)',
    labelNames: ['operation', 'outcome'],
    buckets: FAST_SECONDS,
    registers: [registry],
  });
  const timed = async <T>(operation: 'query' | 'insert' | 'command', run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    let outcome = 'error';
    try {
      const result = await run();
      outcome = 'ok';
      return result;
    } finally {
      seconds.observe({ operation, outcome }, (performance.now() - started) / 1000);
    }
  };
  return {
    command: (sql, params) => timed('command', () => store.command(sql, params)),
    insert: (table, rows) => timed('insert', () => store.insert(table, rows)),
    query: <T>(sql: string, params?: Parameters<ReadStore['query']>[1]) =>
      timed('query', () => store.query<T>(sql, params)),
    close: () => store.close(),
  };
};
