import { statfs } from 'node:fs/promises';
import { PLATFORM_TENANT, type AlertKind } from '@ccp/schemas';
import type { MetricsRegistry } from '@ccp/command-service';
import type { ReadStore } from '@ccp/projections';
import { usageAgainstCaps } from '@ccp/query-api';

/** Where the evaluator reads each figure: what the platform already measures, nothing measured twice. */
export interface SignalSources {
  readonly metrics: MetricsRegistry;
  /** The data directory: its disk is the one that fills. */
  readonly dataDir: string;
  /** The stream processors' lag (absent without stream processing). */
  readonly processors?: () => Readonly<Record<string, { readonly p99Ms: number }>>;
  /** Each remote provider's last failure, as the media gateway records it. */
  readonly providerFailures?: () => readonly { readonly recovered: boolean }[];
  /** The read store (absent without stream processing): SLA breaches and usage against caps. */
  readonly readStore?: () => ReadStore;
  readonly now: () => Date;
}

/** The figures one evaluation needs: `figure(kind, tenantId)` is undefined when nothing measures it now. */
export type Figures = (kind: AlertKind, tenantId: string) => number | undefined;

const SLA_WINDOW_MS = 15 * 60_000;
const MB = 1024 * 1024;

interface HttpCounts {
  readonly total: number;
  readonly errors: number;
}

const httpCounts = async (metrics: MetricsRegistry): Promise<HttpCounts | undefined> => {
  const counter = metrics.getSingleMetric('ccp_http_requests_total');
  if (counter === undefined) return undefined;
  const { values } = await counter.get();
  let total = 0;
  let errors = 0;
  for (const { labels, value } of values) {
    total += value;
    if (Number(labels['status']) >= 500) errors += value;
  }
  return { total, errors };
};

/**
 * Reads the figures the rules ask for, once per evaluation. The error rate is the share of server errors among
 * the HTTP answers since the previous evaluation (the counters' difference), so one bad minute an hour ago does
 * not weigh on it for ever; with no request in between it is 0.
 */
export const createSignals = (sources: SignalSources) => {
  let previous: HttpCounts | undefined;

  const errorRate = async (): Promise<number | undefined> => {
    const counts = await httpCounts(sources.metrics);
    if (counts === undefined) return undefined;
    const before = previous ?? { total: 0, errors: 0 };
    previous = counts;
    const total = counts.total - before.total;
    return total <= 0 ? 0 : (100 * (counts.errors - before.errors)) / total;
  };

  const freeMegabytes = async (): Promise<number> => {
    const disk = await statfs(sources.dataDir);
    return (disk.bavail * disk.bsize) / MB;
  };

  const slaBreaches = async (store: ReadStore): Promise<Map<string, number>> => {
    const rows = await store.query<{ tenant_id: string; breached: string | number }>(
      `SELECT tenant_id, count() AS breached FROM call_sla FINAL
        WHERE started_at >= {since:DateTime64(3, 'UTC')} AND notEmpty(breaches) GROUP BY tenant_id`,
      { since: new Date(sources.now().getTime() - SLA_WINDOW_MS) },
    );
    return new Map(rows.map((r) => [String(r.tenant_id), Number(r.breached)]));
  };

  const capsUsed = async (store: ReadStore): Promise<Map<string, number>> => {
    const { tenants } = await usageAgainstCaps(store, sources.now());
    return new Map(tenants.flatMap((t) => (t.capUsed === null ? [] : [[t.tenantId, 100 * t.capUsed]])));
  };

  /** Per tenant, and for the platform the total (breaches) or the highest (caps) over every tenant. */
  const byTenant =
    (values: Map<string, number>, platform: (all: number[]) => number) =>
    (tenantId: string): number =>
      tenantId === PLATFORM_TENANT ? platform([...values.values()]) : (values.get(tenantId) ?? 0);

  return {
    /** Reads what the kinds asked for need; a source that fails leaves its figures unknown this time. */
    read: async (kinds: ReadonlySet<AlertKind>, log: (message: string) => void): Promise<Figures> => {
      const known = new Map<AlertKind, (tenantId: string) => number | undefined>();
      const attempt = async (
        kind: AlertKind,
        read: () => Promise<(tenantId: string) => number | undefined>,
      ) => {
        if (!kinds.has(kind)) return;
        try {
          known.set(kind, await read());
        } catch (error) {
          log(`alerts: cannot read ${kind}: ${error instanceof Error ? error.message : String(error)}`);
        }
      };
      await attempt('error_rate', async () => {
        const rate = await errorRate();
        return () => rate;
      });
      await attempt('disk_space', async () => {
        const free = await freeMegabytes();
        return () => free;
      });
      await attempt('processor_lag', () => {
        const lag = sources.processors?.();
        const seconds =
          lag === undefined ? undefined : Math.max(0, ...Object.values(lag).map((l) => l.p99Ms / 1000));
        return Promise.resolve(() => seconds);
      });
      await attempt('provider_failures', () => {
        const failing = sources.providerFailures?.().filter((f) => !f.recovered).length;
        return Promise.resolve(() => failing);
      });
      const store = sources.readStore?.();
      if (store !== undefined) {
        await attempt('sla_breach_burst', async () =>
          byTenant(await slaBreaches(store), (all) => all.reduce((a, b) => a + b, 0)),
        );
        await attempt('usage_cap', async () => byTenant(await capsUsed(store), (all) => Math.max(0, ...all)));
      }
      return (kind, tenantId) => known.get(kind)?.(tenantId);
    },
  };
};
export type Signals = ReturnType<typeof createSignals>;
