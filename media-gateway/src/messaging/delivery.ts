import { setTimeout as sleep } from 'node:timers/promises';
import { decodeEvent, SYSTEM_ACTOR } from '@ccp/schemas';
import {
  CommandRejected,
  type CommandHandler,
  type DeliveryMetrics,
  type EventStore,
  type Subscription,
} from '@ccp/command-service';
import { failureKindOf } from '../llm/provider-failures.js';
import { startTimers } from '../timers/timers.js';
import { WithdrawnConsent } from './consent-view.js';
import { dueAtOf, keyOf, PendingMessages, type PendingMessage } from './delivery-view.js';
import {
  MessageRejected,
  ProviderUnavailable,
  type MessageSender,
  type SendHint,
  type SentMessage,
} from './port.js';

/** Where a test may stop the worker to kill the process there (MESSAGING_TEST_PAUSE_AT): a test hook only. */
export type DeliveryPausePoint = 'before-send' | 'after-send';

export interface DeliveryOptions {
  readonly store: EventStore;
  readonly handler: CommandHandler;
  /** The sender of each channel for a tenant (messaging/routing.ts): its own Twilio account when it has one. */
  readonly senderFor: (
    channel: PendingMessage['message']['channel'],
    tenantId: string,
  ) => MessageSender | Promise<MessageSender>;
  /**
   * The tenant's sender through the provider account an interrupted attempt went through, if the tenant may
   * still send through it (a disabled own account is gone); none given: no account is ever gone.
   */
  readonly senderOfAccount?: (
    channel: PendingMessage['message']['channel'],
    tenantId: string,
    account: string,
  ) => Promise<MessageSender | undefined>;
  /**
   * Whether a number is one of the tenant's own (the gateway's live directory): tenants share the Twilio
   * account, so a message is sent only from its own tenant's number.
   */
  readonly ownsNumber: (tenantId: string, number: string) => Promise<boolean>;
  /** The clock due times are judged on; the handler's commands are decided on the same one. */
  readonly now: () => Date;
  readonly log: (message: string) => void;
  /** Twilio's StatusCallback for a message (signed by Twilio, so its query can name the message); none: none. */
  readonly statusCallback?: (tenantId: string, messageId: string) => string | undefined;
  /** How often the clock is looked at (default 1 s). */
  readonly pollMs?: number;
  /**
   * An attempt claimed elsewhere with no outcome for this long is taken to be interrupted and recovered here
   * (default 10 minutes): a worker that died without a restart of this one.
   */
  readonly staleMs?: number;
  /** Where each attempt's outcome and each provider error is counted (the platform's metrics); none: nowhere. */
  readonly metrics?: DeliveryMetrics;
  /** TEST HOOK: called at a point of each attempt; a test pauses there and kills the process. */
  readonly testPause?: (point: DeliveryPausePoint, messageId: string) => Promise<void>;
}

export interface DeliveryWorker {
  /** Pending messages followed and the attempts this process is carrying out (tests). */
  readonly stats: () => { readonly pending: number; readonly sending: number };
  stop(): Promise<void>;
}

/** Refusals saying another worker, or a cancel, got there first: the attempt is theirs, nothing to do. */
const LOST_RACE: ReadonlySet<string> = new Set([
  'MESSAGE_ATTEMPT_CHANGED',
  'MESSAGE_CLOSED',
  'MESSAGE_NOT_FOUND',
]);

/** The pause before a failed subscription to the log is opened again, doubling up to the longest. */
const RESUBSCRIBE_FIRST_MS = 100;
const RESUBSCRIBE_MAX_MS = 30_000;

/** The streams the worker folds: the messages, and the contacts' consent. */
const FOLLOWED = /^(message|contact)-/;

const lostRace = (error: unknown) => error instanceof CommandRejected && LOST_RACE.has(error.code);

/**
 * An error as it may be logged: its class and the provider's HTTP status, never its text (a provider quotes
 * the recipient's number or address there; the text is kept in RecordMessageFailure, encrypted as personal data).
 */
export const describeError = (error: unknown): string => {
  const name = error instanceof Error ? error.name : typeof error;
  const status =
    error instanceof MessageRejected || error instanceof ProviderUnavailable ? error.status : undefined;
  return status === undefined ? name : `${name} (HTTP ${status})`;
};

/**
 * The messaging worker: a process manager over the `message-*` streams. Outbound messages are event-sourced
 * timers: the view of pending ones is folded from the whole log on start (nothing else is kept; a pending
 * message's state cannot be summed up by a checkpoint), each due time goes into the timers, and a due message is
 * claimed with StartMessageDelivery before it is handed to the provider, then recorded as sent or failed (the
 * decider says when to try again, or gives up).
 *
 * Recovery: a message whose last event is MessageDeliveryStarted was interrupted between the claim and its
 * outcome. The provider is asked (`find`); found → RecordMessageSent, so it is not sent twice; not found →
 * RecordMessageFailure 'interrupted', and the decider plans the next attempt. SMTP cannot be asked, so an email
 * interrupted after the server accepted it is sent again: email is at least once (with the same Message-ID).
 * An attempt that got no answer (a timeout, a reset) or a 5xx is asked about the same way before it counts as
 * failed: Twilio may have taken the message before the answer was lost.
 *
 * Before sending: a message from a number that is not its tenant's own is given up (tenants share the Twilio
 * account), and one to a contact who withdrew consent for its channel is cancelled.
 */
export const startDeliveryWorker = async (options: DeliveryOptions): Promise<DeliveryWorker> => {
  const { store, handler, log, now } = options;
  const staleMs = options.staleMs ?? 10 * 60_000;
  const view = new PendingMessages();
  const consent = new WithdrawnConsent();
  /** Attempts this process carries out now, by message key. */
  const sending = new Map<string, Promise<void>>();
  let stopped = false;

  const command = (type: string, pending: PendingMessage, data: Record<string, unknown>) =>
    handler.handleTrusted(
      type,
      { tenantId: pending.tenantId, messageId: pending.messageId, ...data },
      { actor: SYSTEM_ACTOR, correlationId: pending.messageId },
    );

  /** An outcome is recorded however long the store is busy: a few tries, then the stale sweep recovers it. */
  const record = async (type: string, pending: PendingMessage, data: Record<string, unknown>) => {
    for (let tries = 1; ; tries += 1) {
      try {
        await command(type, pending, data);
        return;
      } catch (error) {
        if (lostRace(error)) return;
        if (tries >= 3 || error instanceof CommandRejected) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * tries));
      }
    }
  };

  const failureOf = (error: unknown): Record<string, unknown> => {
    const text = (error instanceof Error ? error.message : String(error)).slice(0, 480);
    if (error instanceof MessageRejected) return { error: `rejected: ${text}`, permanent: true };
    if (error instanceof ProviderUnavailable && error.retryAfterMs !== undefined) {
      return {
        error: `unavailable: ${text}`,
        notBefore: new Date(now().getTime() + error.retryAfterMs).toISOString(),
      };
    }
    return { error: `unavailable: ${text}` };
  };

  const hintOf = (pending: PendingMessage, after: Date): SendHint => {
    const { message } = pending;
    return {
      channel: message.channel,
      to: message.to,
      ...(message.from !== undefined && { from: message.from }),
      after,
      body: message.body,
    };
  };

  /**
   * After an error that may have come once the provider took the message (no answer at all: a timeout, a
   * reset; or a 5xx), the provider is asked before a failure is recorded, so it is not sent a second time.
   */
  const takenDespite = async (
    error: unknown,
    sender: MessageSender,
    pending: PendingMessage,
    startedAt: Date,
  ): Promise<SentMessage | undefined> => {
    if (error instanceof MessageRejected) return undefined;
    if (error instanceof ProviderUnavailable && error.status !== undefined && error.status < 500) {
      return undefined;
    }
    try {
      const found = await sender.find(pending.messageId, hintOf(pending, startedAt));
      return found && { provider: sender.provider, providerMessageId: found.providerMessageId };
    } catch (findError) {
      // Not knowable now: recorded as failed, as an attempt the provider did not take.
      log(`messaging: ${pending.messageId} could not be looked up: ${describeError(findError)}`);
      return undefined;
    }
  };

  /** A refusal of the message's sender number before anything is sent; undefined: it may be sent. */
  const refusedSender = async (pending: PendingMessage): Promise<Record<string, unknown> | undefined> => {
    const { from } = pending.message;
    if (from === undefined) return undefined;
    try {
      if (await options.ownsNumber(pending.tenantId, from)) return undefined;
    } catch (error) {
      log(`messaging: ${pending.messageId} sender number could not be checked: ${describeError(error)}`);
      return { error: 'unavailable: the sender number could not be checked' };
    }
    return {
      error: `rejected: the sender number ${from} is not one of the tenant's numbers`,
      permanent: true,
    };
  };

  const attempt = async (pending: PendingMessage, attemptNo: number, sender: MessageSender) => {
    const { message } = pending;
    const refused = await refusedSender(pending);
    if (refused) {
      log(`messaging: ${pending.messageId} attempt ${attemptNo} not sent: its sender number was refused`);
      options.metrics?.delivery('message', message.channel, 'failed');
      await record('RecordMessageFailure', pending, { attempt: attemptNo, ...refused });
      return;
    }
    await options.testPause?.('before-send', pending.messageId);
    let sent: SentMessage;
    // Real time, as the provider dates what it takes.
    const startedAt = new Date();
    try {
      const callback = options.statusCallback?.(pending.tenantId, pending.messageId);
      sent = await sender.send({
        messageId: pending.messageId,
        channel: message.channel,
        to: message.to,
        ...(message.from !== undefined && { from: message.from }),
        ...(message.subject !== undefined && { subject: message.subject }),
        body: message.body,
        ...(callback !== undefined && { statusCallback: callback }),
      });
    } catch (error) {
      const taken = await takenDespite(error, sender, pending, startedAt);
      if (taken) {
        log(
          `messaging: ${pending.messageId} attempt ${attemptNo} had reached ${sender.provider} despite ${describeError(error)}`,
        );
        options.metrics?.delivery('message', message.channel, 'delivered');
        await record('RecordMessageSent', pending, { attempt: attemptNo, ...taken });
        return;
      }
      options.metrics?.providerError(message.channel, sender.provider, failureKindOf(error));
      options.metrics?.delivery('message', message.channel, 'failed');
      log(`messaging: ${pending.messageId} attempt ${attemptNo} failed: ${describeError(error)}`);
      await record('RecordMessageFailure', pending, { attempt: attemptNo, ...failureOf(error) });
      return;
    }
    await options.testPause?.('after-send', pending.messageId);
    options.metrics?.delivery('message', message.channel, 'delivered');
    await record('RecordMessageSent', pending, { attempt: attemptNo, ...sent });
  };

  /** A due message: claimed, then carried out; a claim another worker or a cancel won is dropped. */
  const onDue = async (key: string) => {
    const pending = view.get(key);
    if (!pending || pending.inFlight !== null || sending.has(key) || stopped) return;
    const { contactId, channel, purpose } = pending.message;
    // A reply answers the contact's own message (the confirmation of their STOP is one): it is still sent.
    if (
      purpose !== 'reply' &&
      contactId !== undefined &&
      consent.withdrawn(pending.tenantId, contactId, channel)
    ) {
      log(`messaging: ${pending.messageId} cancelled: its contact withdrew consent for ${channel}`);
      await record('CancelMessage', pending, { reason: 'consent withdrawn' });
      return;
    }
    const attemptNo = pending.attempts + 1;
    // Resolved before the claim, which names the account it sends through; a sender that cannot be resolved
    // (the tenant's connection unreadable now) is an attempt that failed and is tried again, never one left
    // in flight.
    let sender: MessageSender | undefined;
    let unresolved: unknown;
    try {
      sender = await options.senderFor(pending.message.channel, pending.tenantId);
    } catch (error) {
      unresolved = error;
    }
    const account = sender?.account;
    let claimed;
    try {
      claimed = await command('StartMessageDelivery', pending, {
        attempt: attemptNo,
        ...(account !== undefined && { account }),
      });
    } catch (error) {
      if (lostRace(error)) return;
      throw error;
    }
    // No MessageDeliveryStarted: expired (cancelled instead), or already claimed by the same attempt elsewhere.
    if (!claimed.events.some((e) => e.type === 'MessageDeliveryStarted')) return;
    const run = (
      sender
        ? attempt(pending, attemptNo, sender)
        : (async () => {
            log(
              `messaging: ${pending.messageId} attempt ${attemptNo}: no sender: ${describeError(unresolved)}`,
            );
            await record('RecordMessageFailure', pending, {
              attempt: attemptNo,
              error: 'unavailable: the sender could not be resolved',
            });
          })()
    ).finally(() => sending.delete(key));
    sending.set(key, run);
    await run;
  };

  const timers = startTimers({
    now,
    onDue,
    log,
    ...(options.pollMs !== undefined && { pollMs: options.pollMs }),
  });

  /** The sender through the account the attempt went through; undefined when that account is gone. */
  const senderOfAttempt = async (
    pending: PendingMessage,
    account: string | undefined,
  ): Promise<MessageSender | undefined> => {
    const { channel } = pending.message;
    // The account the attempt named answers first: the current sender may be another, or not resolvable now.
    if (account !== undefined && options.senderOfAccount) {
      const named = await options.senderOfAccount(channel, pending.tenantId, account);
      if (named) return named;
      const current = await options.senderFor(channel, pending.tenantId);
      return current.account === account ? current : undefined;
    }
    return options.senderFor(channel, pending.tenantId);
  };

  /** Asks the provider about an attempt left without an outcome, and records what it says. */
  const recover = async (pending: PendingMessage) => {
    const inFlight = pending.inFlight;
    if (!inFlight || sending.has(keyOf(pending.tenantId, pending.messageId))) return;
    const sender = await senderOfAttempt(pending, inFlight.account);
    if (!sender) {
      // Sent or not, only that account could tell: sending again through another could send it twice.
      log(
        `messaging: ${pending.messageId} attempt ${inFlight.attempt}: its account is gone, outcome unknown`,
      );
      await record('RecordMessageFailure', pending, {
        attempt: inFlight.attempt,
        error: 'unknown: the account the attempt went through is no longer available; not sent again',
        permanent: true,
      });
      return;
    }
    const found = await sender.find(pending.messageId, hintOf(pending, inFlight.since));
    if (found) {
      log(`messaging: ${pending.messageId} attempt ${inFlight.attempt} had reached ${sender.provider}`);
      await record('RecordMessageSent', pending, {
        attempt: inFlight.attempt,
        provider: sender.provider,
        providerMessageId: found.providerMessageId,
      });
      return;
    }
    // Not at the provider (or, for email, not knowable): the attempt failed and the next one is planned.
    await record('RecordMessageFailure', pending, { attempt: inFlight.attempt, error: 'interrupted' });
  };

  const arm = (key: string | undefined) => {
    if (key === undefined) return;
    const pending = view.get(key);
    const due = pending && dueAtOf(pending);
    if (due) timers.schedule(key, due);
    else timers.cancel(key);
  };

  // The whole log's message and contact streams: the pending messages are what their events leave.
  let position = 0;
  for (;;) {
    const batch = await store.readAll({ after: position, maxCount: 5000 });
    for (const recorded of batch) {
      if (!FOLLOWED.test(recorded.streamId)) continue;
      const decoded = decodeEvent(recorded);
      if (!decoded.ok) continue;
      consent.apply(decoded.value);
      view.apply(decoded.value, recorded.recordedAt);
    }
    const last = batch.at(-1);
    if (!last) break;
    position = last.position;
  }
  const interrupted = [...view.all()].filter((p) => p.inFlight !== null);
  for (const pending of view.all()) arm(keyOf(pending.tenantId, pending.messageId));

  // Followed from where the reading stopped: outcomes of the recovery are seen like any other event. A
  // subscription that fails (a lost store connection) is opened again after a pause, from the last event
  // handled, so that delivery does not stop without a word.
  const resting = new AbortController();
  let subscription: Subscription | undefined;
  const following = (async () => {
    let pauseMs = RESUBSCRIBE_FIRST_MS;
    while (!stopped) {
      subscription = store.subscribe({ after: position });
      try {
        for await (const recorded of subscription) {
          position = recorded.position;
          pauseMs = RESUBSCRIBE_FIRST_MS;
          if (!FOLLOWED.test(recorded.streamId)) continue;
          const decoded = decodeEvent(recorded);
          if (!decoded.ok) continue;
          consent.apply(decoded.value);
          arm(view.apply(decoded.value, recorded.recordedAt));
        }
        if (stopped) return;
        log(`messaging: the log's subscription ended; following again after ${position}`);
      } catch (error) {
        if (stopped) return;
        log(
          `messaging: following the log failed (${describeError(error)}); ` +
            `following again after ${position} in ${pauseMs} ms`,
        );
      }
      await subscription.close().catch(() => undefined);
      await sleep(pauseMs, undefined, { signal: resting.signal }).catch(() => undefined);
      pauseMs = Math.min(pauseMs * 2, RESUBSCRIBE_MAX_MS);
    }
  })();

  // In the background: a provider that does not answer must not hold up the platform's start.
  const recovering = (async () => {
    for (const pending of interrupted) {
      await recover(pending).catch((error: unknown) =>
        log(`messaging: recovering ${pending.messageId} failed: ${describeError(error)}`),
      );
    }
  })();

  const sweep = setInterval(
    () => {
      // `since` is when the store recorded the claim: real time, not the worker's clock.
      const at = Date.now();
      for (const pending of [...view.all()]) {
        if (pending.inFlight && at - pending.inFlight.since.getTime() > staleMs) {
          void recover(pending).catch((error: unknown) =>
            log(`messaging: sweeping ${pending.messageId} failed: ${describeError(error)}`),
          );
        }
      }
    },
    Math.min(staleMs, 60_000),
  );
  sweep.unref();

  return {
    stats: () => ({ pending: view.size, sending: sending.size }),
    stop: async () => {
      stopped = true;
      clearInterval(sweep);
      await timers.stop();
      await recovering;
      await Promise.allSettled([...sending.values()]);
      resting.abort();
      await subscription?.close();
      await following.catch(() => undefined);
    },
  };
};
