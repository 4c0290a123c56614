import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Middleware } from 'koa';
import type { CheckpointStore } from '../application/checkpoints.js';
import type { CommandHandler } from '../application/command-handler.js';
import type { EventStore } from '../event-store/index.js';
import type { SubjectKeys } from '../event-store/personal-data.js';
import type { Auth } from '../identity/auth.js';
import type { IdentityStore } from '../identity/identity-store.js';
import type { OutboundGuard } from '../net/outbound-guard.js';
import type { MetricsRegistry } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import type { PlatformConfig } from './settings.js';

/** What every service plugged into the one-process platform gets. */
export interface PlatformContext {
  readonly config: PlatformConfig;
  readonly store: EventStore;
  /** The same log as stored, personal fields still encrypted: what the Kafka relay carries. */
  readonly rawStore: EventStore;
  /** Per-subject keys of personal data: erasing one makes that subject's personal fields unreadable. */
  readonly keys: SubjectKeys;
  readonly handler: CommandHandler;
  readonly auth: Auth;
  readonly identities: IdentityStore;
  readonly checkpoints: CheckpointStore;
  /** The only way to call a URL a tenant set (webhooks, identity providers, CRMs). */
  readonly outbound: OutboundGuard;
  /**
   * The platform's own metrics registry (served at GET /metrics): each module registers its metrics here, never
   * on prom-client's global registry, so two platforms in one process keep theirs apart.
   */
  readonly metrics: MetricsRegistry;
  /**
   * The platform's own tracing (spans exported by OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set): its tracer is
   * absent when off, and its current span is this platform's, never OpenTelemetry's global context.
   */
  readonly tracing: Tracing;
  readonly log: (message: string) => void;
}

/**
 * A service of the platform (query API, stream processors, media gateway, ...). Later services join the same
 * process by being listed in `startPlatform`'s modules; each may add HTTP routes on the shared server.
 */
export interface PlatformModule {
  readonly name: string;
  start(context: PlatformContext): Promise<RunningModule>;
}

export interface RunningModule {
  readonly http?: Middleware;
  /** Runs in front of every route, the command API's included (request logging, rate limits). */
  readonly front?: Middleware;
  /** Takes a WebSocket upgrade (e.g. Twilio Media Streams) and answers true, or leaves it to others. */
  readonly upgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
  /** Told the platform's address once the server listens (for callbacks that must name it). */
  readonly listening?: (url: string) => void;
  stop(): Promise<void>;
}
