import { setTimeout as sleep } from 'node:timers/promises';
import { decodeEvent, parseStreamName, type MeterItem } from '@ccp/schemas';
import {
  PaymentsUnavailableError,
  type CheckpointStore,
  type EventStore,
  type MeterEventInput,
  type PaymentsPort,
} from '@ccp/command-service';
import { backoffMs, readLogUpTo, worthLogging } from '../process-manager/follow-log.js';

export const METER_RELAY_CHECKPOINT = 'billing-meter-relay';
const READ_BATCH = 1000;

export interface MeterRelayOptions {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly payments: PaymentsPort;
  readonly log: (message: string) => void;
  /** Most meter events in one call to the provider (default 100). */
  readonly batchSize?: number;
  /** How long it waits for more of the log when it has read everything (default 1 s). */
  readonly pollMs?: number;
  /** The first pause after the provider was unavailable, doubled at each try (default 500 ms). */
  readonly retryMs?: number;
}

export interface MeterRelayStats {
  /** Meter events the provider took. */
  readonly sent: number;
  /** Meter events the provider refused for good (logged, not sent again). */
  readonly rejected: number;
  /** Batches sent again after the provider was unavailable. */
  readonly retries: number;
  /** Units of usage of tenants without a Stripe customer: on the ledger meter only. */
  readonly skipped: number;
  /** The log position every earlier meter event was sent up to (the checkpoint). */
  readonly position: number;
}

export interface MeterRelay {
  readonly stats: () => MeterRelayStats;
  /** Resolves once the log as it is now has been relayed (tests). */
  readonly caughtUp: () => Promise<void>;
  stop(): Promise<void>;
}

interface Queued {
  readonly position: number;
  readonly input: MeterEventInput;
}

/**
 * The Stripe meter relay: forwards the units of usage the meters recorded (UsageMetered; not the copies carried
 * to the next month, whose originals were sent) as Billing Meter events, for tenants whose billing account has
 * a Stripe customer. Batches of up to `batchSize` items; a provider that is unavailable gets the same batch again
 * after a doubling pause, so nothing is lost; the checkpoint moves only past events whose items were all taken.
 * A batch sent again after a crash is harmless: each item's identifier makes Stripe take it once.
 */
export const startMeterRelay = async (options: MeterRelayOptions): Promise<MeterRelay> => {
  const { store, checkpoints, payments, log } = options;
  const batchSize = options.batchSize ?? 100;
  const pollMs = options.pollMs ?? 1000;
  const retryMs = options.retryMs ?? 500;
  const counts = { sent: 0, rejected: 0, retries: 0, skipped: 0 };
  /** tenant → Stripe customer, as linked up to the position read. */
  const customers = new Map<string, string>();
  let stopped = false;
  const stopping = new AbortController();
  const pause = (ms: number) => sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);

  /** Folds a customer link, and gives the meter events of a UsageMetered event to forward. */
  const read = (recorded: Awaited<ReturnType<EventStore['readAll']>>[number]): MeterEventInput[] => {
    const isLink = recorded.type === 'BillingCustomerLinked';
    if (!isLink && recorded.type !== 'UsageMetered') return [];
    const stream = parseStreamName(recorded.streamId);
    const decoded = decodeEvent(recorded);
    if (!stream || !decoded.ok) return [];
    if (isLink) {
      const { provider, customerId } = decoded.value.data as { provider: string; customerId: string };
      if (stream.category === 'billing' && provider === 'stripe') customers.set(stream.tenantId, customerId);
      return [];
    }
    if (stream.category !== 'meter') return [];
    const { items, carriedFrom } = decoded.value.data as { items: MeterItem[]; carriedFrom?: string };
    if (carriedFrom !== undefined) return [];
    const customerId = customers.get(stream.tenantId);
    if (customerId === undefined) {
      counts.skipped += items.length;
      return [];
    }
    return items.map((item) => ({ customerId, item }));
  };

  /** Sends one batch until the provider takes it or the relay stops (false). */
  const sendBatch = async (batch: readonly MeterEventInput[]): Promise<boolean> => {
    for (let attempt = 1; !stopped; attempt += 1) {
      try {
        const result = await payments.sendMeterEvents(batch);
        counts.sent += result.sent;
        counts.rejected += result.rejected.length;
        for (const { identifier, reason } of result.rejected) {
          log(`billing: meter event ${identifier} refused by ${payments.provider} for good: ${reason}`);
        }
        return true;
      } catch (error) {
        // Usage must not be lost: whatever the error, the batch is kept and sent again; only the pause grows.
        counts.retries += 1;
        if (worthLogging(attempt)) {
          const kind = error instanceof PaymentsUnavailableError ? 'unavailable' : 'failed';
          log(`billing: meter events ${kind} (attempt ${attempt}), sent again later: ${String(error)}`);
        }
        await pause(backoffMs(retryMs, attempt));
      }
    }
    return false;
  };

  let checkpoint = (await checkpoints.load(METER_RELAY_CHECKPOINT)) ?? 0;
  /** The links made up to the checkpoint: usage after it is forwarded for the tenants linked by then. */
  const foldCustomers = async () => {
    customers.clear();
    await readLogUpTo(store, checkpoint, (recorded) => {
      if (recorded.type === 'BillingCustomerLinked') read(recorded);
    });
  };

  const save = async (position: number) => {
    if (position <= checkpoint) return;
    await checkpoints.save(METER_RELAY_CHECKPOINT, position);
    checkpoint = position;
  };

  /** Reads what follows the checkpoint and relays it; false when there was nothing new. */
  const relayNext = async (): Promise<boolean> => {
    const events = await store.readAll({ after: checkpoint, maxCount: READ_BATCH });
    if (events.length === 0) return false;
    const queue: Queued[] = events.flatMap((recorded) =>
      read(recorded).map((input) => ({ position: recorded.position, input })),
    );
    for (let start = 0; start < queue.length; start += batchSize) {
      const batch = queue.slice(start, start + batchSize);
      if (!(await sendBatch(batch.map((q) => q.input)))) return true;
      const last = batch.at(-1) as Queued;
      const next = queue[start + batchSize];
      // An event whose items are split over two batches is passed only with the second.
      await save(next?.position === last.position ? last.position - 1 : last.position);
    }
    await save((events.at(-1) as (typeof events)[number]).position);
    return true;
  };

  let idle: (() => void)[] = [];
  const running = (async () => {
    let ready = false;
    for (let failures = 0; !stopped;) {
      try {
        // Folded again after a failure: the links read past the checkpoint are read again in log order.
        if (!ready) await foldCustomers();
        ready = true;
        const more = await relayNext();
        failures = 0;
        if (!more) {
          for (const resolve of idle) resolve();
          idle = [];
          await pause(pollMs);
        }
      } catch (error) {
        // The log or the checkpoint store failed: what was not checkpointed is read and sent again.
        ready = false;
        failures += 1;
        if (worthLogging(failures)) {
          log(`billing: the meter relay failed (${failures} in a row) after ${checkpoint}: ${String(error)}`);
        }
        await pause(backoffMs(retryMs, failures));
      }
    }
  })();

  return {
    stats: () => ({ ...counts, position: checkpoint }),
    caughtUp: async () => {
      if (stopped) return;
      // Two idle turns: the first may have begun before what the caller appended.
      for (let turn = 0; turn < 2 && !stopped; turn += 1) {
        await new Promise<void>((resolve) => idle.push(resolve));
      }
    },
    stop: async () => {
      stopped = true;
      stopping.abort();
      for (const resolve of idle) resolve();
      idle = [];
      await running;
    },
  };
};
