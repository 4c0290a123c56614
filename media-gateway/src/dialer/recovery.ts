import { decodeEvent, type CallEvent, type EventEnvelope } from '@ccp/schemas';
import type { EventStore } from '@ccp/command-service';
import { leadIn, type ActiveAttempt, type CampaignView } from './campaign-view.js';
import { dialOutcomeOf, endedStatusOutcome } from './outcomes.js';
import { recordOutcome, sendCampaignCommand, startPlacedCall, type DialDependencies } from './place-dial.js';

/** How far before an attempt's start the carrier is searched: its clock and ours differ by a little. */
const CLOCK_SKEW_MS = 5_000;

export interface RecoveryDependencies extends DialDependencies {
  readonly store: Pick<EventStore, 'readStream'>;
  /** The dialer waits for this call's end (from the log) to record the attempt's outcome. */
  readonly follow: (callId: string, view: CampaignView, attemptId: string) => void;
}

const callEvents = async (
  store: Pick<EventStore, 'readStream'>,
  tenantId: string,
  callId: string,
): Promise<CallEvent[]> =>
  (await store.readStream(`call-${tenantId}.${callId}`)).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    return decoded.ok ? [decoded.value as EventEnvelope as unknown as CallEvent] : [];
  });

/** The attempt's outcome from its call's events, when the call has ended. */
export const outcomeFromCall = (
  events: readonly CallEvent[],
): { outcome: ReturnType<typeof dialOutcomeOf>; reason?: string } | undefined => {
  let answeredBy: 'human' | 'machine' | 'unknown' | undefined;
  for (const event of events) {
    if (event.type === 'CallAnswered') answeredBy = event.data.answeredBy;
    if (event.type === 'CallEnded') {
      return {
        outcome: dialOutcomeOf(event.data.outcome, answeredBy),
        ...(event.data.reason !== undefined && { reason: event.data.reason }),
      };
    }
  }
  return undefined;
};

/**
 * After a restart, one attempt the campaign still counts as active and no worker of this process carries:
 * - placed: its call ended while we were down → the outcome is recorded; the carrier says it is over but the
 *   status callback never reached us → the call is closed with the carrier's status; else it is followed.
 * - started, not placed: the carrier is asked whether the dial reached it (from the attempt's caller ID to the
 *   lead since the attempt started) → the call is recorded as this attempt's; else the attempt is recorded
 *   not_placed and the lead is dialled again later by a new attempt, never twice by this one. A carrier that
 *   cannot be asked leaves the attempt to its lease.
 */
/**
 * A placed attempt whose end this process has not seen: ended in its call's events → the outcome; over by the
 * carrier's status → the call is closed through the gateway like a late status callback (its CallEnded ends
 * the attempt); else the call is followed.
 */
const settlePlaced = async (
  deps: RecoveryDependencies,
  view: CampaignView,
  attempt: ActiveAttempt,
  callId: string,
  carrierStatus: string | undefined,
): Promise<void> => {
  const ended = outcomeFromCall(await callEvents(deps.store, view.tenantId, callId));
  if (ended) {
    await recordOutcome(deps, view, attempt.attemptId, ended.outcome, { callId, ...ended });
    return;
  }
  deps.follow(callId, view, attempt.attemptId);
  const over = carrierStatus !== undefined ? endedStatusOutcome(carrierStatus) : undefined;
  if (over === undefined) return;
  deps.gateway.remember(callId, view.tenantId);
  await deps.gateway.close(callId, over, 'ended while the platform was down');
};

export const recoverAttempt = async (
  deps: RecoveryDependencies,
  view: CampaignView,
  attempt: ActiveAttempt,
): Promise<void> => {
  const lead = leadIn(view, attempt.leadId);
  const agentId = lead?.agentId ?? view.state.settings?.agentId;
  const lookUp = async () =>
    lead
      ? deps.carrier.findCalls({
          to: lead.phone,
          from: attempt.callerId,
          startedAfter: new Date(Date.parse(attempt.startedAt) - CLOCK_SKEW_MS),
        })
      : [];
  if (attempt.callId !== undefined) {
    const callId = attempt.callId;
    let status: string | undefined;
    try {
      status = (await lookUp()).find((c) => c.callId === callId)?.status;
    } catch (error) {
      deps.log(`dialer: carrier look-up of ${callId} failed: ${String(error)}`);
    }
    await settlePlaced(deps, view, attempt, callId, status);
    return;
  }
  if (!lead || agentId === undefined) {
    await recordOutcome(deps, view, attempt.attemptId, 'not_placed', { reason: 'no lead or agent to dial' });
    return;
  }
  let found: readonly { readonly callId: string; readonly status: string }[];
  try {
    found = await lookUp();
  } catch (error) {
    deps.log(
      `dialer: carrier look-up for attempt ${attempt.attemptId} failed (its lease ends it): ${String(error)}`,
    );
    return;
  }
  // Newest first: the attempt placed one call at most, the first after it started.
  const call = found.at(-1);
  if (!call) {
    await recordOutcome(deps, view, attempt.attemptId, 'not_placed', {
      reason: 'the platform stopped before the carrier had the call',
    });
    return;
  }
  const known = await callEvents(deps.store, view.tenantId, call.callId);
  if (known.length === 0) {
    await startPlacedCall(deps, view, attempt, call.callId, agentId);
  } else {
    await sendCampaignCommand(deps, 'RecordDialPlacement', {
      tenantId: view.tenantId,
      campaignId: view.campaignId,
      attemptId: attempt.attemptId,
      callId: call.callId,
    });
  }
  await settlePlaced(deps, view, attempt, call.callId, call.status);
};
