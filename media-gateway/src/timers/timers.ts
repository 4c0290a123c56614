/**
 * A due-time scheduler for event-sourced timers: items `{key, dueAt}` in a min-heap, a callback when an item is
 * due by the injected clock.
 *
 * It keeps nothing that matters. Its items are always rebuilt from the event log when the process starts (a
 * message's MessageScheduled / MessageDeliveryFailed say when it is due), so a crash loses no timer: the worker
 * that owns it schedules every pending item again while it reads the log, and the callback's own command is what
 * records that the timer fired. The callback must therefore be safe to run again for the same key (the
 * deciders refuse a second claim), which is also why an error is only logged and the key tried again later.
 *
 * The clock is injected (`now()`): tests and demo clocks shift it. Real time only paces the checks: the timer
 * sleeps until the earliest item is due by that clock, at most `pollMs`, so a clock moved forward is noticed
 * within one poll, and `poke()` checks at once.
 */
export interface TimersOptions {
  readonly now: () => Date;
  /** Called when a key is due; never twice at once for one key. An error is logged and the key retried. */
  readonly onDue: (key: string) => Promise<void>;
  readonly log: (message: string) => void;
  /** The longest real-time sleep between checks of the clock (default 1 s). */
  readonly pollMs?: number;
  /** After a callback failed, the key is due again this much later by the clock (default 5 s). */
  readonly retryMs?: number;
}

export interface Timers {
  /** Due at `dueAt` (replacing an earlier time for the key). A key due while its callback runs fires after it. */
  schedule(key: string, dueAt: Date): void;
  cancel(key: string): void;
  /** When the key is due, if scheduled. */
  dueAt(key: string): Date | undefined;
  /** Checks the clock now (after a test moved it) instead of at the next poll. */
  poke(): void;
  readonly size: () => number;
  /** No more callbacks; resolves when the running ones have finished. */
  stop(): Promise<void>;
}

interface Entry {
  readonly key: string;
  readonly dueAt: number;
  /** Which schedule() of the key this heap entry is: older ones are skipped when they come up. */
  readonly version: number;
}

/** A binary min-heap by dueAt. Entries of a rescheduled or cancelled key stay in it and are skipped when popped. */
class EntryHeap {
  private readonly items: Entry[] = [];

  get length(): number {
    return this.items.length;
  }

  peek(): Entry | undefined {
    return this.items[0];
  }

  push(entry: Entry): void {
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as Entry).dueAt <= entry.dueAt) break;
      items[i] = items[parent] as Entry;
      i = parent;
    }
    items[i] = entry;
  }

  pop(): Entry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && (items[right] as Entry).dueAt < (items[left] as Entry).dueAt ? right : left;
      if ((items[child] as Entry).dueAt >= last.dueAt) break;
      items[i] = items[child] as Entry;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

export const startTimers = (options: TimersOptions): Timers => {
  const { now, onDue, log } = options;
  const pollMs = options.pollMs ?? 1000;
  const retryMs = options.retryMs ?? 5000;
  const heap = new EntryHeap();
  /** The live schedule: key → its due time and version. */
  const due = new Map<string, { dueAt: number; version: number }>();
  const running = new Map<string, Promise<void>>();
  let version = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const isLive = (entry: Entry) => due.get(entry.key)?.version === entry.version;

  const arm = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (stopped) return;
    while (heap.length > 0 && !isLive(heap.peek() as Entry)) heap.pop();
    const next = heap.peek();
    if (!next) return;
    const wait = Math.max(0, Math.min(pollMs, next.dueAt - now().getTime()));
    timer = setTimeout(check, wait);
    // A pending timer does not keep the process alive: stopping is the owner's business.
    timer.unref();
  };

  const schedule = (key: string, dueAt: Date) => {
    version += 1;
    const entry = { key, dueAt: dueAt.getTime(), version };
    due.set(key, { dueAt: entry.dueAt, version });
    heap.push(entry);
    arm();
  };

  const fire = (key: string) => {
    const run = (async () => {
      try {
        await onDue(key);
      } catch (error) {
        log(`timers: ${key} failed, tried again in ${retryMs} ms: ${String(error)}`);
        // Unless it was rescheduled or cancelled meanwhile, the key is due again after a pause.
        if (!due.has(key) && !stopped) schedule(key, new Date(now().getTime() + retryMs));
      }
    })().finally(() => {
      running.delete(key);
      // A key that came due while it ran waited for this run to end: back in the heap now.
      const waiting = due.get(key);
      if (waiting) heap.push({ key, ...waiting });
      arm();
    });
    running.set(key, run);
  };

  function check() {
    timer = undefined;
    if (stopped) return;
    const at = now().getTime();
    for (;;) {
      const next = heap.peek();
      if (!next || next.dueAt > at) break;
      heap.pop();
      if (!isLive(next)) continue;
      // Left in `due`: pushed again when the running callback ends.
      if (running.has(next.key)) continue;
      due.delete(next.key);
      fire(next.key);
    }
    arm();
  }

  return {
    schedule,
    cancel: (key) => {
      due.delete(key);
      arm();
    },
    dueAt: (key) => {
      const entry = due.get(key);
      return entry === undefined ? undefined : new Date(entry.dueAt);
    },
    poke: () => {
      if (!stopped) check();
    },
    size: () => due.size,
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await Promise.allSettled([...running.values()]);
    },
  };
};
