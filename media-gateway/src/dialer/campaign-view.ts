import { decodeEvent, streamName, type Lead } from '@ccp/schemas';
import {
  activeAttempts,
  campaignDecider,
  leadOf,
  type ActiveAttempt as DeciderAttempt,
  type CampaignEvent,
  type CampaignState,
  type EventStore,
} from '@ccp/command-service';

/** A dial the campaign started and has not ended, with the instant it started (carrier look-ups start there). */
export type ActiveAttempt = DeciderAttempt & { readonly startedAt: string };

/**
 * A campaign as the dialer executes it: the campaign decider's own state (folded with its evolve, so the
 * dialer and the decider never disagree on leads, attempts or settings), the stream revision folded, and when
 * each active attempt started (the decider keeps only its lease).
 */
export interface CampaignView {
  readonly tenantId: string;
  readonly campaignId: string;
  /** The stream's last revision folded; -1 before the first event. */
  revision: number;
  state: CampaignState;
  readonly startedAt: Map<string, string>;
}

export const emptyView = (tenantId: string, campaignId: string): CampaignView => ({
  tenantId,
  campaignId,
  revision: -1,
  state: campaignDecider.initialState(),
  startedAt: new Map(),
});

/** Applies one event of the campaign's stream: the decider's evolve, and the start instants of attempts. */
export const evolveView = (view: CampaignView, event: CampaignEvent, occurredAt: string): void => {
  view.state = campaignDecider.evolve(view.state, event);
  if (event.type === 'DialStarted') view.startedAt.set(event.data.attemptId, occurredAt);
  if (event.type === 'DialEnded') view.startedAt.delete(event.data.attemptId);
};

export const leadIn = (view: CampaignView, leadId: string): Lead | undefined =>
  leadOf(view.state, leadId)?.lead;

const withStart = (view: CampaignView, attempt: DeciderAttempt): ActiveAttempt => ({
  ...attempt,
  // Never missing for an attempt folded here; the lease's start is the fallback for a view built otherwise.
  startedAt: view.startedAt.get(attempt.attemptId) ?? new Date(attempt.leaseUntil).toISOString(),
});

export const attemptsIn = (view: CampaignView): ActiveAttempt[] =>
  activeAttempts(view.state).map((attempt) => withStart(view, attempt));

export const attemptIn = (view: CampaignView, attemptId: string): ActiveAttempt | undefined => {
  const attempt = view.state.active.get(attemptId);
  return attempt && withStart(view, attempt);
};

/** Campaign streams are `campaign-<tenant>.<campaignId>`; a tenant id has no dot, so the first one splits. */
export const campaignOfStream = (
  streamId: string,
): { readonly tenantId: string; readonly campaignId: string } | undefined => {
  const match = /^campaign-([^.]+)\.(.+)$/.exec(streamId);
  return match?.[1] !== undefined && match[2] !== undefined
    ? { tenantId: match[1], campaignId: match[2] }
    : undefined;
};

/**
 * The views of the campaigns the dialer knows, each folded once and then brought up to date by reading its
 * stream from the last revision folded.
 */
export class CampaignViews {
  private readonly views = new Map<string, CampaignView>();

  constructor(private readonly store: Pick<EventStore, 'readStream'>) {}

  all(): IterableIterator<CampaignView> {
    return this.views.values();
  }

  peek(tenantId: string, campaignId: string): CampaignView | undefined {
    return this.views.get(streamName('campaign', tenantId, campaignId));
  }

  /**
   * The campaign's view with every event stored so far; `onEvent` sees the events read by this call (the
   * DialStarted a tick produced, for instance) after they were applied.
   */
  async load(
    tenantId: string,
    campaignId: string,
    onEvent?: (event: CampaignEvent, eventId: string) => void,
  ): Promise<CampaignView> {
    const streamId = streamName('campaign', tenantId, campaignId);
    let view = this.views.get(streamId);
    if (!view) {
      view = emptyView(tenantId, campaignId);
      this.views.set(streamId, view);
    }
    for (;;) {
      const batch = await this.store.readStream(streamId, {
        fromRevision: view.revision + 1,
        maxCount: 5000,
      });
      for (const recorded of batch) {
        // Two loads racing may read the same events: the second applies only what the first did not.
        if (recorded.revision <= view.revision) continue;
        const decoded = decodeEvent(recorded);
        if (!decoded.ok) {
          throw new Error(`campaign ${streamId}@${recorded.revision} unreadable: ${decoded.error.message}`);
        }
        const event = decoded.value as unknown as CampaignEvent;
        evolveView(view, event, decoded.value.occurredAt);
        view.revision = recorded.revision;
        onEvent?.(event, recorded.id);
      }
      if (batch.length < 5000) return view;
    }
  }
}
