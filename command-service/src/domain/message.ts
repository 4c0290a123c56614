import {
  MAX_MESSAGE_ATTEMPTS,
  type CommandMetadata,
  type CommandOf,
  type EventOf,
  type MessageChannel,
  type MessageProvider,
  type OutboundMessage,
  type ReplyIntent,
  type messageCommands,
  type messageEvents,
} from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type MessageCommand = CommandOf<(typeof messageCommands)[number]>;
export type MessageEvent = EventOf<(typeof messageEvents)[number]>;

export type DeliveryStatus = 'delivered' | 'undelivered' | 'read';
export type OutboundStatus = 'scheduled' | 'sending' | 'retrying' | 'sent' | 'cancelled' | 'abandoned';

export interface OutboundState {
  readonly kind: 'outbound';
  readonly status: OutboundStatus;
  readonly message: OutboundMessage;
  /** Attempts started so far: the next one is this plus one. */
  readonly attempts: number;
  /** The attempt handed to the provider with no outcome recorded yet. */
  readonly inFlight: number | null;
  /** When the last failed attempt may be followed by the next. */
  readonly retryAt: string | null;
  readonly lastError: string | null;
  readonly sent: { readonly provider: MessageProvider; readonly providerMessageId: string } | null;
  readonly delivery: DeliveryStatus | null;
}

export interface InboundState {
  readonly kind: 'inbound';
  readonly channel: MessageChannel;
  readonly from: string;
  readonly to: string;
  readonly body: string;
  readonly provider: MessageProvider;
  readonly providerMessageId: string;
  readonly handled: { readonly intent: ReplyIntent; readonly outcome: string } | null;
}

export type MessageState = { readonly kind: 'none' } | OutboundState | InboundState;

const CLOSED: readonly OutboundStatus[] = ['sent', 'cancelled', 'abandoned'];

export const FIRST_RETRY_MS = 30_000;
export const MAX_RETRY_MS = 30 * 60_000;
/** Retries are spread by up to this share of the backoff, so that a provider's outage does not end in a stampede. */
export const RETRY_JITTER = 0.2;

/** What a message is now, in one word: the outbound lifecycle (with the provider's report once sent), or inbound. */
export const messageStatusOf = (
  state: MessageState,
): 'none' | OutboundStatus | DeliveryStatus | 'received' | 'handled' => {
  if (state.kind === 'none') return 'none';
  if (state.kind === 'inbound') return state.handled ? 'handled' : 'received';
  return state.status === 'sent' && state.delivery !== null ? state.delivery : state.status;
};

/** When the worker may next start a delivery: null when nothing is left to send. */
export const nextDeliveryAt = (state: MessageState): string | null => {
  if (state.kind !== 'outbound' || CLOSED.includes(state.status) || state.inFlight !== null) return null;
  return state.retryAt ?? state.message.dueAt;
};

/** A fraction in [0, 1) from the message and attempt: the same retry is always spread the same way. */
const jitterOf = (messageId: string, attempt: number): number => {
  // FNV-1a: small, pure and well spread over short strings; no randomness in a decider.
  let hash = 0x811c9dc5;
  for (const char of `${messageId}#${attempt}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 2 ** 32;
};

/** When a failed attempt may be followed: exponential backoff, capped, spread, and never before notBefore. */
export const retryAtOf = (
  messageId: string,
  attempt: number,
  now: Date,
  notBefore: string | undefined,
): string => {
  const backoff = Math.min(FIRST_RETRY_MS * 2 ** (attempt - 1), MAX_RETRY_MS);
  const spread = Math.round(backoff * (1 + RETRY_JITTER * jitterOf(messageId, attempt)));
  const at = Math.max(now.getTime() + spread, notBefore === undefined ? 0 : Date.parse(notBefore));
  return new Date(at).toISOString();
};

const outbound = (state: MessageState): OutboundState => {
  if (state.kind === 'none') {
    throw new DomainError('MESSAGE_NOT_FOUND', 'the message does not exist', 'messageId');
  }
  if (state.kind === 'inbound') {
    throw new DomainError('MESSAGE_INBOUND', 'the message was received, not sent', 'messageId');
  }
  return state;
};

const inbound = (state: MessageState): InboundState => {
  if (state.kind === 'none') {
    throw new DomainError('MESSAGE_NOT_FOUND', 'the message does not exist', 'messageId');
  }
  if (state.kind === 'outbound') {
    throw new DomainError('MESSAGE_OUTBOUND', 'the message was sent, not received', 'messageId');
  }
  return state;
};

const attemptChanged = (attempt: number, message: OutboundState): DomainError =>
  new DomainError(
    'MESSAGE_ATTEMPT_CHANGED',
    `attempt ${attempt} is not the message's current one (${message.attempts} started, ` +
      `${message.inFlight === null ? 'none' : message.inFlight} in flight)`,
    'attempt',
  );

const startDelivery = (
  message: OutboundState,
  { attempt, account }: { readonly attempt: number; readonly account?: string | undefined },
  metadata: CommandMetadata,
): MessageEvent[] => {
  if (CLOSED.includes(message.status)) {
    throw new DomainError('MESSAGE_CLOSED', `the message is already ${message.status}`, 'messageId');
  }
  // The worker that claimed the attempt asks again after a crash or a lost answer: it still holds it.
  if (message.inFlight === attempt) return [];
  if (message.inFlight !== null || attempt !== message.attempts + 1) throw attemptChanged(attempt, message);
  const now = metadata.now.getTime();
  const { expiresAt, dueAt } = message.message;
  if (expiresAt !== undefined && now >= Date.parse(expiresAt)) {
    return [{ type: 'MessageCancelled', data: { reason: 'expired' } }];
  }
  const due = Math.max(Date.parse(dueAt), message.retryAt === null ? 0 : Date.parse(message.retryAt));
  if (now < due) {
    throw new DomainError(
      'MESSAGE_NOT_DUE',
      `the message is due at ${new Date(due).toISOString()}`,
      'messageId',
    );
  }
  return [{ type: 'MessageDeliveryStarted', data: { attempt, ...(account !== undefined && { account }) } }];
};

const recordFailure = (
  message: OutboundState,
  data: Extract<MessageCommand, { type: 'RecordMessageFailure' }>['data'],
  metadata: CommandMetadata,
): MessageEvent[] => {
  const { messageId, attempt, error, notBefore } = data;
  if (message.inFlight !== attempt) {
    // An attempt whose outcome is already recorded (the same failure reported twice): nothing to add.
    if (attempt <= message.attempts) return [];
    throw attemptChanged(attempt, message);
  }
  // Cancelled while the attempt was under way: there is nothing left to try again.
  if (message.status === 'cancelled') return [];
  // A refusal of the message itself (a number that cannot receive it) fails every attempt the same way.
  if (attempt >= MAX_MESSAGE_ATTEMPTS || data.permanent === true) {
    return [{ type: 'MessageAbandoned', data: { attempt, error } }];
  }
  return [
    {
      type: 'MessageDeliveryFailed',
      data: { attempt, error, retryAt: retryAtOf(messageId, attempt, metadata.now, notBefore) },
    },
  ];
};

export const decide = (command: MessageCommand, state: MessageState): MessageEvent[] => {
  switch (command.type) {
    case 'ScheduleMessage': {
      // Ids are derived from what a message is for: planning it again is the same message.
      if (state.kind === 'outbound') return [];
      if (state.kind === 'inbound') {
        throw new DomainError('MESSAGE_EXISTS', 'a received message has this id', 'messageId');
      }
      const { tenantId: _tenantId, messageId: _messageId, ...message } = command.data;
      return [{ type: 'MessageScheduled', data: message }];
    }
    case 'CancelMessage': {
      const message = outbound(state);
      if (CLOSED.includes(message.status)) return [];
      return [{ type: 'MessageCancelled', data: { reason: command.data.reason } }];
    }
    case 'StartMessageDelivery':
      return startDelivery(outbound(state), command.data, command.metadata);
    case 'RecordMessageSent': {
      const message = outbound(state);
      const { attempt, provider, providerMessageId } = command.data;
      if (message.status === 'sent') return [];
      // A message cancelled while its attempt was with the provider may still have gone out: that is recorded.
      if (message.inFlight !== attempt) throw attemptChanged(attempt, message);
      return [{ type: 'MessageSent', data: { attempt, provider, providerMessageId } }];
    }
    case 'RecordMessageFailure': {
      const message = outbound(state);
      if (message.status === 'sent' || message.status === 'abandoned') return [];
      return recordFailure(message, command.data, command.metadata);
    }
    case 'RecordMessageStatus': {
      const message = outbound(state);
      const { status, detail } = command.data;
      if (message.status !== 'sent') {
        throw new DomainError('MESSAGE_NOT_SENT', 'the message has not been sent', 'messageId');
      }
      // Callbacks can arrive out of order: a late "delivered" does not take back a "read".
      if (message.delivery === status || message.delivery === 'read') return [];
      return [
        { type: 'MessageStatusChanged', data: { status, ...(detail === undefined ? {} : { detail }) } },
      ];
    }
    case 'ReceiveMessage': {
      if (state.kind === 'inbound') return [];
      if (state.kind === 'outbound') {
        throw new DomainError('MESSAGE_EXISTS', 'a message sent from here has this id', 'messageId');
      }
      const { tenantId: _tenantId, messageId: _messageId, ...received } = command.data;
      return [{ type: 'MessageReceived', data: received }];
    }
    case 'RecordReplyHandling': {
      const message = inbound(state);
      if (message.handled !== null) return [];
      const { tenantId: _tenantId, messageId: _messageId, ...handling } = command.data;
      return [{ type: 'MessageReplyHandled', data: handling }];
    }
  }
};

const evolveOutbound = (state: OutboundState, event: MessageEvent): OutboundState => {
  switch (event.type) {
    case 'MessageCancelled':
      return { ...state, status: 'cancelled' };
    case 'MessageDeliveryStarted':
      return { ...state, status: 'sending', attempts: event.data.attempt, inFlight: event.data.attempt };
    case 'MessageSent': {
      const { provider, providerMessageId } = event.data;
      return { ...state, status: 'sent', inFlight: null, sent: { provider, providerMessageId } };
    }
    case 'MessageDeliveryFailed':
      return {
        ...state,
        status: 'retrying',
        inFlight: null,
        retryAt: event.data.retryAt,
        lastError: event.data.error,
      };
    case 'MessageAbandoned':
      return { ...state, status: 'abandoned', inFlight: null, lastError: event.data.error };
    case 'MessageStatusChanged':
      return { ...state, delivery: event.data.status };
    default:
      return state;
  }
};

export const evolve = (state: MessageState, event: MessageEvent): MessageState => {
  switch (event.type) {
    case 'MessageScheduled':
      return {
        kind: 'outbound',
        status: 'scheduled',
        message: event.data,
        attempts: 0,
        inFlight: null,
        retryAt: null,
        lastError: null,
        sent: null,
        delivery: null,
      };
    case 'MessageReceived':
      return { kind: 'inbound', ...event.data, handled: null };
    case 'MessageReplyHandled':
      if (state.kind !== 'inbound') return state;
      return { ...state, handled: { intent: event.data.intent, outcome: event.data.outcome } };
    default:
      return state.kind === 'outbound' ? evolveOutbound(state, event) : state;
  }
};

export const messageDecider: Decider<MessageCommand, MessageEvent, MessageState> = {
  initialState: () => ({ kind: 'none' }),
  decide,
  evolve,
};
