import type { EventEnvelope, OutboundMessage } from '@ccp/schemas';

/** An outbound message not yet sent, cancelled or given up, as the delivery worker needs it. */
export interface PendingMessage {
  readonly tenantId: string;
  readonly messageId: string;
  readonly message: OutboundMessage;
  /** Attempts started so far. */
  readonly attempts: number;
  /** The attempt handed to the provider with no outcome recorded yet, and when it was claimed. */
  readonly inFlight: {
    readonly attempt: number;
    readonly since: Date;
    /** The provider account the attempt went through, when the claim named one. */
    readonly account?: string;
  } | null;
  /** Not before this after a failed attempt. */
  readonly retryAt: string | null;
}

export const keyOf = (tenantId: string, messageId: string) => `${tenantId}/${messageId}`;

export const messageOfStream = (
  streamId: string,
): { readonly tenantId: string; readonly messageId: string } | undefined => {
  const match = /^message-([^.]+)\.(.+)$/.exec(streamId);
  return match?.[1] !== undefined && match[2] !== undefined
    ? { tenantId: match[1], messageId: match[2] }
    : undefined;
};

/** When the next attempt of a pending message may start; undefined while one is with the provider. */
export const dueAtOf = (pending: PendingMessage): Date | undefined => {
  if (pending.inFlight !== null) return undefined;
  const due = Date.parse(pending.message.dueAt);
  return new Date(Math.max(due, pending.retryAt === null ? 0 : Date.parse(pending.retryAt)));
};

/**
 * The pending outbound messages, folded from their streams' events in log order. A message leaves the view when
 * it is sent, cancelled or abandoned; inbound messages never enter it.
 */
export class PendingMessages {
  private readonly byKey = new Map<string, PendingMessage>();

  get(key: string): PendingMessage | undefined {
    return this.byKey.get(key);
  }

  all(): IterableIterator<PendingMessage> {
    return this.byKey.values();
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Applies one event of a message stream; answers the message's key. */
  apply(event: EventEnvelope, recordedAt: Date): string | undefined {
    const stream = messageOfStream(event.streamId);
    if (!stream) return undefined;
    const key = keyOf(stream.tenantId, stream.messageId);
    const current = this.byKey.get(key);
    switch (event.type) {
      case 'MessageScheduled':
        if (!current) {
          this.byKey.set(key, {
            ...stream,
            message: event.data as OutboundMessage,
            attempts: 0,
            inFlight: null,
            retryAt: null,
          });
        }
        return key;
      case 'MessageDeliveryStarted': {
        const { attempt, account } = event.data as { attempt: number; account?: string };
        const inFlight = { attempt, since: recordedAt, ...(account !== undefined && { account }) };
        if (current) this.byKey.set(key, { ...current, attempts: attempt, inFlight });
        return key;
      }
      case 'MessageDeliveryFailed': {
        const { retryAt } = event.data as { retryAt: string };
        if (current) this.byKey.set(key, { ...current, inFlight: null, retryAt });
        return key;
      }
      case 'MessageSent':
      case 'MessageCancelled':
      case 'MessageAbandoned':
        this.byKey.delete(key);
        return key;
      default:
        return undefined;
    }
  }
}
