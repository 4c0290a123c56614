import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenario } from '@ccp/media-gateway/simulator';
import { DEMO_NUMBER } from '@ccp/infra';
import { CALLER, content, DAY } from '../support/gateway-calls.js';
import { startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import { parsePrometheusText, type MetricFamily } from '../support/prometheus-text.js';
import { selectorsOf } from '../support/promql-names.js';

/*
 * The Grafana dashboards (infra/grafana/dashboards) and the alerting rules (infra/prometheus/rules.yml) against
 * what the platform exposes: every metric their PromQL reads is one GET /metrics serves (a histogram's
 * _bucket/_sum/_count included), and every label they match on is one that metric carries. The exposition is the
 * whole platform's after a call, so that labelled families have series to read their labels from.
 */

const root = new URL('../../infra/', import.meta.url);
const TOKEN = 'dashboards-token-0123456789';
/** Series Prometheus itself adds for every target. */
const PROMETHEUS_OWN = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);
const TARGET_LABELS = new Set(['job', 'instance']);
/** Exposed on the Kafka profile only (tests/e2e/kafka-observability.test.ts reads it there). */
const KAFKA_ONLY = new Set(['ccp_kafka_relay_lag_events']);

interface Panel {
  readonly title?: string;
  readonly datasource?: { readonly uid?: string };
  readonly targets?: readonly { readonly expr?: string }[];
  readonly panels?: readonly Panel[];
}
interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly { readonly name: string; readonly definition?: string }[] };
}

const dashboards: [string, Dashboard][] = readdirSync(new URL('grafana/dashboards/', root))
  .filter((file) => file.endsWith('.json'))
  .map((file) => [
    file,
    JSON.parse(readFileSync(new URL(`grafana/dashboards/${file}`, root), 'utf8')) as Dashboard,
  ]);
const allPanels = (panels: readonly Panel[]): Panel[] =>
  panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
const ruleExpressions = readFileSync(new URL('prometheus/rules.yml', root), 'utf8')
  .split('\n')
  .flatMap((line) => /^\s+expr: (.+)$/.exec(line)?.[1] ?? []);

let env: GatewayPlatform;
let families: Map<string, MetricFamily>;

beforeAll(async () => {
  env = await startGatewayPlatform({ now: () => DAY, readSide: true, env: { METRICS_TOKEN: TOKEN } });
  const call = await env.call({
    voicePath: '/twilio/voice?mode=stream',
    from: CALLER,
    to: DEMO_NUMBER,
    caller: scenario('faq', content).caller,
    media: { realtime: false, endSilenceMs: 600 },
  });
  expect(call.errors).toEqual([]);
  const response = await fetch(`${env.test.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  families = parsePrometheusText(await response.text());
}, 120_000);
afterAll(() => env?.stop());

/** Problems with one expression: unknown metrics, labels the metric does not carry. */
const problemsOf = (where: string, expr: string): string[] =>
  selectorsOf(expr).flatMap(({ metric, labels }) => {
    if (PROMETHEUS_OWN.has(metric) || KAFKA_ONLY.has(metric)) return [];
    const family =
      families.get(metric) ??
      [...families.values()].find(
        (f) => f.type === 'histogram' && ['_bucket', '_sum', '_count'].some((s) => metric === f.name + s),
      );
    if (!family) return [`${where}: ${metric} is not exposed (${expr})`];
    const known = new Set([...TARGET_LABELS, ...family.samples.flatMap((s) => Object.keys(s.labels))]);
    if (family.samples.length === 0) return [];
    return labels.filter((l) => !known.has(l)).map((l) => `${where}: ${metric} has no label ${l} (${expr})`);
  });

describe('dashboards and alerting rules read only what the platform exposes', () => {
  it('finds the metrics in expressions (the checker itself)', () => {
    expect(
      selectorsOf(
        'histogram_quantile(0.95, sum by (le, route) (rate(a_seconds_bucket{route=~"/x/.*"}[5m])))',
      ),
    ).toEqual([{ metric: 'a_seconds_bucket', labels: ['route'] }]);
    expect(
      selectorsOf('sum(rate(b_total[$__rate_interval])) / 2 > 0.2 and on () c == 0').map((s) => s.metric),
    ).toEqual(['b_total', 'c']);
    expect(families.size).toBeGreaterThan(30);
  });

  it('three dashboards, each with its own uid, every panel on the provisioned data source', () => {
    const datasource = readFileSync(new URL('grafana/provisioning/datasources/prometheus.yml', root), 'utf8');
    const uid = /^\s+uid: (\S+)$/m.exec(datasource)?.[1];
    expect(uid).toBe('ccp-prometheus');
    expect(dashboards.map(([file]) => file).sort()).toEqual([
      'pipeline-lag.json',
      'platform-overview.json',
      'voice-latency.json',
    ]);
    expect(new Set(dashboards.map(([, d]) => d.uid)).size).toBe(dashboards.length);
    for (const [file, dashboard] of dashboards) {
      const panels = allPanels(dashboard.panels);
      expect(panels.length, file).toBeGreaterThan(4);
      for (const panel of panels) {
        expect(panel.datasource?.uid, `${file}: ${panel.title}`).toBe(uid);
        expect(panel.targets?.length, `${file}: ${panel.title}`).toBeGreaterThan(0);
      }
    }
  });

  it('every panel query and template variable names exposed metrics and their labels', () => {
    const problems: string[] = [];
    for (const [file, dashboard] of dashboards) {
      for (const panel of allPanels(dashboard.panels)) {
        for (const target of panel.targets ?? []) {
          problems.push(...problemsOf(`${file} "${panel.title}"`, target.expr ?? ''));
        }
      }
      for (const variable of dashboard.templating.list) {
        const [, metric = '', label = ''] =
          /^label_values\((\w+),\s*(\w+)\)$/.exec(variable.definition ?? '') ?? [];
        problems.push(...problemsOf(`${file} $${variable.name}`, `${metric}{${label}=""}`));
      }
    }
    expect(problems).toEqual([]);
  });

  it('every alerting rule names exposed metrics and their labels', () => {
    expect(ruleExpressions.length).toBe(8);
    expect(ruleExpressions.flatMap((expr) => problemsOf('rules.yml', expr))).toEqual([]);
  });
});
