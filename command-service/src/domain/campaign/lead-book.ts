import { List, Map as IMap, OrderedSet, Set as ISet } from 'immutable';
import type { DialOutcome, Lead } from '@ccp/schemas';

/** The outcomes a retry rule exists for. */
export type RetryOutcome = 'busy' | 'no_answer' | 'failed' | 'voicemail';

/** Where a lead stands in dialling. */
export interface LeadProgress {
  readonly status: 'pending' | 'active' | 'done';
  /** Attempts that count toward the policy's cap (a dial that was never placed does not). */
  readonly attempts: number;
  /** DialStarted events so far: the next attempt number, so attempt ids stay unique. */
  readonly dials: number;
  readonly retries: Readonly<Record<RetryOutcome, number>>;
  /** Not to be dialled before this instant (ms): a retry's time or a callback's due time. */
  readonly nextAt?: number;
  readonly lastOutcome?: DialOutcome;
}

export interface LeadEntry extends LeadProgress {
  readonly lead: Lead;
  /** Position in import order (callbacks: the order they were scheduled). */
  readonly order: number;
}

/**
 * One committed import: its new leads in file order with their indexes, built once when the import is folded
 * and never changed after (later changes to these leads live in the book's persistent maps). Plain arrays and
 * Maps make folding a 100,000-row import cost a few Map inserts per row instead of persistent-map paths.
 */
interface Batch {
  readonly first: number;
  readonly rows: readonly Lead[];
  readonly ids: ReadonlyMap<string, number>;
  readonly phones: ReadonlyMap<string, number>;
  /** Orders of the batch's leads per group (zones and country), ascending. */
  readonly groups: ReadonlyMap<string, readonly number[]>;
}

/**
 * A campaign's leads. Persistent where it changes per event (lead data changed since import, progress, the
 * leads added one by one, the queue cursors), so evolving never copies it.
 */
export interface LeadBook {
  readonly batches: List<Batch>;
  readonly size: number;
  /** Leads added one by one (callbacks), by id. */
  readonly looseIds: IMap<string, number>;
  /** Loose leads, and leads a later import moved to another group, by group, in the order they joined it. */
  readonly looseGroups: IMap<string, OrderedSet<number>>;
  /** Lead data of loose leads and of leads merged since their import. */
  readonly changed: IMap<number, Lead>;
  /** Leads touched by a dial; the others are as imported: pending, nothing tried. */
  readonly progress: IMap<number, LeadProgress>;
  /** Per batch group: how many of its leads from the start are done (they are skipped without a look). */
  readonly cursors: IMap<string, number>;
  /**
   * Leads whose person was erased while this book was held (CampaignLeadsErased): as if never imported, as a
   * fold after the erasure (where they read ERASED) has them.
   */
  readonly erased: ISet<number>;
}

export const emptyBook = (): LeadBook => ({
  batches: List(),
  size: 0,
  looseIds: IMap(),
  looseGroups: IMap(),
  changed: IMap(),
  progress: IMap(),
  cursors: IMap(),
  erased: ISet(),
});

/** The group of a lead: its zones (empty: the campaign's) and its country. */
export const queueKey = (lead: Pick<Lead, 'timeZones' | 'country'>): string =>
  `${lead.timeZones.join(',')}|${lead.country ?? ''}`;

export const queueWhere = (key: string): { zones: readonly string[]; country: string | undefined } => {
  const [zones = '', country = ''] = key.split('|');
  return { zones: zones === '' ? [] : zones.split(','), country: country === '' ? undefined : country };
};

const NO_RETRIES: LeadProgress['retries'] = { busy: 0, no_answer: 0, failed: 0, voicemail: 0 };

const fresh = (lead: Lead): LeadProgress => ({
  status: 'pending',
  attempts: 0,
  dials: 0,
  retries: NO_RETRIES,
  ...(lead.dueAt === undefined ? {} : { nextAt: Date.parse(lead.dueAt) }),
});

const batchOf = (book: LeadBook, order: number): { batch: Batch; index: number } | undefined => {
  let low = 0;
  let high = book.batches.size - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const batch = book.batches.get(mid);
    if (!batch) return undefined;
    if (order < batch.first) high = mid - 1;
    else if (order >= batch.first + batch.rows.length) low = mid + 1;
    else return { batch, index: mid };
  }
  return undefined;
};

export const orderOf = (book: LeadBook, leadId: string): number | undefined => {
  const loose = book.looseIds.get(leadId);
  if (loose !== undefined && !book.erased.has(loose)) return loose;
  for (const batch of book.batches) {
    const order = batch.ids.get(leadId);
    if (order !== undefined && !book.erased.has(order)) return order;
  }
  return undefined;
};

const orderOfPhone = (book: LeadBook, phone: string): number | undefined => {
  for (const batch of book.batches) {
    const order = batch.phones.get(phone);
    if (order !== undefined && !book.erased.has(order)) return order;
  }
  return undefined;
};

export const leadAt = (book: LeadBook, order: number): Lead | undefined => {
  const changed = book.changed.get(order);
  if (changed) return changed;
  const found = batchOf(book, order);
  return found?.batch.rows[order - found.batch.first];
};

export const entryAt = (book: LeadBook, order: number): LeadEntry | undefined => {
  if (book.erased.has(order)) return undefined;
  const lead = leadAt(book, order);
  if (!lead) return undefined;
  return { lead, order, ...(book.progress.get(order) ?? fresh(lead)) };
};

export const entryOf = (book: LeadBook, leadId: string): LeadEntry | undefined => {
  const order = orderOf(book, leadId);
  return order === undefined ? undefined : entryAt(book, order);
};

/** A later row for a lead the campaign has: its variables merged in, its name, zones and language when given. */
const merged = (current: Lead, row: Lead): Lead => ({
  ...current,
  variables: { ...current.variables, ...row.variables },
  ...(row.name === undefined ? {} : { name: row.name }),
  ...(row.language === undefined ? {} : { language: row.language }),
  ...(row.country === undefined ? {} : { country: row.country }),
  ...(row.timeZones.length === 0 ? {} : { timeZones: row.timeZones }),
});

export interface ImportResult {
  readonly book: LeadBook;
  readonly added: number;
  readonly merged: number;
}

/**
 * Adds an import's rows in order. A row whose leadId, or else phone, the campaign already has (from an earlier
 * import or an earlier row of this one) is merged into that lead. The decider runs it to count and evolve to
 * apply: one function, so the counts in LeadsImported are what folding it does.
 */
export const addImport = (book: LeadBook, rows: readonly Lead[]): ImportResult => {
  const last = lastImports.get(book);
  if (last && sameRows(last.rows, rows)) return last.result;
  const result = foldImport(book, rows);
  lastImports.set(book, { rows, result });
  return result;
};

/**
 * The last import added to each book. A commit adds its import twice to the same book, once in decide to count
 * and once in evolve to apply: the second is answered from here (the result is immutable, like the book), which
 * halves the commit of a 100,000-lead import and its garbage. Weak: a book no longer held takes its entry along.
 */
const lastImports = new WeakMap<LeadBook, { rows: readonly Lead[]; result: ImportResult }>();

const sameRows = (a: readonly Lead[], b: readonly Lead[]): boolean => {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
};

const foldImport = (book: LeadBook, rows: readonly Lead[]): ImportResult => {
  const first = book.size;
  const newRows: Lead[] = [];
  const ids = new Map<string, number>();
  const phones = new Map<string, number>();
  const changed = book.changed.asMutable();
  const looseGroups = book.looseGroups.asMutable();
  let mergedRows = 0;
  for (const row of rows) {
    const inImport = ids.get(row.leadId) ?? phones.get(row.phone);
    if (inImport !== undefined) {
      const i = inImport - first;
      const current = newRows[i];
      if (current) newRows[i] = merged(current, row);
      mergedRows += 1;
      continue;
    }
    const earlier = orderOf(book, row.leadId) ?? orderOfPhone(book, row.phone);
    const current = earlier === undefined ? undefined : (changed.get(earlier) ?? leadAt(book, earlier));
    if (earlier !== undefined && current) {
      const next = merged(current, row);
      changed.set(earlier, next);
      const done = book.progress.get(earlier)?.status === 'done';
      // Its old group's queue skips it from now on (its key no longer matches).
      if (!done && queueKey(current) !== queueKey(next)) {
        looseGroups.update(queueKey(next), OrderedSet<number>(), (s) => s.add(earlier));
      }
      mergedRows += 1;
      continue;
    }
    const order = first + newRows.length;
    newRows.push(row);
    ids.set(row.leadId, order);
    phones.set(row.phone, order);
  }
  const groups = new Map<string, number[]>();
  newRows.forEach((lead, i) => {
    const key = queueKey(lead);
    const list = groups.get(key);
    if (list) list.push(first + i);
    else groups.set(key, [first + i]);
  });
  const batch: Batch = { first, rows: newRows, ids, phones, groups };
  return {
    book: {
      ...book,
      batches: newRows.length > 0 ? book.batches.push(batch) : book.batches,
      size: first + newRows.length,
      changed: changed.asImmutable(),
      looseGroups: looseGroups.asImmutable(),
    },
    added: newRows.length,
    merged: mergedRows,
  };
};

/** The ids of the leads (not erased) with one of `phones`: imported, merged or added on their own. */
export const leadIdsWithPhones = (book: LeadBook, phones: ReadonlySet<string>): string[] => {
  const orders = new Set<number>();
  for (const batch of book.batches)
    for (const phone of phones) {
      const order = batch.phones.get(phone);
      if (order !== undefined) orders.add(order);
    }
  for (const [order, lead] of book.changed) if (phones.has(lead.phone)) orders.add(order);
  const ids = new Set<string>();
  for (const order of orders) {
    const lead = book.erased.has(order) ? undefined : leadAt(book, order);
    if (lead) ids.add(lead.leadId);
  }
  return [...ids];
};

/** Erased leads: done (out of every queue) and then as if never there. */
export const eraseLeads = (book: LeadBook, leadIds: readonly string[]): LeadBook => {
  let next = book;
  for (const leadId of leadIds) {
    const order = orderOf(next, leadId);
    const entry = order === undefined ? undefined : entryAt(next, order);
    if (order === undefined || !entry) continue;
    const { lead: _lead, order: _order, ...progress } = entry;
    next = withProgress(next, order, { ...progress, status: 'done' });
    next = { ...next, erased: next.erased.add(order), changed: next.changed.delete(order) };
  }
  return next;
};

/** A lead added on its own (a callback): never merged with another. */
export const addLoose = (book: LeadBook, lead: Lead): LeadBook => {
  const order = book.size;
  return {
    ...book,
    size: order + 1,
    looseIds: book.looseIds.set(lead.leadId, order),
    looseGroups: book.looseGroups.update(queueKey(lead), OrderedSet<number>(), (s) => s.add(order)),
    changed: book.changed.set(order, lead),
  };
};

const cursorKey = (batchIndex: number, key: string): string => `${batchIndex}|${key}`;

/** Records a lead's progress; a lead done leaves its queues (at once where it is loose, by cursor in a batch). */
export const withProgress = (book: LeadBook, order: number, progress: LeadProgress): LeadBook => {
  const next = { ...book, progress: book.progress.set(order, progress) };
  if (progress.status !== 'done') return next;
  const lead = leadAt(book, order);
  let { looseGroups, cursors } = next;
  if (lead) looseGroups = looseGroups.update(queueKey(lead), OrderedSet<number>(), (s) => s.delete(order));
  const found = batchOf(book, order);
  const base = found?.batch.rows[order - found.batch.first];
  if (found && base) {
    const key = queueKey(base);
    const list = found.batch.groups.get(key) ?? [];
    const ck = cursorKey(found.index, key);
    let cursor = cursors.get(ck) ?? 0;
    const isDone = (o: number) => next.progress.get(o)?.status === 'done';
    while (cursor < list.length && isDone(list[cursor] ?? -1)) cursor += 1;
    cursors = cursors.set(ck, cursor);
  }
  return { ...next, looseGroups, cursors };
};

/** A queue of leads in one group, in order; each yields orders whose lead may still belong to another group. */
export interface Queue {
  readonly key: string;
  readonly orders: () => Iterator<number>;
}

function* fromIndex(list: readonly number[], start: number): Generator<number> {
  for (let i = start; i < list.length; i += 1) {
    const order = list[i];
    if (order !== undefined) yield order;
  }
}

export const queuesOf = (book: LeadBook): Queue[] => {
  const queues: Queue[] = [];
  book.batches.forEach((batch, index) => {
    for (const [key, list] of batch.groups) {
      const start = book.cursors.get(cursorKey(index, key)) ?? 0;
      if (start < list.length) queues.push({ key, orders: () => fromIndex(list, start) });
    }
  });
  for (const [key, set] of book.looseGroups) {
    if (set.size > 0) queues.push({ key, orders: () => set.values() });
  }
  return queues;
};

/** The lead at `order` as seen from a queue: undefined when it is now in another group. */
export const entryInQueue = (book: LeadBook, queue: Queue, order: number): LeadEntry | undefined => {
  // A lead unchanged since its import is in its batch group by construction: no key to compare.
  const changed = book.changed.get(order);
  if (changed && queueKey(changed) !== queue.key) return undefined;
  return entryAt(book, order);
};
