import { Counter } from 'prom-client';
import type { MetricsRegistry } from './metrics.js';

/** What was delivered: a message to a contact, an integration's delivery, a scheduled report. */
export type DeliveryKind = 'message' | 'integration' | 'report';

/**
 * How a provider failed, as its answer tells: `auth` (401, 403), `rate-limit` (429), `server` (5xx), `client`
 * (another 4xx) or `unreachable` (no answer: a network error, a timeout).
 */
export type ProviderErrorKind = 'auth' | 'rate-limit' | 'server' | 'client' | 'unreachable';

/** The providers' ports whose errors are counted. */
export type ProviderErrorPort = 'llm' | 'stt' | 'tts' | 'telephony' | 'sms' | 'whatsapp' | 'email';

/** Provider errors counted elsewhere (the media gateway's process-wide counts), added at each scrape. */
export type ProviderErrorSource = () => Iterable<{
  readonly port: ProviderErrorPort;
  readonly provider: string;
  readonly kind: ProviderErrorKind;
  readonly count: number;
}>;

export interface DeliveryMetrics {
  /** One attempt to deliver, by what and through which channel (sms, email, webhook, a CRM's kind, …). */
  delivery(kind: DeliveryKind, channel: string, outcome: 'delivered' | 'failed'): void;
  /** A provider's request failed (whether or not a fallback or a retry saved the day). */
  providerError(port: ProviderErrorPort, provider: string, kind: ProviderErrorKind): void;
  /** Counts kept outside the registry, read at each scrape. */
  addProviderErrorSource(source: ProviderErrorSource): void;
}

const byRegistry = new WeakMap<MetricsRegistry, DeliveryMetrics>();

/**
 * Deliveries and provider errors, counted by every module that delivers or calls a provider (the media gateway's
 * messages, integrations and speech, the query API's reports) on one pair of metrics per registry: the first
 * caller registers them, later ones get the same. Labels are closed sets (kinds, channels, ports, the platform's
 * provider names), never a tenant, a contact or an address.
 */
export const deliveryMetrics = (registry: MetricsRegistry): DeliveryMetrics => {
  const known = byRegistry.get(registry);
  if (known !== undefined) return known;
  const direct = new Map<
    string,
    { port: ProviderErrorPort; provider: string; kind: ProviderErrorKind; count: number }
  >();
  const sources: ProviderErrorSource[] = [];
  const deliveries = new Counter({
    name: 'ccp_deliveries_total',
    help: 'Attempts to deliver, by kind (message, integration, report), channel (sms, whatsapp, email, webhook, a connection kind) and outcome (delivered, failed)',
    labelNames: ['kind', 'channel', 'outcome'],
    registers: [registry],
  });
  new Counter({
    name: 'ccp_provider_errors_total',
    help: 'Failed requests to providers, by port (llm, stt, tts, telephony, sms, whatsapp, email), provider and kind (auth, rate-limit, server, client, unreachable)',
    labelNames: ['port', 'provider', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { port, provider, kind, count } of direct.values())
        this.inc({ port, provider, kind }, count);
      for (const source of sources) {
        for (const { port, provider, kind, count } of source()) this.inc({ port, provider, kind }, count);
      }
    },
  });
  const metrics: DeliveryMetrics = {
    delivery: (kind, channel, outcome) => deliveries.inc({ kind, channel, outcome }),
    providerError: (port, provider, kind) => {
      const key = `${port}\u0000${provider}\u0000${kind}`;
      const entry = direct.get(key) ?? { port, provider, kind, count: 0 };
      entry.count += 1;
      direct.set(key, entry);
    },
    addProviderErrorSource: (source) => sources.push(source),
  };
  byRegistry.set(registry, metrics);
  return metrics;
};

/** The kind of a provider's failure from its HTTP status; none: it did not answer. */
export const providerErrorKindOf = (status: number | undefined): ProviderErrorKind =>
  status === undefined
    ? 'unreachable'
    : status === 401 || status === 403
      ? 'auth'
      : status === 429
        ? 'rate-limit'
        : status >= 500
          ? 'server'
          : 'client';
