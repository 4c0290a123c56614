import { randomUUID } from 'node:crypto';
import { decodeEvent, SYSTEM_ACTOR, type EventEnvelope } from '@ccp/schemas';
import {
  PaymentsUnavailableError,
  type CommandHandler,
  type CommandResult,
  type EventStore,
  type MeterEventInput,
  type MeterResult,
  type PaymentsPort,
} from '@ccp/command-service';

/*
 * Test doubles of the billing unit tests: a spy on the command handler, and a payments port that fails on
 * demand. Not for production use.
 */

/** Appends one event to a stream as a decider would have (tests set up the log with it). */
export const appendEvent = async (
  store: EventStore,
  streamId: string,
  type: string,
  data: Record<string, unknown>,
  occurredAt: Date,
): Promise<EventEnvelope> => {
  const tenantId = /^[a-z]+-([a-z0-9-]+)\./.exec(streamId)?.[1] ?? '';
  const id = randomUUID();
  const result = await store.append(
    streamId,
    [
      {
        id,
        type,
        data,
        metadata: {
          version: 1,
          tenantId,
          occurredAt: occurredAt.toISOString(),
          causationId: null,
          correlationId: id,
          actor: SYSTEM_ACTOR,
        },
      },
    ],
    'any',
  );
  const [recorded] = await store.readAll({ after: result.position - 1, maxCount: 1 });
  const decoded = recorded && decodeEvent(recorded);
  if (!decoded?.ok) throw new Error(`the test's ${type} does not decode`);
  return decoded.value;
};

export interface SentCommand {
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly idempotencyKey?: string;
}

/**
 * A TEST SPY on the command handler: records every command with its idempotency key and hands it to the real
 * handler; `failNext` makes the next commands fail as if the event store were down.
 */
export const recordingHandler = (
  real: Pick<CommandHandler, 'handleTrusted'>,
): Pick<CommandHandler, 'handleTrusted'> & {
  readonly sent: SentCommand[];
  failNext: number;
} => {
  const sent: SentCommand[] = [];
  const spy = {
    sent,
    failNext: 0,
    handleTrusted: async (
      type: string,
      input: unknown,
      context: Parameters<CommandHandler['handleTrusted']>[2],
    ): Promise<CommandResult> => {
      sent.push({
        type,
        data: input as Record<string, unknown>,
        ...(context.idempotencyKey !== undefined && { idempotencyKey: context.idempotencyKey }),
      });
      if (spy.failNext > 0) {
        spy.failNext -= 1;
        throw new Error('the event store is down (test double)');
      }
      return real.handleTrusted(type, input, context);
    },
  };
  return spy;
};

/**
 * A TEST DOUBLE of the payments port around a real adapter: records every call with its idempotency key, and
 * fails the next calls on demand, as unavailable (retried) or for good.
 */
export const faultyPayments = (
  inner: PaymentsPort,
): PaymentsPort & {
  readonly calls: { readonly method: string; readonly idempotencyKey?: string; readonly input: unknown }[];
  unavailableNext: number;
  failForGoodNext: number;
} => {
  const calls: { method: string; idempotencyKey?: string; input: unknown }[] = [];
  const port = {
    calls,
    unavailableNext: 0,
    failForGoodNext: 0,
    provider: inner.provider,
    portalSession: (input: Parameters<PaymentsPort['portalSession']>[0]) => inner.portalSession(input),
    parseWebhook: (raw: string | Buffer, header: string | undefined) => inner.parseWebhook(raw, header),
    sendMeterEvents: (events: readonly MeterEventInput[]): Promise<MeterResult> =>
      port.fault('sendMeterEvents', undefined, events, () => inner.sendMeterEvents(events)),
    createCustomer: (...args: Parameters<PaymentsPort['createCustomer']>) =>
      port.fault('createCustomer', args[1].idempotencyKey, args[0], () => inner.createCustomer(...args)),
    updateCustomer: (...args: Parameters<PaymentsPort['updateCustomer']>) =>
      port.fault('updateCustomer', args[1].idempotencyKey, args[0], () => inner.updateCustomer(...args)),
    startSubscription: (...args: Parameters<PaymentsPort['startSubscription']>) =>
      port.fault('startSubscription', args[1].idempotencyKey, args[0], () =>
        inner.startSubscription(...args),
      ),
    changeTier: (...args: Parameters<PaymentsPort['changeTier']>) =>
      port.fault('changeTier', args[1].idempotencyKey, args[0], () => inner.changeTier(...args)),
    cancelAtPeriodEnd: (...args: Parameters<PaymentsPort['cancelAtPeriodEnd']>) =>
      port.fault('cancelAtPeriodEnd', args[1].idempotencyKey, args[0], () =>
        inner.cancelAtPeriodEnd(...args),
      ),
    fault: async <T>(
      method: string,
      idempotencyKey: string | undefined,
      input: unknown,
      call: () => Promise<T>,
    ): Promise<T> => {
      calls.push({ method, input, ...(idempotencyKey !== undefined && { idempotencyKey }) });
      if (port.unavailableNext > 0) {
        port.unavailableNext -= 1;
        throw new PaymentsUnavailableError('the provider is down (test double)');
      }
      if (port.failForGoodNext > 0) {
        port.failForGoodNext -= 1;
        throw new Error('the provider refused the request (test double)');
      }
      return call();
    },
  };
  return port;
};
