import { isDeepStrictEqual } from 'node:util';
import type {
  billingEvents,
  CommandOf,
  EventOf,
  billingCommands,
  InvoiceSnapshot,
  LedgerCard,
  PaymentProvider,
  PlanTier,
  SnapshotSource,
  SubscriptionSnapshot,
  TierSegment,
} from '@ccp/schemas';

type BillingCommand = CommandOf<(typeof billingCommands)[number]>;
type BillingEvent = EventOf<(typeof billingEvents)[number]>;
type MeterTypes = 'RecordUsage' | 'CloseMeter' | 'UsageMetered' | 'MeterClosed';

export type AccountCommand = Exclude<BillingCommand, { type: MeterTypes }>;
export type AccountEvent = Exclude<BillingEvent, { type: MeterTypes }>;

export interface Dunning {
  readonly invoiceId: string;
  readonly startedAt: string;
  readonly graceEndsAt: string;
  /** The grace ran out and the tenant was suspended for it. */
  readonly suspended: boolean;
}

/** The tier stretch still running: a trial stretch is free until `trialUntil`, paid after it. */
export interface OpenStretch {
  readonly tier: PlanTier;
  readonly from: string;
  readonly trialUntil: string | undefined;
}

export interface OpenAccount {
  readonly status: 'open';
  readonly billingEmail: string;
  readonly companyName: string;
  readonly customer: { readonly provider: PaymentProvider; readonly customerId: string } | undefined;
  readonly subscription: SubscriptionSnapshot | undefined;
  /** A start was asked for and no subscription was recorded since. */
  readonly startPending: boolean;
  /** A subscription was recorded at some time: a trial is granted once per account, so none is granted again. */
  readonly hadSubscription: boolean;
  /** The creation time of the newest provider event recorded: an older one arriving late is stale. */
  readonly lastProviderEventAt: string | undefined;
  readonly card: LedgerCard | undefined;
  readonly invoices: ReadonlyMap<string, InvoiceSnapshot>;
  /** Invoices a payment was recorded for (a provider's snapshot may say paid before the payment is recorded). */
  readonly paid: ReadonlySet<string>;
  /** `<invoice>#<attempt>` of every failed payment recorded. */
  readonly failures: ReadonlySet<string>;
  readonly dunning: Dunning | undefined;
  /** Tier stretches that ended in months not invoiced yet, for the ledger's prorated fee. */
  readonly stretches: readonly TierSegment[];
  readonly current: OpenStretch | undefined;
}

export type AccountState = { readonly status: 'none' } | OpenAccount;

const LIVE = ['trialing', 'active', 'past_due'] as const;
type LiveSubscription = SubscriptionSnapshot & { readonly status: (typeof LIVE)[number] };

/** A subscription the tenant still has: it can be changed or cancelled, and no second one may start. */
export const isLive = (subscription: SubscriptionSnapshot | undefined): subscription is LiveSubscription =>
  subscription !== undefined && (LIVE as readonly string[]).includes(subscription.status);

const plain = (value: unknown): unknown =>
  value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);

/** Compares snapshots as they are stored: an absent optional field equals an undefined one. */
export const sameSnapshot = (a: unknown, b: unknown): boolean => isDeepStrictEqual(plain(a), plain(b));

const ms = (at: string): number => Date.parse(at);
const iso = (at: number): string => new Date(at).toISOString();

/**
 * An invoice still owed: an open one (or one known only by its failed payment). Paid and draft ones are not, and
 * neither are void and uncollectible ones: a business decision, an invoice the platform owner wrote off no
 * longer keeps the tenant in dunning or suspended.
 */
const owed = (invoice: InvoiceSnapshot | undefined): boolean =>
  invoice === undefined || invoice.status === 'open';

/** Voided or marked uncollectible by the platform owner. */
export const isWrittenOff = (state: OpenAccount, invoiceId: string): boolean => {
  const status = state.invoices.get(invoiceId)?.status;
  return status === 'void' || status === 'uncollectible';
};

/**
 * How far an invoice's life has come: draft, open, then paid, void or uncollectible; an uncollectible one can
 * still be paid or voided. A description of an earlier stage, arriving late, is stale.
 */
const STAGE: Readonly<Record<InvoiceSnapshot['status'], number>> = {
  draft: 0,
  open: 1,
  uncollectible: 2,
  paid: 3,
  void: 3,
};

/** Whether `invoice` describes an earlier stage than the one recorded. */
export const isStaleInvoice = (state: OpenAccount, invoice: InvoiceSnapshot): boolean => {
  const known = state.invoices.get(invoice.invoiceId);
  return known !== undefined && STAGE[invoice.status] < STAGE[known.status];
};

export const isPaid = (state: OpenAccount, invoiceId: string): boolean =>
  state.paid.has(invoiceId) || state.invoices.get(invoiceId)?.status === 'paid';

/** Invoices recorded or failed that are still owed. */
export const unpaidInvoiceIds = (state: OpenAccount): string[] => {
  const failed = [...state.failures].map((key) => key.slice(0, key.lastIndexOf('#')));
  const ids = new Set([...state.invoices.keys(), ...failed]);
  return [...ids].filter((id) => !state.paid.has(id) && owed(state.invoices.get(id)));
};

/** When a recorded snapshot took effect: the provider's time, the ledger's, or the time it was recorded. */
const effectiveAt = (data: {
  subscription: SubscriptionSnapshot;
  source: SnapshotSource;
  recordedAt?: string | undefined;
}): string => {
  if (data.source.kind === 'provider_event') return data.source.createdAt;
  if (data.source.kind === 'ledger') return data.source.at;
  return data.source.requestedAt ?? data.recordedAt ?? data.subscription.currentPeriodStart;
};

/** The stretch a snapshot runs from `at`: none once it lapsed; a trial that is already over is no trial. */
const stretchOf = (subscription: SubscriptionSnapshot, at: string): OpenStretch | undefined => {
  if (!isLive(subscription)) return undefined;
  const trialUntil =
    subscription.status === 'trialing'
      ? (subscription.trialEndsAt ?? subscription.currentPeriodEnd)
      : undefined;
  return {
    tier: subscription.tier,
    from: at,
    trialUntil: trialUntil !== undefined && ms(trialUntil) > ms(at) ? trialUntil : undefined,
  };
};

/** The open stretch as segments up to `to`: free while the trial lasts, paid after. */
export const closeStretch = (stretch: OpenStretch, to: string): TierSegment[] => {
  const { tier, from, trialUntil } = stretch;
  const segments: TierSegment[] = [];
  const trialEnd = trialUntil === undefined ? ms(from) : Math.min(ms(trialUntil), ms(to));
  if (trialEnd > ms(from)) segments.push({ tier, from, to: iso(trialEnd), trial: true });
  const paidFrom = Math.max(trialEnd, ms(from));
  if (ms(to) > paidFrom) segments.push({ tier, from: iso(paidFrom), to, trial: false });
  return segments;
};

/** Adjacent stretches of one tier and kind are one: a trial that ran out, then recorded as active. */
const merged = (segments: readonly TierSegment[]): TierSegment[] =>
  segments.reduce<TierSegment[]>((all, segment) => {
    const last = all.at(-1);
    if (last && last.to === segment.from && last.tier === segment.tier && last.trial === segment.trial) {
      return [...all.slice(0, -1), { ...last, to: segment.to }];
    }
    return [...all, segment];
  }, []);

/** The tier segments of the time before `until` that was not invoiced yet. */
export const segmentsUntil = (state: OpenAccount, until: string): TierSegment[] =>
  merged([...state.stretches, ...(state.current ? closeStretch(state.current, until) : [])]);

/** The tier in force at an instant, from the stretches: free when no subscription ran then. */
export const tierAt = (state: OpenAccount, at: string): PlanTier => {
  const instant = ms(at);
  const found = segmentsUntil(state, iso(instant + 1)).find(
    (s) => ms(s.from) <= instant && instant < ms(s.to),
  );
  return found?.tier ?? 'free';
};

const recordSubscription = (
  state: OpenAccount,
  data: { subscription: SubscriptionSnapshot; source: SnapshotSource; recordedAt?: string | undefined },
): OpenAccount => {
  const at = effectiveAt(data);
  const next = stretchOf(data.subscription, at);
  const unchanged =
    state.current !== undefined &&
    next !== undefined &&
    state.current.tier === next.tier &&
    state.current.trialUntil === next.trialUntil;
  const source = data.source;
  return {
    ...state,
    subscription: data.subscription,
    startPending: false,
    hadSubscription: true,
    lastProviderEventAt:
      source.kind === 'provider_event' &&
      (state.lastProviderEventAt === undefined || ms(source.createdAt) > ms(state.lastProviderEventAt))
        ? source.createdAt
        : state.lastProviderEventAt,
    ...(!unchanged && {
      stretches: [...state.stretches, ...(state.current ? closeStretch(state.current, at) : [])],
      current: next,
    }),
  };
};

const recordInvoice = (state: OpenAccount, invoice: InvoiceSnapshot, source: SnapshotSource): OpenAccount => {
  const invoices = new Map(state.invoices).set(invoice.invoiceId, invoice);
  // A ledger month is invoiced once: the stretches that ended in it are no longer needed.
  const stretches =
    source.kind === 'ledger'
      ? state.stretches.filter((s) => ms(s.to) > ms(invoice.periodEnd))
      : state.stretches;
  return { ...state, invoices, stretches };
};

export const evolveAccount = (state: AccountState, event: AccountEvent): AccountState => {
  if (event.type === 'BillingAccountOpened') {
    return {
      status: 'open',
      ...event.data,
      customer: undefined,
      subscription: undefined,
      startPending: false,
      hadSubscription: false,
      lastProviderEventAt: undefined,
      card: undefined,
      invoices: new Map(),
      paid: new Set(),
      failures: new Set(),
      dunning: undefined,
      stretches: [],
      current: undefined,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'BillingContactUpdated':
      return { ...state, ...event.data };
    case 'BillingCustomerLinked':
      return { ...state, customer: event.data };
    case 'SubscriptionRequested':
      return { ...state, startPending: true };
    case 'SubscriptionRequestFailed':
      return { ...state, startPending: false };
    case 'SubscriptionTierChangeRequested':
    case 'SubscriptionCancellationRequested':
      return state;
    case 'LedgerPaymentMethodUpdated':
      return { ...state, card: event.data.card };
    case 'SubscriptionRecorded':
      return recordSubscription(state, event.data);
    case 'InvoiceRecorded':
      return recordInvoice(state, event.data.invoice, event.data.source);
    case 'PaymentReceived':
      return { ...state, paid: new Set(state.paid).add(event.data.invoiceId) };
    case 'PaymentFailed':
      return {
        ...state,
        failures: new Set(state.failures).add(`${event.data.invoiceId}#${event.data.attempt}`),
      };
    case 'DunningStarted':
      return { ...state, dunning: { ...event.data, suspended: false } };
    case 'DunningGraceExpired':
      return state.dunning ? { ...state, dunning: { ...state.dunning, suspended: true } } : state;
    case 'DunningEnded':
      return { ...state, dunning: undefined };
  }
};
