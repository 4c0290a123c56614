import type { OrderedSet } from 'immutable';
import { Map as IMap, OrderedMap, Set as ISet } from 'immutable';
import type {
  CampaignSettings,
  CampaignStatus,
  CommandOf,
  DialOutcome,
  EventOf,
  Lead,
  campaignCommands,
  campaignEvents,
} from '@ccp/schemas';

export type CampaignCommand = CommandOf<(typeof campaignCommands)[number]>;
export type CampaignEvent = EventOf<(typeof campaignEvents)[number]>;

/** The outcomes a retry rule exists for. */
export type RetryOutcome = 'busy' | 'no_answer' | 'failed' | 'voicemail';

export interface LeadEntry {
  readonly lead: Lead;
  /** Position in import order (callbacks: the order they were scheduled). */
  readonly order: number;
  readonly status: 'pending' | 'active' | 'done';
  /** Attempts that count toward the policy's cap (a dial that was never placed does not). */
  readonly attempts: number;
  /** DialStarted events so far: the next attempt number, so attempt ids stay unique. */
  readonly dials: number;
  readonly retries: Readonly<Record<RetryOutcome, number>>;
  /** Not to be dialled before this instant (ms): a retry's time or a callback's due time. */
  readonly nextAt?: number;
  readonly lastOutcome?: DialOutcome;
}

export interface ActiveAttempt {
  readonly attemptId: string;
  readonly leadId: string;
  readonly attempt: number;
  readonly callerId: string;
  readonly leaseUntil: number;
  readonly callId?: string;
}

interface StagedImport {
  readonly chunks: IMap<number, readonly Lead[]>;
  readonly committed: boolean;
}

/**
 * One campaign's state. The lead and attempt maps are persistent (immutable.js): evolving shares all but the
 * touched path with the previous state, so the cached state of a 100,000-lead campaign is never copied.
 */
export interface CampaignState {
  readonly status: 'none' | CampaignStatus;
  readonly kind: 'leads' | 'callbacks';
  /** Present once the campaign exists. */
  readonly settings: CampaignSettings | undefined;
  /** 1 at creation, +1 per CampaignUpdated: what editors name to detect a concurrent edit. */
  readonly revision: number;
  /** Whether it ever started, so that resuming a campaign paused before its start date waits for the date. */
  readonly started: boolean;
  readonly leads: IMap<string, LeadEntry>;
  readonly leadByPhone: IMap<string, string>;
  /**
   * Leads not done, in import order, grouped by where they are (zones and country), so that a tick asks once
   * per group whether calling is allowed now rather than once per lead.
   */
  readonly queues: IMap<string, OrderedSet<string>>;
  readonly nextOrder: number;
  readonly active: OrderedMap<string, ActiveAttempt>;
  readonly endedAttempts: ISet<string>;
  /** The pacing slot of the last dial (ms). */
  readonly lastSlot: number | undefined;
  /** Dials so far that took a caller ID from the campaign's rotation. */
  readonly rotation: number;
  readonly imports: IMap<string, StagedImport>;
}

export type ExistingCampaign = CampaignState & { readonly settings: CampaignSettings };

export const initialCampaignState = (): CampaignState => ({
  status: 'none',
  kind: 'leads',
  settings: undefined,
  revision: 0,
  started: false,
  leads: IMap(),
  leadByPhone: IMap(),
  queues: IMap(),
  nextOrder: 0,
  active: OrderedMap(),
  endedAttempts: ISet(),
  lastSlot: undefined,
  rotation: 0,
  imports: IMap(),
});

/** The group of a lead: its zones (empty: the campaign's) and its country. */
export const queueKey = (lead: Pick<Lead, 'timeZones' | 'country'>): string =>
  `${lead.timeZones.join(',')}|${lead.country ?? ''}`;

export const queueWhere = (key: string): { zones: readonly string[]; country: string | undefined } => {
  const [zones = '', country = ''] = key.split('|');
  return { zones: zones === '' ? [] : zones.split(','), country: country === '' ? undefined : country };
};

/** The lead as the dialer needs it (number, variables, agent and caller ID of a callback). */
export const leadOf = (state: CampaignState, leadId: string): LeadEntry | undefined =>
  state.leads.get(leadId);

/** Dial attempts started and not yet ended, oldest first. */
export const activeAttempts = (state: CampaignState): readonly ActiveAttempt[] => [...state.active.values()];

/** A lead that may still be dialled now or later (not done, not in a call, attempts left). */
export const isPending = (entry: LeadEntry, settings: CampaignSettings): boolean =>
  entry.status === 'pending' && entry.attempts < settings.retry.maxAttempts;

export const isEnded = (status: CampaignState['status']): boolean =>
  status === 'completed' || status === 'cancelled';
