import { Map as IMap, OrderedMap, Set as ISet } from 'immutable';
import type {
  CampaignSettings,
  CampaignStatus,
  CommandOf,
  EventOf,
  Lead,
  campaignCommands,
  campaignEvents,
} from '@ccp/schemas';
import { emptyBook, entryOf, type LeadBook, type LeadEntry, type LeadProgress } from './lead-book.js';

export type { LeadEntry, LeadProgress, RetryOutcome } from './lead-book.js';

export type CampaignCommand = CommandOf<(typeof campaignCommands)[number]>;
export type CampaignEvent = EventOf<(typeof campaignEvents)[number]>;

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
  /** Once committed (the staged rows are then dropped): how many chunks it had. */
  readonly committedChunks?: number;
}

/**
 * One campaign's state. Everything that changes per event is persistent (immutable.js), so evolving shares all
 * but the touched path with the previous state and the cached state of a 100,000-lead campaign is never copied.
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
  readonly book: LeadBook;
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
  book: emptyBook(),
  active: OrderedMap(),
  endedAttempts: ISet(),
  lastSlot: undefined,
  rotation: 0,
  imports: IMap(),
});

/** The lead as the dialer needs it (number, variables, agent and caller ID of a callback) and its progress. */
export const leadOf = (state: CampaignState, leadId: string): LeadEntry | undefined =>
  entryOf(state.book, leadId);

/** Dial attempts started and not yet ended, oldest first. */
export const activeAttempts = (state: CampaignState): readonly ActiveAttempt[] => [...state.active.values()];

/** A lead that may still be dialled now or later (not done, not in a call, attempts left). */
export const isPending = (entry: LeadProgress, settings: CampaignSettings): boolean =>
  entry.status === 'pending' && entry.attempts < settings.retry.maxAttempts;

export const isEnded = (status: CampaignState['status']): boolean =>
  status === 'completed' || status === 'cancelled';
