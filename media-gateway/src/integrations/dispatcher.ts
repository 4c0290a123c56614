import { setTimeout as sleep } from 'node:timers/promises';
import { SpanKind, trace } from '@opentelemetry/api';
import {
  MAX_DELIVERY_ATTEMPTS,
  SYSTEM_ACTOR,
  parseStreamName,
  type ConnectionKind,
  type DeliveryAction,
  type DeliverySource,
  type EventEnvelope,
} from '@ccp/schemas';
import {
  CommandRejected,
  isPassingRefusal,
  type CheckpointStore,
  type CommandHandler,
  type DeliveryMetrics,
  type EventStore,
  type IntegrationsSettings,
  type Tracing,
} from '@ccp/command-service';
import { followLog, type LogFollower } from '../process-manager/follow-log.js';
import type { LiveConnections } from './live-connections.js';
import { resultOfError } from './http-result.js';
import type { AttemptResult, DeliveryContent, IntegrationTarget } from './port.js';
import type { PlannerDispatch } from './planner.js';
import { readDelivery, retryDelayMs, type DeliveryFacts } from './delivery-facts.js';

interface Pending {
  readonly tenantId: string;
  readonly deliveryId: string;
  connectionId: string | undefined;
  due: number;
  /**
   * What the planner handed over in this process with the schedule it just stored: the first attempt needs
   * no read of the delivery's stream. Dropped after an attempt; a retry or replay reads the stream.
   */
  handed?: DeliveryFacts;
}

export interface DispatcherStats {
  readonly attempts: number;
  readonly delivered: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly pending: number;
  readonly inFlight: number;
}

export interface Dispatcher extends PlannerDispatch {
  /** Looks at the clock now (tests that moved it). */
  poke(): void;
  /** Resolves once the log is folded to its end and nothing due now is left or in flight. */
  settled(): Promise<void>;
  stats(): DispatcherStats;
  stop(): Promise<void>;
}

export interface DispatcherOptions {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly handler: Pick<CommandHandler, 'handleTrusted'>;
  readonly connections: LiveConnections;
  readonly targets: ReadonlyMap<ConnectionKind, IntegrationTarget>;
  readonly settings: Pick<
    IntegrationsSettings,
    'attemptTimeoutMs' | 'concurrency' | 'perConnectionConcurrency' | 'retryBaseMs'
  >;
  readonly render: (action: DeliveryAction, source: DeliverySource) => Promise<DeliveryContent | undefined>;
  readonly now: () => Date;
  /** The longest wait between two looks at the clock (tests on a moved clock make it short). */
  readonly pollMs?: number;
  /** Attempts (and reads) one tenant may have running at once; half the global concurrency by default. */
  readonly perTenantConcurrency?: number;
  readonly random?: () => number;
  readonly log: (message: string) => void;
  /** Where each attempt is counted by connection kind (the platform's metrics); none: only in stats(). */
  readonly metrics?: DeliveryMetrics;
  /**
   * The platform's tracing: each attempt is a `deliver {kind}` span of its own trace, holding the request it makes
   * (the outbound guard's client span, whose traceparent the receiver gets) and the commands recording it.
   */
  readonly tracing?: Tracing;
}

/**
 * Makes the deliveries (checkpoint `integrations-dispatcher`): folds delivery events into what is pending,
 * attempts each when due within the global and per-connection limits, and records every attempt. After a
 * restart what was pending is attempted again with the same delivery id (at least once, recognisable).
 */
export const startDispatcher = async (options: DispatcherOptions): Promise<Dispatcher> => {
  const { store, handler, connections, targets, settings, now, log } = options;
  const pollMs = options.pollMs ?? 60_000;
  const pending = new Map<string, Pending>();
  const inFlight = new Set<string>();
  // Keyed by tenant and connection: connection ids are the tenants' choice, the same in many tenants.
  const perConnection = new Map<string, number>();
  const perTenant = new Map<string, number>();
  const tenantLimit = Math.max(1, options.perTenantConcurrency ?? Math.floor(settings.concurrency / 2));
  const resolving = new Set<string>();
  const counts = { attempts: 0, delivered: 0, failed: 0, cancelled: 0 };
  let ready = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pumpQueued = false;
  const stopping = new AbortController();
  const running = new Set<Promise<void>>();
  let idleWaiters: (() => void)[] = [];

  const keyOf = (tenantId: string, deliveryId: string) => `${tenantId}.${deliveryId}`;
  const connectionKeyOf = (tenantId: string, connectionId: string) => `${tenantId}\u0000${connectionId}`;
  const take = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const give = (counts: Map<string, number>, key: string) => {
    const left = (counts.get(key) ?? 1) - 1;
    if (left > 0) counts.set(key, left);
    else counts.delete(key);
  };
  const track = (task: Promise<void>) => {
    running.add(task);
    void task.finally(() => running.delete(task));
  };
  const streamOf = (tenantId: string, deliveryId: string) => `delivery-${tenantId}.${deliveryId}`;

  const apply = (event: EventEnvelope): void => {
    const parts = parseStreamName(event.streamId);
    if (!parts) return;
    const key = keyOf(parts.tenantId, parts.id);
    const data = event.data as Record<string, unknown>;
    const entry = pending.get(key);
    switch (event.type) {
      case 'DeliveryScheduled':
        if (!entry)
          pending.set(key, {
            tenantId: parts.tenantId,
            deliveryId: parts.id,
            connectionId: String(data['connectionId']),
            due: Date.parse(String(data['dueAt'])),
          });
        break;
      case 'DeliveryAttemptFailed':
        if (typeof data['retryAt'] === 'string') {
          const due = Date.parse(data['retryAt']);
          if (entry) entry.due = Math.max(entry.due, due);
          else
            pending.set(key, {
              tenantId: parts.tenantId,
              deliveryId: parts.id,
              connectionId: undefined,
              due,
            });
        }
        break;
      case 'DeliveryReplayRequested':
        pending.set(key, {
          tenantId: parts.tenantId,
          deliveryId: parts.id,
          connectionId: entry?.connectionId,
          due: Date.parse(event.occurredAt),
        });
        break;
      case 'DeliverySucceeded':
      case 'DeliveryDeadLettered':
      case 'DeliveryCancelled':
        if (!inFlight.has(key)) pending.delete(key);
        break;
    }
    queuePump();
  };

  const pause = (ms: number) => sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);

  /** A platform command, tried until it is stored or finally refused: a conflict or an outage passes. */
  const send = async (type: string, data: Record<string, unknown>): Promise<boolean> => {
    for (let attempt = 1; !stopped; attempt += 1) {
      try {
        await handler.handleTrusted(type, data, { actor: SYSTEM_ACTOR });
        return true;
      } catch (error) {
        if (error instanceof CommandRejected && !isPassingRefusal(error)) {
          // The code only: the message may quote the provider's answer, which can hold personal data.
          log(`integrations: ${type} ${String(data['deliveryId'])} refused (${error.code})`);
          return false;
        }
        if ((attempt & (attempt - 1)) === 0)
          log(
            `integrations: ${type} ${String(data['deliveryId'])} failed (attempt ${attempt}): ${String(error)}`,
          );
        await pause(Math.min(5_000, 100 * 2 ** (attempt - 1)));
      }
    }
    return false;
  };

  /** `answered` frees the connection's slot: the limit is on requests open at the endpoint, not on recording. */
  const attemptOnce = async (entry: Pending, facts: DeliveryFacts, answered: () => void): Promise<void> => {
    const { tenantId, deliveryId } = entry;
    await connections.catchUp();
    const connection = connections.view.connection(tenantId, facts.connectionId);
    if (!connection || !connection.enabled) {
      // Disabled or removed meanwhile: the planner cancels too; whoever is first, once.
      await send('CancelDelivery', {
        tenantId,
        deliveryId,
        reason: connection ? 'connection_disabled' : 'connection_removed',
      });
      counts.cancelled += 1;
      pending.delete(keyOf(tenantId, deliveryId));
      return;
    }
    const attempt = facts.attempts + 1;
    const at = now();
    const started = performance.now();
    // Stopping the platform ends a hanging attempt too: it is made again after the restart.
    const signal = AbortSignal.any([AbortSignal.timeout(settings.attemptTimeoutMs), stopping.signal]);
    const target = targets.get(facts.kind);
    const secrets = connections.view.secretsOf(connection);
    let result: AttemptResult;
    if (!target) result = { ok: false, errorKind: 'client_error', error: 'no target', retryable: false };
    else if (!secrets)
      result = {
        ok: false,
        errorKind: 'secrets_unavailable',
        error: 'secrets unavailable',
        retryable: false,
      };
    else {
      const content = await options.render(facts.action, facts.source);
      const previous = connections.view.previousSecretsOf(connection, at);
      result = content
        ? await target
            .deliver({
              deliveryId,
              attempt,
              connection,
              secrets,
              ...(previous && { previousSecrets: previous }),
              action: facts.action,
              source: facts.source,
              content,
              signal,
              now: at,
            })
            .catch((error: unknown) => resultOfError(error, signal))
        : { ok: false, errorKind: 'client_error', error: 'the source event is gone', retryable: false };
    }
    const latencyMs = Math.round(performance.now() - started);
    answered();
    counts.attempts += 1;
    const key = keyOf(tenantId, deliveryId);
    const code = result.statusCode !== undefined ? { statusCode: result.statusCode } : {};
    if (result.ok) {
      await send('RecordDeliveryAttempt', {
        tenantId,
        deliveryId,
        attempt,
        outcome: 'delivered',
        latencyMs,
        ...code,
        ...(result.externalId !== undefined && { externalId: result.externalId }),
      });
      counts.delivered += 1;
      options.metrics?.delivery('integration', facts.kind, 'delivered');
      pending.delete(key);
      return;
    }
    counts.failed += 1;
    options.metrics?.delivery('integration', facts.kind, 'failed');
    const last = !result.retryable || facts.sinceReplay + 1 >= MAX_DELIVERY_ATTEMPTS;
    const retryAt = last
      ? undefined
      : new Date(
          now().getTime() +
            retryDelayMs(settings.retryBaseMs, facts.sinceReplay + 1, result.retryAfterMs, options.random),
        );
    await send('RecordDeliveryAttempt', {
      tenantId,
      deliveryId,
      attempt,
      outcome: 'failed',
      latencyMs,
      errorKind: result.errorKind,
      error: result.error.slice(0, 500),
      ...code,
      ...(retryAt && { retryAt: retryAt.toISOString() }),
    });
    if (retryAt) entry.due = retryAt.getTime();
    else pending.delete(key);
  };

  const tracedAttempt = (entry: Pending, facts: DeliveryFacts, answered: () => void): Promise<void> => {
    const tracing = options.tracing;
    if (tracing?.tracer === undefined) return attemptOnce(entry, facts, answered);
    const span = tracing.tracer.startSpan(`deliver ${facts.kind}`, {
      kind: SpanKind.INTERNAL,
      attributes: {
        'ccp.delivery.id': entry.deliveryId,
        'ccp.delivery.attempt': facts.attempts + 1,
        'ccp.connection.kind': facts.kind,
      },
      // A trace of its own, as a reaction's command: the event that caused it was appended long before.
      root: true,
    });
    return tracing
      .within(trace.setSpan(tracing.current(), span), () => attemptOnce(entry, facts, answered))
      .finally(() => span.end());
  };

  const run = (entry: Pending, connectionId: string): void => {
    const key = keyOf(entry.tenantId, entry.deliveryId);
    const connectionKey = connectionKeyOf(entry.tenantId, connectionId);
    inFlight.add(key);
    take(perConnection, connectionKey);
    take(perTenant, entry.tenantId);
    const handed = entry.handed;
    delete entry.handed;
    let holdsConnection = true;
    const answered = () => {
      if (!holdsConnection) return;
      holdsConnection = false;
      give(perConnection, connectionKey);
      queuePump();
    };
    track(
      (async () => {
        try {
          const facts = handed ?? (await readDelivery(store, streamOf(entry.tenantId, entry.deliveryId)));
          if (!facts || facts.status !== 'pending') pending.delete(key);
          else if (facts.due > now().getTime()) entry.due = facts.due;
          else await tracedAttempt(entry, facts, answered);
        } catch (error) {
          log(`integrations: delivery ${entry.deliveryId} failed unexpectedly: ${String(error)}`);
          entry.due = now().getTime() + 1_000;
        } finally {
          inFlight.delete(key);
          answered();
          give(perTenant, entry.tenantId);
          queuePump();
        }
      })(),
    );
  };

  /**
   * A delivery known only from a retry or replay event: its connection is in its stream, read before it counts
   * against a connection. The read counts against the limits too, and stop() waits for it.
   */
  const resolve = (entry: Pending): void => {
    const key = keyOf(entry.tenantId, entry.deliveryId);
    resolving.add(key);
    take(perTenant, entry.tenantId);
    track(
      (async () => {
        try {
          const facts = await readDelivery(store, streamOf(entry.tenantId, entry.deliveryId));
          if (!facts || facts.status !== 'pending') pending.delete(key);
          else entry.connectionId = facts.connectionId;
        } catch (error) {
          if (stopped) return;
          log(`integrations: reading ${entry.deliveryId} failed: ${String(error)}`);
          // A read that keeps failing is tried again a second later, not in a loop.
          entry.due = now().getTime() + 1_000;
        } finally {
          resolving.delete(key);
          give(perTenant, entry.tenantId);
          queuePump();
        }
      })(),
    );
  };

  const pump = (): void => {
    pumpQueued = false;
    if (!ready || stopped) return;
    const at = now().getTime();
    let next = Number.POSITIVE_INFINITY;
    for (const [key, entry] of pending) {
      if (inFlight.size + resolving.size >= settings.concurrency) break;
      if (inFlight.has(key) || resolving.has(key)) continue;
      if (entry.due > at) {
        next = Math.min(next, entry.due);
        continue;
      }
      // One tenant's hanging connections leave the other slots to the other tenants.
      if ((perTenant.get(entry.tenantId) ?? 0) >= tenantLimit) continue;
      if (entry.connectionId === undefined) {
        resolve(entry);
        continue;
      }
      const connectionKey = connectionKeyOf(entry.tenantId, entry.connectionId);
      if ((perConnection.get(connectionKey) ?? 0) >= settings.perConnectionConcurrency) continue;
      run(entry, entry.connectionId);
    }
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (Number.isFinite(next)) {
      timer = setTimeout(queuePump, Math.max(0, Math.min(next - at, pollMs)));
      timer.unref();
    }
    if (inFlight.size === 0 && resolving.size === 0 && !hasDue()) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  const hasDue = (): boolean => {
    const at = now().getTime();
    for (const entry of pending.values()) if (entry.due <= at) return true;
    return false;
  };

  function queuePump(): void {
    if (pumpQueued || stopped) return;
    pumpQueued = true;
    setImmediate(pump);
  }

  const follower: LogFollower = await followLog({
    store,
    checkpoints: options.checkpoints,
    checkpointName: 'integrations-dispatcher',
    firstStart: 'log-start',
    name: 'integrations dispatcher',
    folds: (streamId) => streamId.startsWith('delivery-'),
    apply,
    reactsTo: () => false,
    react: async () => undefined,
    ready: () => {
      ready = true;
      queuePump();
    },
    log,
  });

  return {
    enqueue: ({ tenantId, deliveryId, connectionId, due, scheduled }) => {
      const key = keyOf(tenantId, deliveryId);
      if (!pending.has(key))
        pending.set(key, {
          tenantId,
          deliveryId,
          connectionId,
          due: due.getTime(),
          // Just stored by the planner, in this process: nothing else can have happened to it yet.
          ...(scheduled && {
            handed: {
              status: 'pending',
              connectionId,
              ...scheduled,
              attempts: 0,
              sinceReplay: 0,
              due: due.getTime(),
            },
          }),
        });
      queuePump();
    },
    cancelConnection: async (tenantId, connectionId, reason) => {
      // Every delivery scheduled before the disabling event is folded by now.
      await follower.caughtUp();
      const ids = [...pending.values()].filter(
        (e) => e.tenantId === tenantId && (e.connectionId === connectionId || e.connectionId === undefined),
      );
      for (const entry of ids) {
        if (entry.connectionId === undefined) {
          const facts = await readDelivery(store, streamOf(tenantId, entry.deliveryId));
          if (facts?.connectionId !== connectionId) continue;
        }
        if (await send('CancelDelivery', { tenantId, deliveryId: entry.deliveryId, reason })) {
          counts.cancelled += 1;
          const key = keyOf(tenantId, entry.deliveryId);
          if (!inFlight.has(key)) pending.delete(key);
        }
      }
    },
    poke: queuePump,
    settled: async () => {
      await follower.caughtUp();
      await new Promise<void>((done) => {
        idleWaiters.push(done);
        queuePump();
      });
    },
    stats: () => ({ ...counts, pending: pending.size, inFlight: inFlight.size }),
    stop: async () => {
      stopped = true;
      stopping.abort();
      if (timer) clearTimeout(timer);
      await follower.stop();
      await Promise.allSettled([...running]);
      for (const w of idleWaiters) w();
      idleWaiters = [];
    },
  };
};
