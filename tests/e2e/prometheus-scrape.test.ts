import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cachedPrometheus,
  prometheusBuildLog,
  queryPrometheus,
  startPrometheus,
  streamProcessing,
  type PrometheusServer,
} from '@ccp/infra';
import { createProcessors } from '@ccp/stream-processors';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';
import { eventually } from '../support/query-platform.js';
import { selectorsOf } from '../support/promql-names.js';

/*
 * A real Prometheus (built from source into the cache by infra/prometheus; `npm test` builds it after its main
 * pass) scrapes the running platform's GET /metrics every second with the scrape token, and PromQL over its HTTP
 * API finds the series the traffic made. A second job with a wrong token shows the endpoint refusing it (up 0).
 * Every dashboard query is then evaluated by the same server: Grafana would send it as it is written.
 */

const TOKEN = 'prometheus-scrape-token-0123456789';
const binaries = cachedPrometheus();
if (!binaries) {
  console.log(
    `SKIPPED tests/e2e/prometheus-scrape.test.ts: Prometheus is not built in this machine's cache ` +
      `(npx tsx infra/prometheus/cli.ts prepare builds it, several minutes; npm test does so after its main pass; ` +
      `log: ${prometheusBuildLog()}).`,
  );
}

const scrapeConfig = (target: string): string => `
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ccp
    scrape_interval: 1s
    scrape_timeout: 900ms
    metrics_path: /metrics
    authorization:
      type: Bearer
      credentials_file: {{TOKEN_FILE}}
    static_configs:
      - targets: ['${target}']
  - job_name: ccp-wrong-token
    scrape_interval: 1s
    scrape_timeout: 900ms
    metrics_path: /metrics
    authorization:
      type: Bearer
      credentials: not-the-scrape-token
    static_configs:
      - targets: ['${target}']
`;

describe.skipIf(!binaries)('a real Prometheus scrapes the platform', () => {
  let platform: TestPlatform;
  let prometheus: PrometheusServer;
  const one = async (promql: string): Promise<number | undefined> => {
    const samples = await queryPrometheus(prometheus.url, promql);
    return samples.length === 1 ? samples[0]?.value : undefined;
  };

  beforeAll(async () => {
    platform = await startTestPlatform(undefined, {
      processing: streamProcessing(createProcessors()),
      env: { METRICS_TOKEN: TOKEN },
    });
    prometheus = await startPrometheus({
      binary: binaries?.prometheus,
      config: scrapeConfig(new URL(platform.url).host),
      token: TOKEN,
    });
    const root = apiClient(platform.url, await login(platform.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
    expect((await root.command('CreateTenant', { tenantId: 'scraped', name: 'Scraped' })).status).toBe(200);
    for (const departmentId of ['sales', 'support', 'billing']) {
      const created = await root.command('CreateDepartment', {
        tenantId: 'scraped',
        departmentId,
        name: departmentId,
      });
      expect(created.status).toBe(200);
    }
    expect((await root.command('CreateDepartment', { tenantId: 'scraped' })).status).toBe(400);
    expect((await root.request('GET', '/api/commands')).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await prometheus?.stop();
    await platform?.stop();
  });

  it('PromQL over the HTTP API returns the platform’s series', { timeout: 60_000 }, async () => {
    await eventually(async () => {
      expect(await one('up{job="ccp"}')).toBe(1);
      expect(
        await one('sum(ccp_commands_total{type="CreateDepartment", caller="api", outcome="accepted"})'),
      ).toBe(3);
      expect(await one('sum(ccp_commands_total{type="CreateDepartment", outcome="refused"})')).toBe(1);
      expect(await one('ccp_http_requests_total{method="GET", route="/api/commands", status="200"}')).toBe(1);
      expect(
        await one('sum(ccp_event_store_append_duration_seconds_count{outcome="ok"}) > 0'),
      ).toBeGreaterThan(0);
      expect(await one('ccp_processor_events_total{processor="audit-log"} > 0')).toBeGreaterThan(0);
      expect(await one('process_resident_memory_bytes{job="ccp"}')).toBeGreaterThan(10_000_000);
    }, 40_000);
  });

  it('a scrape with the wrong token fails: that target is down', async () => {
    await eventually(async () => {
      expect(await one('up{job="ccp-wrong-token"}')).toBe(0);
    }, 20_000);
    const targets = (await (await fetch(`${prometheus.url}/api/v1/targets`)).json()) as {
      data: { activeTargets: { labels: { job: string }; lastError: string }[] };
    };
    const refused = targets.data.activeTargets.find((t) => t.labels.job === 'ccp-wrong-token');
    expect(refused?.lastError).toMatch(/401/);
  });

  it('every dashboard query is valid PromQL that the server evaluates', async () => {
    const dashboards = ['platform-overview', 'voice-latency', 'pipeline-lag'].map(
      (name) =>
        JSON.parse(
          readFileSync(new URL(`../../infra/grafana/dashboards/${name}.json`, import.meta.url), 'utf8'),
        ) as { panels: { title: string; targets: { expr: string }[] }[] },
    );
    const failures: string[] = [];
    for (const dashboard of dashboards) {
      for (const panel of dashboard.panels) {
        for (const { expr } of panel.targets) {
          // Grafana's own variables, as Grafana would fill them in.
          const promql = expr.replaceAll('$__rate_interval', '1m').replaceAll('$processor', '.+');
          expect(selectorsOf(promql).length, panel.title).toBeGreaterThan(0);
          await queryPrometheus(prometheus.url, promql).catch((error: unknown) => {
            failures.push(`${panel.title}: ${error instanceof Error ? error.message : String(error)}`);
          });
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
