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
  /**
   * tenant → its Stripe customer links with their positions, in log order. Usage goes to the customer linked
   * before it in the log, so links read ahead (a batch read again after a failure) change nothing.
   */
  const links = new Map<string, { readonly position: number; readonly customerId: string }[]>();
  const customerAt = (tenantId: string, position: number): string | undefined =>
    links.get(tenantId)?.findLast((link) => link.position < position)?.customerId;
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
      if (stream.category !== 'billing' || provider !== 'stripe') return [];
      const known = links.get(stream.tenantId) ?? [];
      if (!known.some((link) => link.position === recorded.position)) {
        known.push({ position: recorded.position, customerId });
        known.sort((a, b) => a.position - b.position);
      }
      links.set(stream.tenantId, known);
      return [];
    }
    if (stream.category !== 'meter') return [];
    const { items, carriedFrom } = decoded.value.data as { items: MeterItem[]; carriedFrom?: string };
    if (carriedFrom !== undefined) return [];
    const customerId = customerAt(stream.tenantId, recorded.position);
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

  const foldLink = (recorded: Awaited<ReturnType<EventStore['readAll']>>[number]) => {
    if (recorded.type === 'BillingCustomerLinked') read(recorded);
  };
  const loaded = await checkpoints.load(METER_RELAY_CHECKPOINT);
  let checkpoint = loaded ?? 0;
  if (loaded === undefined) {
    // A new relay (or one whose checkpoint was lost) forwards what is metered from now on: Stripe dedupes an
    // identifier only for about a day, so usage from the log's start would be billed again. The customers
    // linked so far are folded from the whole log; the end is saved at once so a crash does not move it.
    await readLogUpTo(store, Number.POSITIVE_INFINITY, (recorded) => {
      foldLink(recorded);
      checkpoint = recorded.position;
    });
    await checkpoints.save(METER_RELAY_CHECKPOINT, checkpoint);
  } else {
    // The links made up to the checkpoint: usage after it is forwarded for the tenants linked by then.
    await readLogUpTo(store, checkpoint, foldLink);
  }

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
    for (let failures = 0; !stopped;) {
      try {
        const more = await relayNext();
        failures = 0;
        if (!more) {
          for (const resolve of idle) resolve();
          idle = [];
          await pause(pollMs);
        }
      } catch (error) {
        // The log or the checkpoint store failed: what was not checkpointed is read and sent again (the links
        // read past it are kept: each applies only to usage after its position).
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
