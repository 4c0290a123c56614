/**
 * A reader of Prometheus's text exposition format (version 0.0.4), for the tests that check what GET /metrics
 * serves: prom-client writes it but has no parser. Strict: a line it cannot read throws, naming the line.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly samples: Sample[];
}

const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const unescape = (text: string, quotes: boolean): string =>
  text.replace(quotes ? /\\(["\\n])/g : /\\([\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

/** As Prometheus reads a value (Go's ParseFloat): NaN and Inf in any case (prom-client writes `Nan`). */
const parseValue = (text: string, line: string): number => {
  const special = text.toLowerCase();
  if (special === '+inf' || special === 'inf') return Infinity;
  if (special === '-inf') return -Infinity;
  if (special === 'nan') return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`not a number in: ${line}`);
  return value;
};

/** `name{a="x",b="y"} value [timestamp]` */
const parseSample = (line: string): Sample => {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  const nameEnd = brace >= 0 && (space < 0 || brace < space) ? brace : space;
  if (nameEnd <= 0) throw new Error(`no value in: ${line}`);
  const name = line.slice(0, nameEnd);
  if (!NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
  const labels: Record<string, string> = {};
  let at = nameEnd;
  if (line[at] === '{') {
    at += 1;
    while (line[at] !== '}') {
      const eq = line.indexOf('=', at);
      const label = line.slice(at, eq);
      if (eq < 0 || !LABEL_NAME.test(label) || line[eq + 1] !== '"') throw new Error(`bad label in: ${line}`);
      let end = eq + 2;
      while (end < line.length && line[end] !== '"') end += line[end] === '\\' ? 2 : 1;
      if (end >= line.length) throw new Error(`unterminated label value in: ${line}`);
      if (label in labels) throw new Error(`label ${label} twice in: ${line}`);
      labels[label] = unescape(line.slice(eq + 2, end), true);
      at = end + 1;
      if (line[at] === ',') at += 1;
      else if (line[at] !== '}') throw new Error(`bad label list in: ${line}`);
    }
    at += 1;
  }
  const [value, timestamp, ...rest] = line.slice(at).trim().split(/\s+/);
  if (value === undefined || rest.length > 0 || (timestamp !== undefined && !/^-?\d+$/.test(timestamp))) {
    throw new Error(`bad value in: ${line}`);
  }
  return { name, labels, value: parseValue(value, line) };
};

/** The family a sample belongs to: histogram and summary samples carry a suffix. */
const familyOf = (sample: string, families: ReadonlyMap<string, MetricFamily>): MetricFamily | undefined => {
  const direct = families.get(sample);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sample.endsWith(suffix)) continue;
    const family = families.get(sample.slice(0, -suffix.length));
    if (family && (family.type === 'histogram' || family.type === 'summary')) return family;
  }
  return undefined;
};

/** Every family with its HELP, TYPE and samples; a sample without a declared family is an error. */
export const parsePrometheusText = (text: string): Map<string, MetricFamily> => {
  const families = new Map<string, MetricFamily>();
  const declare = (name: string): MetricFamily => {
    const known = families.get(name);
    if (known) return known;
    const family: MetricFamily = { name, help: '', type: 'untyped', samples: [] };
    families.set(name, family);
    return family;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (comment) {
      const [, kind, name = '', rest = ''] = comment;
      if (!NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
      const family = declare(name);
      if (kind === 'HELP') families.set(name, { ...family, help: unescape(rest, false) });
      else if (TYPES.has(rest)) families.set(name, { ...family, type: rest as MetricFamily['type'] });
      else throw new Error(`bad type in: ${line}`);
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = parseSample(line);
    const family = familyOf(sample.name, families);
    if (!family) throw new Error(`sample of an undeclared metric: ${line}`);
    family.samples.push(sample);
  }
  return families;
};
