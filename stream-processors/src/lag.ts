/**
 * Lag of a processor: from the moment an event was recorded (its occurredAt, stamped when the command was
 * decided, just before the append) to the moment its rows were written. Kept as a bounded window of samples.
 */
export interface LagFigures {
  readonly events: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The newest event handled, for "how far behind is it" at a glance. */
  readonly lastPosition: number;
}

export const createLagMeter = (window = 10_000) => {
  const samples: number[] = [];
  let events = 0;
  let lastPosition = 0;
  return {
    record: (occurredAt: string, position: number, now: number): void => {
      samples.push(Math.max(0, now - Date.parse(occurredAt)));
      if (samples.length > window) samples.shift();
      events += 1;
      lastPosition = Math.max(lastPosition, position);
    },
    figures: (): LagFigures => {
      const sorted = [...samples].sort((a, b) => a - b);
      const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
      return { events, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1] ?? 0, lastPosition };
    },
  };
};
