import { decodeEvent, E164, EntityId, SYSTEM_ACTOR, type CallEvent } from '@ccp/schemas';
import {
  countryOfNumber,
  zonesOfNumber,
  type CheckpointStore,
  type CommandHandler,
  type EventStore,
} from '@ccp/command-service';

import { endOfLog } from '../end-of-log.js';

export const CALLBACKS_CHECKPOINT = 'campaign-callbacks';
const SAVE_EVERY = 500;

export interface CallbackFollowerOptions {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly handler: CommandHandler;
  readonly log: (message: string) => void;
}

/** A callback promised on a call, or a wrap-up's follow-up, as the callbacks campaign is told to dial it. */
export interface CallbackRequest {
  readonly kind: 'callback' | 'follow_up';
  readonly callbackId: string;
  readonly at: string;
  readonly reason: string;
  /** The number to call; absent: the other party of the source call. */
  readonly number?: string;
}

/** What a call's CallStarted says: its agent, our number and the other party's. */
export const partiesOfCall = (
  started: Extract<CallEvent, { type: 'CallStarted' }>['data'],
): { readonly agentId?: string; readonly ours: string; readonly theirs: string } => ({
  ...(started.agentId !== undefined && { agentId: started.agentId }),
  ours: started.direction === 'inbound' ? started.to : started.from,
  theirs: started.direction === 'inbound' ? started.from : started.to,
});

/**
 * The ScheduleCallbackDial for a callback or follow-up of a call, or why there is none (a number that is not
 * E.164 cannot be dialled; a call without an agent has nobody to talk).
 */
export const callbackDial = (
  tenantId: string,
  callId: string,
  request: CallbackRequest,
  started: Extract<CallEvent, { type: 'CallStarted' }>['data'],
): { readonly command: Record<string, unknown> } | { readonly skipped: string } => {
  const parties = partiesOfCall(started);
  const phone = E164.safeParse(request.number ?? parties.theirs);
  if (!phone.success) return { skipped: `the number ${request.number ?? parties.theirs} is not E.164` };
  const callerId = E164.safeParse(parties.ours);
  if (!callerId.success) return { skipped: `our number ${parties.ours} is not E.164` };
  if (parties.agentId === undefined) return { skipped: 'the call had no agent' };
  if (!EntityId.safeParse(request.callbackId).success) return { skipped: 'the callback id is not an id' };
  const country = countryOfNumber(phone.data);
  return {
    command: {
      tenantId,
      callbackId: request.callbackId,
      kind: request.kind,
      at: request.at,
      phone: phone.data,
      agentId: parties.agentId,
      callerId: callerId.data,
      timeZones: zonesOfNumber(phone.data),
      ...(country !== undefined && { country }),
      sourceCallId: callId,
      reason: request.reason,
    },
  };
};

const requestOf = (event: CallEvent, callId: string): CallbackRequest | undefined => {
  if (event.type === 'CallbackScheduled') {
    const { callbackId, at, number, reason } = event.data;
    return { kind: 'callback', callbackId, at, number, reason };
  }
  if (event.type === 'CallWrappedUp' && event.data.followUp) {
    const { dueAt, reason } = event.data.followUp;
    return { kind: 'follow_up', callbackId: `fu-${callId}`, at: dueAt, reason };
  }
  return undefined;
};

/**
 * Follows the log from its own checkpoint: every callback promised on a call (CallbackScheduled) and every
 * follow-up asked at wrap-up becomes a dial of the tenant's callbacks campaign, with the number, agent and
 * caller ID of the call it was promised on. The decider ignores a callback id it already has, so an event
 * handled again after a crash (before its checkpoint was saved) schedules nothing twice.
 */
export const startCallbackFollower = async (options: CallbackFollowerOptions) => {
  const { store, checkpoints, handler, log } = options;
  const schedule = async (tenantId: string, callId: string, request: CallbackRequest) => {
    const events = await store.readStream(`call-${tenantId}.${callId}`, { maxCount: 1 });
    const first = events[0] && decodeEvent(events[0]);
    const started = first?.ok ? (first.value as unknown as CallEvent) : undefined;
    if (started?.type !== 'CallStarted') {
      log(`callbacks: ${request.callbackId} skipped: call ${callId} has no start`);
      return;
    }
    const dial = callbackDial(tenantId, callId, request, started.data);
    if ('skipped' in dial) {
      log(`callbacks: ${request.callbackId} skipped: ${dial.skipped}`);
      return;
    }
    await handler.handleTrusted('ScheduleCallbackDial', dial.command, {
      actor: SYSTEM_ACTOR,
      correlationId: callId,
    });
  };

  // First start: callbacks promised before the dialer existed are not dialled all at once; from here on.
  const after = (await checkpoints.load(CALLBACKS_CHECKPOINT)) ?? (await endOfLog(store));
  await checkpoints.save(CALLBACKS_CHECKPOINT, after);
  const subscription = store.subscribe({ after });
  let unsaved = 0;
  const running = (async () => {
    for await (const recorded of subscription) {
      unsaved += 1;
      if (recorded.type === 'CallbackScheduled' || recorded.type === 'CallWrappedUp') {
        const decoded = decodeEvent(recorded);
        const event = decoded.ok ? (decoded.value as unknown as CallEvent) : undefined;
        const callId = decoded.ok ? decoded.value.correlationId : '';
        const request = event && requestOf(event, callId);
        if (decoded.ok && request) {
          await schedule(decoded.value.tenantId, callId, request).catch((error: unknown) =>
            log(`callbacks: ${request.callbackId} not scheduled: ${String(error)}`),
          );
        }
        unsaved = SAVE_EVERY;
      }
      // Saved after each callback handled, else now and then: events in between are only read again.
      if (unsaved >= SAVE_EVERY) {
        await checkpoints.save(CALLBACKS_CHECKPOINT, recorded.position);
        unsaved = 0;
      }
    }
  })();

  return {
    stop: async () => {
      await subscription.close();
      await running.catch(() => undefined);
    },
  };
};
