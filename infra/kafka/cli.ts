/**
 * npx tsx infra/kafka/cli.ts fetch            download the broker and the registry into the cache
 * npx tsx infra/kafka/cli.ts up [--no-registry] [--write-env FILE]
 *                                             start them and stay in the foreground until Ctrl-C
 *
 * `up` prints KAFKA_BROKERS=… and SCHEMA_REGISTRY_URL=… lines, so a shell or another script can
 * pick the addresses up; the ports are chosen fresh on every start.
 */
import { writeFile } from 'node:fs/promises';
import { cacheRoot, fetchLocalKafka, startLocalKafka } from './local-kafka.js';
import { runCli } from '../cli.js';

const usage = 'usage: tsx infra/kafka/cli.ts fetch | up [--no-registry] [--write-env FILE]';

const main = async (argv: readonly string[]): Promise<number> => {
  const [command, ...rest] = argv;
  if (command === 'fetch') {
    const started = Date.now();
    const artifacts = await fetchLocalKafka({ withRegistry: true });
    console.log(
      `Kafka ${artifacts.kafkaVersion} and Apicurio Registry ${artifacts.apicurioVersion} are in ${cacheRoot()} ` +
        `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    return 0;
  }
  if (command === 'up') {
    const withRegistry = !rest.includes('--no-registry');
    const writeEnvAt = rest.indexOf('--write-env');
    const writeEnv = writeEnvAt >= 0 ? rest[writeEnvAt + 1] : undefined;
    if (writeEnvAt >= 0 && !writeEnv) throw new Error(`--write-env needs a path\n${usage}`);

    const started = Date.now();
    const local = await startLocalKafka({ withRegistry });
    const lines = [
      `KAFKA_BROKERS=${local.brokers.join(',')}`,
      ...(local.registryUrl ? [`SCHEMA_REGISTRY_URL=${local.registryUrl}`] : []),
    ];
    if (writeEnv) await writeFile(writeEnv, `${lines.join('\n')}\n`);
    console.log(lines.join('\n'));
    console.log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s; Ctrl-C stops everything`);

    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(name, resolve);
      // The children are unref'd so a forgotten stop() cannot hang a test run; here we do want to
      // stay up, so hold the event loop open ourselves.
      setInterval(() => undefined, 60_000);
    });
    console.log(`${signal}: stopping`);
    await local.stop();
    return 0;
  }
  console.error(usage);
  return 2;
};

runCli(() => main(process.argv.slice(2)));
