import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cachedPrometheus, prometheusBuildLog } from '@ccp/infra';

/*
 * promtool (built with Prometheus into the cache by infra/prometheus) on the files the compose file mounts: the
 * alerting rules are valid and behave as their unit tests say (each alert fires on the series that should fire
 * it, once its `for` has passed, and not on healthy ones), and the scrape configuration parses.
 */

const binaries = cachedPrometheus();
if (!binaries) {
  console.log(
    `SKIPPED tests/e2e/prometheus-rules.test.ts: promtool is not built in this machine's cache ` +
      `(npx tsx infra/prometheus/cli.ts prepare; npm test builds it after its main pass; log: ${prometheusBuildLog()}).`,
  );
}
const file = (name: string) => fileURLToPath(new URL(`../../infra/prometheus/${name}`, import.meta.url));
const promtool = (args: readonly string[]) => {
  const result = spawnSync(binaries?.promtool ?? 'promtool', args, { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

describe.skipIf(!binaries)('promtool on infra/prometheus', () => {
  it('accepts rules.yml: five rules', () => {
    const checked = promtool(['check', 'rules', file('rules.yml')]);
    expect(checked.output).toMatch(/SUCCESS: 8 rules found/);
    expect(checked.status).toBe(0);
  });

  it('the alerts fire on the series that should fire them, and only there (rules-test.yml)', () => {
    const tested = promtool(['test', 'rules', file('rules-test.yml')]);
    expect(tested.output).toMatch(/SUCCESS/);
    expect(tested.status).toBe(0);
  });

  it('accepts prometheus.yml (syntax: its files exist only in the container)', () => {
    const checked = promtool(['check', 'config', '--syntax-only', file('prometheus.yml')]);
    expect(checked.output).toMatch(/SUCCESS/);
    expect(checked.status).toBe(0);
  });
});
