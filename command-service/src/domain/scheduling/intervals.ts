/** A half-open interval [from, until) in epoch milliseconds. */
export interface Interval {
  readonly from: number;
  readonly until: number;
}

export const MINUTE = 60_000;

export const overlaps = (a: Interval, b: Interval): boolean => a.from < b.until && b.from < a.until;

/** Sorted by start, overlapping or touching intervals merged, empty ones dropped. */
export const normalize = (intervals: readonly Interval[]): Interval[] => {
  const sorted = intervals.filter((i) => i.from < i.until).sort((a, b) => a.from - b.from);
  const merged: Interval[] = [];
  for (const next of sorted) {
    const last = merged[merged.length - 1];
    if (last && next.from <= last.until) {
      if (next.until > last.until) merged[merged.length - 1] = { from: last.from, until: next.until };
    } else {
      merged.push(next);
    }
  }
  return merged;
};

/** `from` minus `cut`, both normalized; the result is normalized. */
export const subtract = (from: readonly Interval[], cut: readonly Interval[]): Interval[] => {
  const result: Interval[] = [];
  let j = 0;
  for (const interval of from) {
    let start = interval.from;
    while (j < cut.length && cut[j]!.until <= start) j += 1;
    let k = j;
    while (k < cut.length && cut[k]!.from < interval.until) {
      if (cut[k]!.from > start) result.push({ from: start, until: cut[k]!.from });
      start = Math.max(start, cut[k]!.until);
      k += 1;
    }
    if (start < interval.until) result.push({ from: start, until: interval.until });
  }
  return result;
};

/** Index of the first interval of a normalized list that ends after `t` (the list's length when none does). */
export const firstEndingAfter = (sorted: readonly Interval[], t: number): number => {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]!.until > t) high = mid;
    else low = mid + 1;
  }
  return low;
};

/** The first interval of a normalized list that overlaps [from, until) (binary search), if any. */
export const firstOverlapping = (
  sorted: readonly Interval[],
  from: number,
  until: number,
): Interval | undefined => {
  const i = firstEndingAfter(sorted, from);
  return i < sorted.length && sorted[i]!.from < until ? sorted[i] : undefined;
};

/** Whether `interval` overlaps any interval of a normalized list. */
export const overlapsAny = (sorted: readonly Interval[], interval: Interval): boolean =>
  firstOverlapping(sorted, interval.from, interval.until) !== undefined;

/** Whether `interval` lies wholly inside one interval of a normalized list. */
export const insideOne = (sorted: readonly Interval[], interval: Interval): boolean => {
  const i = firstEndingAfter(sorted, interval.from);
  return i < sorted.length && sorted[i]!.from <= interval.from && sorted[i]!.until >= interval.until;
};
