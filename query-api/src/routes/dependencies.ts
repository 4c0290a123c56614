import type { EventStore } from '@ccp/command-service';
import type { ReadStore } from '@ccp/projections';
import type { ProviderFailure, ProviderFallbacks } from '../admin/health.js';
import type { PaymentsPortal } from '../billing/portal.js';
import type { ReportContext } from '../analytics/reports.js';
import type { Catalog } from '../config/catalog.js';
import type { CampaignLiveFeed } from '../campaigns/live.js';
import type { LiveFeed } from '../live/feed.js';
import type { ReportBook } from '../reports/book.js';

export interface ChainCheck {
  readonly streamId: string;
  readonly events: number;
  readonly valid: boolean;
  readonly unchained: number;
  readonly brokenAt?: { readonly revision: number; readonly eventId: string; readonly reason: string };
}

export interface QueryDependencies {
  readonly readStore: () => ReadStore;
  /** The decrypting event store: replays show what was said. */
  readonly store: EventStore;
  readonly verifyChain: (streamId: string) => Promise<ChainCheck>;
  /** What a report of the tenant needs: the read store, its time zone and tier, the clock. */
  readonly reportContext: (tenantId: string) => Promise<ReportContext>;
  readonly live: LiveFeed;
  /** Each watched campaign's progress. */
  readonly campaignLive: CampaignLiveFeed;
  readonly now: () => Date;
  readonly log: (message: string) => void;
  /** The stream processors' lag, for the health page. */
  readonly processors: () => unknown;
  /** Which adapter each port runs on. */
  readonly engines: Readonly<Record<string, string>>;
  /** The remote providers' last failures, from the media gateway (none when it does not run here). */
  readonly providerFailures: () => readonly ProviderFailure[];
  /** How often calls fell back from each provider, by reason (none when the media gateway does not run here). */
  readonly providerFallbacks: () => readonly ProviderFallbacks[];
  readonly reports: ReportBook;
  readonly tenantName: (tenantId: string) => Promise<string>;
  /** What each tenant has configured, for the console's editors. */
  readonly catalog: Catalog;
  /** The secret a report's webhook deliveries are signed with. */
  readonly webhookSecret: (tenantId: string, reportId: string) => string;
  /**
   * The key the tenant's calendar feed tokens are signed with; made on first use when `create`, else undefined
   * for a tenant that never had one (an unauthenticated feed request must not make keys).
   */
  readonly calendarFeedSecret: (tenantId: string, create: boolean) => Buffer | undefined;
  /** The payments provider the platform bills with (PAYMENTS): the payment method page is its. */
  readonly payments: PaymentsPortal;
}
