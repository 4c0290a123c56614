import {
  decodeEvent,
  streamName,
  type CampaignSettings,
  type CampaignStatus,
  type EventOf,
  type Lead,
  type campaignEvents,
} from '@ccp/schemas';
import type { EventStore } from '@ccp/command-service';

export type CampaignEvent = EventOf<(typeof campaignEvents)[number]>;

/** A dial the campaign started and has not ended: the line it holds, and the call once the carrier had it. */
export interface ActiveAttempt {
  readonly attemptId: string;
  readonly leadId: string;
  readonly attempt: number;
  readonly callerId: string;
  readonly leaseUntil: string;
  /** When the attempt was started (the DialStarted event's instant): carrier look-ups search from there. */
  readonly startedAt: string;
  readonly callId?: string;
}

/** The lead data a dial and its call need: whom to call, who talks, and what the agent may say to them. */
export type DialLead = Pick<
  Lead,
  'leadId' | 'phone' | 'name' | 'language' | 'variables' | 'agentId' | 'callerId'
>;

/**
 * What the dialer executes from, folded from the campaign stream: status, settings, the leads' dial data and
 * the attempts in flight. The campaign decider (command-service) owns every decision; this view only tells
 * the worker which number to dial for an attempt it was told to start and which attempts still wait for an
 * outcome. It is the dialer's private cache, evolved in place event by event (never shared, never copied).
 */
export interface CampaignView {
  readonly tenantId: string;
  readonly campaignId: string;
  /** The stream's last revision folded; -1 before the first event. */
  revision: number;
  status: CampaignStatus | 'none';
  kind: 'leads' | 'callbacks';
  settings: CampaignSettings | undefined;
  readonly leads: Map<string, DialLead>;
  readonly staged: Map<string, Lead[]>;
  readonly active: Map<string, ActiveAttempt>;
  /** Attempts ended, by id: an outcome arriving twice is not sent twice. */
  readonly ended: Set<string>;
}

export const emptyView = (tenantId: string, campaignId: string): CampaignView => ({
  tenantId,
  campaignId,
  revision: -1,
  status: 'none',
  kind: 'leads',
  settings: undefined,
  leads: new Map(),
  staged: new Map(),
  active: new Map(),
  ended: new Set(),
});

const dialLead = (lead: Lead): DialLead => ({
  leadId: lead.leadId,
  phone: lead.phone,
  variables: lead.variables,
  ...(lead.name !== undefined && { name: lead.name }),
  ...(lead.language !== undefined && { language: lead.language }),
  ...(lead.agentId !== undefined && { agentId: lead.agentId }),
  ...(lead.callerId !== undefined && { callerId: lead.callerId }),
});

/** A staged lead joins (or merges into) the campaign's leads: the later row's fields and variables win. */
const addLead = (view: CampaignView, lead: Lead): void => {
  const known = view.leads.get(lead.leadId);
  if (!known) {
    view.leads.set(lead.leadId, dialLead(lead));
    return;
  }
  view.leads.set(lead.leadId, {
    ...known,
    ...dialLead(lead),
    variables: { ...known.variables, ...lead.variables },
  });
};

/** Applies one event of the campaign's stream to the view, in place. */
export const evolveView = (view: CampaignView, event: CampaignEvent, occurredAt: string): void => {
  switch (event.type) {
    case 'CampaignCreated': {
      const { kind, ...settings } = event.data;
      view.kind = kind;
      view.settings = settings;
      view.status = 'draft';
      return;
    }
    case 'CampaignUpdated':
      if (view.settings) view.settings = { ...view.settings, ...event.data.changes };
      return;
    case 'CampaignScheduled':
      view.status = 'scheduled';
      return;
    case 'CampaignStarted':
    case 'CampaignResumed':
      view.status = 'running';
      return;
    case 'CampaignPaused':
      view.status = 'paused';
      return;
    case 'CampaignCompleted':
      view.status = 'completed';
      return;
    case 'CampaignCancelled':
      view.status = 'cancelled';
      return;
    case 'LeadsStaged':
      view.staged.set(`${event.data.importId}/${event.data.chunk}`, event.data.leads);
      return;
    case 'LeadsImported':
      for (const [key, leads] of view.staged) {
        if (!key.startsWith(`${event.data.importId}/`)) continue;
        for (const lead of leads) addLead(view, lead);
        view.staged.delete(key);
      }
      return;
    case 'CallbackDialScheduled':
      addLead(view, event.data.lead);
      return;
    case 'DialStarted':
      view.active.set(event.data.attemptId, { ...event.data, startedAt: occurredAt });
      return;
    case 'DialPlaced': {
      const attempt = view.active.get(event.data.attemptId);
      if (attempt) view.active.set(attempt.attemptId, { ...attempt, callId: event.data.callId });
      return;
    }
    case 'DialEnded':
      view.active.delete(event.data.attemptId);
      view.ended.add(event.data.attemptId);
      return;
  }
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
 * The views of the campaigns the dialer knows, each brought up to date by reading its stream from the last
 * revision folded (the state is folded once, then only new events are read).
 */
export class CampaignViews {
  private readonly views = new Map<string, CampaignView>();

  constructor(private readonly store: Pick<EventStore, 'readStream'>) {}

  /** Every campaign view held, by stream id. */
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
    onEvent?: (event: CampaignEvent, view: CampaignView) => void,
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
        onEvent?.(event, view);
      }
      if (batch.length < 5000) return view;
    }
  }
}
