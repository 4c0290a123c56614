import type { z } from 'zod';
import { ERASED, parseStreamName } from '@ccp/schemas';
import { assertTableName, type ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import { utcInstant } from './call-stream.js';

/**
 * What the row-per-entity processors (scheduling, contacts, messages) share: a category's events of a batch
 * with their stream id and position, the current rows of the entities a batch touches, and the fold that
 * applies events to them in order, keeping only the rows that changed. An event at or below a row's version
 * leaves the row as it is, so a redelivered batch or a replay writes nothing new.
 */

export interface At<E> {
  readonly tenantId: string;
  /** The stream's id within its category (the service, resource, appointment, contact, message id). */
  readonly id: string;
  readonly event: E;
  readonly position: number;
  readonly occurredAt: string;
}

/**
 * The bus validated and upcast every event it delivers, so its data is typed by `type` alone; it is not parsed
 * again because an erased personal field reads '[erased]' whatever its schema.
 */
export const eventsOf = <E>(
  batch: readonly BusEvent[],
  category: string,
  types: ReadonlySet<string>,
): At<E>[] =>
  batch.flatMap(({ envelope, position }) => {
    const stream = parseStreamName(envelope.streamId);
    if (stream?.category !== category || !types.has(envelope.type)) return [];
    const event = { type: envelope.type, data: envelope.data } as E;
    return [
      {
        tenantId: envelope.tenantId,
        id: stream.id,
        event,
        position,
        occurredAt: utcInstant(envelope.occurredAt),
      },
    ];
  });

export const key = (...parts: readonly string[]): string => parts.join('\u0000');

export const idsByTenant = <T>(
  items: readonly T[],
  tenantOf: (item: T) => string,
  idsOf: (item: T) => readonly string[],
) => {
  const byTenant = new Map<string, Set<string>>();
  for (const item of items) {
    const ids = byTenant.get(tenantOf(item)) ?? new Set<string>();
    for (const id of idsOf(item)) ids.add(id);
    byTenant.set(tenantOf(item), ids);
  }
  return byTenant;
};

/** The current rows (FINAL) of `table` whose `column` is one of `ids`, per tenant, validated. */
export const loadRows = async <T>(
  readStore: ReadStore,
  table: string,
  column: string,
  ids: ReadonlyMap<string, ReadonlySet<string>>,
  schema: z.ZodType<T>,
): Promise<T[]> => {
  assertTableName(table);
  if (!/^[a-z_]+$/.test(column)) throw new TypeError(`not a column name: ${column}`);
  const rows: T[] = [];
  for (const [tenantId, wanted] of ids) {
    if (wanted.size === 0) continue;
    const found = await readStore.query<unknown>(
      `SELECT * FROM ${table} FINAL WHERE tenant_id = {tenant:String} AND ${column} IN {ids:Array(String)}`,
      { tenant: tenantId, ids: [...wanted] },
    );
    for (const raw of found) {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        throw new Error(`${table} row of tenant ${tenantId} is not as expected: ${parsed.error.message}`);
      }
      rows.push(parsed.data);
    }
  }
  return rows;
};

/** Applies `apply` to the rows in step order and returns the rows that changed. */
export const fold = <R, S>(
  rows: Map<string, R>,
  steps: readonly { readonly key: string; readonly step: S }[],
  apply: (row: R | undefined, step: S) => R | undefined,
): R[] => {
  const changed = new Map<string, R>();
  for (const { key: rowKey, step } of steps) {
    const before = rows.get(rowKey);
    const after = apply(before, step);
    if (after !== undefined && after !== before) {
      rows.set(rowKey, after);
      changed.set(rowKey, after);
    }
  }
  return [...changed.values()];
};

/** Loads the rows an event list touches, folds the events into them and writes the changed ones. */
export const foldInto = async <R extends { readonly tenant_id: string }, E>(
  readStore: ReadStore,
  spec: {
    readonly table: string;
    /** The column the rows are looked up by, and each event's value(s) of it. */
    readonly column: string;
    readonly idsOf: (at: At<E>) => readonly string[];
    /** A row's key, and the key(s) of the row(s) an event changes. */
    readonly rowKey: (row: R) => string;
    readonly keysOf: (at: At<E>) => readonly string[];
    readonly schema: z.ZodType<R>;
    readonly apply: (row: R | undefined, at: At<E>, rowKey: string) => R | undefined;
    /**
     * Writes what follows from the changed rows, before they are written: a crash in between leaves the rows
     * at their old version, so the redelivered batch derives it again.
     */
    readonly beforeWrite?: (changed: readonly R[]) => Promise<void>;
  },
  events: readonly At<E>[],
): Promise<R[]> => {
  if (events.length === 0) return [];
  const loaded = await loadRows(
    readStore,
    spec.table,
    spec.column,
    idsByTenant(events, (at) => at.tenantId, spec.idsOf),
    spec.schema,
  );
  const changed = fold(
    new Map(loaded.map((row) => [spec.rowKey(row), row])),
    events.flatMap((at) => spec.keysOf(at).map((rowKey) => ({ key: rowKey, step: { at, rowKey } }))),
    (row, { at, rowKey }) => spec.apply(row, at, rowKey),
  );
  if (changed.length > 0) {
    await spec.beforeWrite?.(changed);
    await readStore.insert(spec.table, changed);
  }
  return changed;
};

/** A personal text field as the event store handed it over: the text, or '[erased]' (kept as it reads). */
export const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** A personal list (numbers, addresses, tags): empty once erased. */
export const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** A personal object (a customer): its fields, or none once erased. */
export const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

export const isErased = (value: unknown): boolean => value === ERASED;
