/**
 * The metric names and label matchers a PromQL expression reads, found well enough to check dashboards and rules
 * against what the platform exposes: string literals, ranges and grouping clauses are set aside, an identifier
 * followed by `(` is a function or an aggregation, and the rest are metric names.
 */

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

export interface Selector {
  readonly metric: string;
  /** Label names its matchers use. */
  readonly labels: readonly string[];
}

export const selectorsOf = (expr: string): Selector[] => {
  const strings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const selectors: Selector[] = [];
  const withoutMatchers = strings.replace(
    /([a-zA-Z_:][a-zA-Z0-9_:]*)?(\s*)\{([^}]*)\}/g,
    (_, metric: string | undefined, space: string, matchers: string) => {
      const labels = [...matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)].map(
        (m) => m[1] ?? '',
      );
      if (metric !== undefined && !KEYWORDS.has(metric)) selectors.push({ metric, labels });
      // A bare {…} selector names its metric in __name__, which dashboards here never do.
      return metric !== undefined && !KEYWORDS.has(metric) ? ' ' : `${metric ?? ''}${space}`;
    },
  );
  const bare = withoutMatchers
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  for (const match of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = match[0];
    const after = bare.slice((match.index ?? 0) + name.length).trimStart();
    const before = bare.slice(0, match.index ?? 0);
    // 1e3 and 0.95 are numbers, not names.
    if (/[0-9.]$/.test(before)) continue;
    if (KEYWORDS.has(name.toLowerCase()) || after.startsWith('(')) continue;
    selectors.push({ metric: name, labels: [] });
  }
  return selectors;
};
