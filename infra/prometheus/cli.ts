/**
 * npx tsx infra/prometheus/cli.ts prepare     build Prometheus and promtool into the cache (once; minutes)
 * npx tsx infra/prometheus/cli.ts where       print the cached binaries' paths, or say they are not built
 *
 * The cache is `$CCP_PROMETHEUS_CACHE`, else `$XDG_CACHE_HOME/ccp-prometheus`, else `~/.cache/ccp-prometheus`;
 * Go's output goes to `build.log` there. `npm test` runs `prepare` after its main pass, with every core.
 */
import {
  cachedPrometheus,
  ensurePrometheus,
  PROMETHEUS_MODULE_VERSION,
  prometheusBuildLog,
} from './prometheus.js';
import { runCli } from '../cli.js';

const started = Date.now();
const say = (line: string): void => {
  console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
};

const main = async (command: string | undefined): Promise<number> => {
  if (command === 'prepare') {
    say(`Prometheus ${PROMETHEUS_MODULE_VERSION}`);
    const binaries = await ensurePrometheus({ log: say });
    say(`ready: ${binaries.prometheus}, ${binaries.promtool}`);
    return 0;
  }
  if (command === 'where') {
    const cached = cachedPrometheus();
    console.log(
      cached
        ? `${cached.prometheus}\n${cached.promtool}`
        : `not built (npx tsx infra/prometheus/cli.ts prepare; log: ${prometheusBuildLog()})`,
    );
    return cached ? 0 : 1;
  }
  console.error('usage: tsx infra/prometheus/cli.ts prepare | where');
  return 2;
};

runCli(() => main(process.argv[2]));
