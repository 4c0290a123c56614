import { BoundedMap } from '../bounded-map.js';
import type { MessageSender, OutgoingMessage } from './port.js';

/** A message as the outbox holds it. */
export interface OutboxEntry extends OutgoingMessage {
  readonly providerMessageId: string;
  readonly at: Date;
}

export interface Outbox extends MessageSender {
  /** What was handed to the outbox since this process started, oldest first. */
  entries(): readonly OutboxEntry[];
}

/**
 * The embedded profile's outbox: nothing leaves the machine. "Sending" is handing the message over, and the
 * MessageSent that follows (provider `outbox`) is what the console shows. Its provider id is
 * `outbox:<messageId>`, the same on every attempt, so a message handed over again after a crash is still one
 * message; `find` answers from what this process handed over.
 */
export const createOutbox = (options: { readonly now: () => Date; readonly keep?: number }): Outbox => {
  const handed = new BoundedMap<string, OutboxEntry>(options.keep ?? 10_000);
  return {
    provider: 'outbox',
    send: (message) => {
      const providerMessageId = `outbox:${message.messageId}`;
      handed.set(message.messageId, { ...message, providerMessageId, at: options.now() });
      return Promise.resolve({ provider: 'outbox', providerMessageId });
    },
    find: (messageId) => {
      const entry = handed.get(messageId);
      return Promise.resolve(entry && { providerMessageId: entry.providerMessageId });
    },
    entries: () => [...handed.values()],
  };
};
