import { resolve } from 'node:path';
import { z } from 'zod';
import type { EventStoreConfig } from '../../command-service/src/event-store/index.js';
import type { ReadStoreConfig } from '../../projections/src/read-store/index.js';

const Env = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DATA_DIR: z.string().default('.data'),
  EVENT_STORE: z.enum(['sqlite', 'eventstoredb']).default('sqlite'),
  EVENTSTORE_URL: z.string().optional(),
  SUPER_ADMIN_EMAIL: z.email().default('admin@customercare.local'),
  SUPER_ADMIN_PASSWORD: z.string().min(10).optional(),
  SEED_DEMO: z.enum(['true', 'false']).default('true'),
  CCP_MASTER_KEY: z.string().optional(),
  BUS: z.enum(['embedded', 'kafka']).default('embedded'),
  KAFKA_BROKERS: z.string().optional(),
  SCHEMA_REGISTRY_URL: z.url().optional(),
  READ_STORE: z.enum(['chdb', 'clickhouse']).default('chdb'),
  CLICKHOUSE_URL: z.url().optional(),
  CLICKHOUSE_USER: z.string().optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  STREAM_PROCESSING: z.enum(['true', 'false']).default('true'),
  OPENAI_API_KEY: z.string().min(1).optional(),
  LLM_BASE_URL: z.url().optional(),
  LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
});

export interface PlatformConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly eventStore: EventStoreConfig;
  readonly superAdmin: { readonly email: string; readonly password?: string };
  readonly seedDemo: boolean;
  /** Wraps the per-subject keys of personal data; generated into the data directory when unset. */
  readonly masterKey?: string;
  readonly bus:
    | { readonly kind: 'embedded' }
    | { readonly kind: 'kafka'; readonly brokers: string[]; readonly registryUrl: string };
  readonly readStore: ReadStoreConfig;
  /** Whether this process runs the stream processors (off for a command-only process of the scale profile). */
  readonly streamProcessing: boolean;
  /** An OpenAI-compatible LLM, when a key is set; the offline models are used otherwise. */
  readonly llm?: { readonly apiKey: string; readonly baseURL?: string; readonly model: string };
}

/** Reads the platform's settings from the environment; a bad value stops start-up with the variable named. */
export const configFromEnv = (env: NodeJS.ProcessEnv = process.env): PlatformConfig => {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid setting ${String(issue?.path[0])}: ${issue?.message}`);
  }
  const e = parsed.data;
  if (e.EVENT_STORE === 'eventstoredb' && !e.EVENTSTORE_URL) {
    throw new Error('EVENT_STORE=eventstoredb needs EVENTSTORE_URL (e.g. esdb://localhost:2113?tls=false)');
  }
  if (e.BUS === 'kafka' && (!e.KAFKA_BROKERS || !e.SCHEMA_REGISTRY_URL)) {
    throw new Error('BUS=kafka needs KAFKA_BROKERS (host:port,...) and SCHEMA_REGISTRY_URL');
  }
  if (e.READ_STORE === 'clickhouse' && !e.CLICKHOUSE_URL) {
    throw new Error('READ_STORE=clickhouse needs CLICKHOUSE_URL (e.g. http://localhost:8123)');
  }
  const dataDir = resolve(e.DATA_DIR);
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir,
    eventStore:
      e.EVENT_STORE === 'sqlite'
        ? { kind: 'sqlite', dataDir }
        : { kind: 'eventstoredb', url: e.EVENTSTORE_URL ?? '' },
    superAdmin: {
      email: e.SUPER_ADMIN_EMAIL,
      ...(e.SUPER_ADMIN_PASSWORD && { password: e.SUPER_ADMIN_PASSWORD }),
    },
    seedDemo: e.SEED_DEMO === 'true',
    ...(e.CCP_MASTER_KEY && { masterKey: e.CCP_MASTER_KEY }),
    bus:
      e.BUS === 'kafka'
        ? {
            kind: 'kafka',
            brokers: (e.KAFKA_BROKERS ?? '').split(','),
            registryUrl: e.SCHEMA_REGISTRY_URL ?? '',
          }
        : { kind: 'embedded' },
    readStore:
      e.READ_STORE === 'clickhouse'
        ? {
            kind: 'clickhouse',
            url: e.CLICKHOUSE_URL ?? '',
            ...(e.CLICKHOUSE_USER && { username: e.CLICKHOUSE_USER }),
            ...(e.CLICKHOUSE_PASSWORD && { password: e.CLICKHOUSE_PASSWORD }),
          }
        : { kind: 'chdb', dataDir },
    streamProcessing: e.STREAM_PROCESSING === 'true',
    ...(e.OPENAI_API_KEY && {
      llm: {
        apiKey: e.OPENAI_API_KEY,
        model: e.LLM_MODEL,
        ...(e.LLM_BASE_URL && { baseURL: e.LLM_BASE_URL }),
      },
    }),
  };
};
