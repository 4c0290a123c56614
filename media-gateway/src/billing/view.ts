import { BILLING_ACCOUNT_ID, type EventStore } from '@ccp/command-service';
import {
  decodeEvent,
  parseStreamName,
  streamName,
  type billingEvents,
  type EventEnvelope,
  type EventOf,
  type memberEvents,
  type PaymentProvider,
  type SubscriptionSnapshot,
} from '@ccp/schemas';

type BillingEvent = EventOf<(typeof billingEvents)[number]>;
type MemberEvent = EventOf<(typeof memberEvents)[number]>;

export type DunningStatus = 'active' | 'expired' | 'ended';

export interface DunningEntry {
  readonly invoiceId: string;
  readonly startedAt: string;
  readonly graceEndsAt: string;
  /** The DunningStarted event: the notices about this dunning are named after it. */
  readonly startedEventId: string;
  status: DunningStatus;
}

export interface AccountEntry {
  readonly tenantId: string;
  billingEmail: string;
  companyName: string;
  /** When the account was opened: its first month is the first one the ledger closes. */
  readonly openedAt: string;
  /** The BillingAccountOpened event: the idempotency key of the provider's customer. */
  readonly openedEventId: string;
  customer?: { readonly provider: PaymentProvider; readonly customerId: string };
  subscription?: SubscriptionSnapshot;
  /** The last dunning, ended ones included (their reminder notice is cancelled by id). */
  dunning?: DunningEntry;
  /** What each invoice that failed asked for, in cents (the notices quote it). */
  readonly amountDue: Map<string, number>;
  /** The number printed on each invoice, by invoice id (the notices name the invoice by it). */
  readonly invoiceNumbers: Map<string, string>;
  /** The subscription requests whose provider answer is recorded: they are not asked of the provider again. */
  readonly answeredRequests: Set<string>;
}

interface MemberEntry {
  readonly email: string;
  readonly name: string;
  role: string;
}

const OPEN_CATEGORIES = /^(billing|meter|member)-/;

/** Whether an event of this stream can change the billing view; others need not even be decoded. */
export const foldsInto = (streamId: string): boolean => OPEN_CATEGORIES.test(streamId);

/** The billing account in a state folded from its events, for a reader that holds only the account's stream. */
export const accountOf = (tenantId: string, events: readonly EventEnvelope[]): AccountEntry | undefined => {
  const view = new BillingView();
  for (const event of events) view.apply(event);
  return view.account(tenantId);
};

/**
 * The tenant's billing account as stored now, read from its own stream: it may hold events later in the log than
 * the ones a follower has handled (a customer linked since).
 */
export const storedAccount = async (
  store: Pick<EventStore, 'readStream'>,
  tenantId: string,
): Promise<AccountEntry | undefined> =>
  accountOf(
    tenantId,
    (await store.readStream(streamName('billing', tenantId, BILLING_ACCOUNT_ID))).flatMap((recorded) => {
      const decoded = decodeEvent(recorded);
      return decoded.ok ? [decoded.value] : [];
    }),
  );

/**
 * What the billing worker must know, folded from the log: each tenant's billing account (contact, provider
 * customer, subscription, dunning), the months whose meter is closed, and the members who are tenant admins
 * (billing notices go to them as well as to the billing email). Rebuilt from the log at every start.
 */
export class BillingView {
  private readonly accounts = new Map<string, AccountEntry>();
  private readonly byCustomer = new Map<string, string>();
  /** tenant → the periods whose meter is closed. */
  private readonly closed = new Map<string, Set<string>>();
  /** tenant → user id → member. */
  private readonly members = new Map<string, Map<string, MemberEntry>>();

  apply(event: EventEnvelope): void {
    const stream = parseStreamName(event.streamId);
    if (!stream) return;
    switch (stream.category) {
      case 'billing':
        return this.applyAccount(stream.tenantId, event as unknown as BillingEvent & EventEnvelope);
      case 'meter':
        if (event.type === 'MeterClosed') {
          const periods = this.closed.get(stream.tenantId) ?? new Set<string>();
          periods.add(stream.id);
          this.closed.set(stream.tenantId, periods);
        }
        return;
      case 'member':
        return this.applyMember(stream.tenantId, stream.id, event as unknown as MemberEvent);
      default:
        return;
    }
  }

  private applyAccount(tenantId: string, event: BillingEvent & EventEnvelope): void {
    if (event.type === 'BillingAccountOpened') {
      this.accounts.set(tenantId, {
        tenantId,
        billingEmail: event.data.billingEmail,
        companyName: event.data.companyName,
        openedAt: new Date(event.occurredAt).toISOString(),
        openedEventId: event.id,
        amountDue: new Map(),
        invoiceNumbers: new Map(),
        answeredRequests: new Set(),
      });
      return;
    }
    const account = this.accounts.get(tenantId);
    if (!account) return;
    switch (event.type) {
      case 'BillingContactUpdated':
        account.billingEmail = event.data.billingEmail;
        account.companyName = event.data.companyName;
        return;
      case 'BillingCustomerLinked':
        account.customer = { provider: event.data.provider, customerId: event.data.customerId };
        this.byCustomer.set(event.data.customerId, tenantId);
        return;
      case 'SubscriptionRecorded':
        account.subscription = event.data.subscription;
        if (event.data.source.kind === 'request')
          account.answeredRequests.add(event.data.source.requestEventId);
        return;
      case 'SubscriptionRequestFailed':
        account.answeredRequests.add(event.data.requestEventId);
        return;
      case 'InvoiceRecorded':
        account.invoiceNumbers.set(event.data.invoice.invoiceId, event.data.invoice.number);
        return;
      case 'PaymentFailed':
        account.amountDue.set(event.data.invoiceId, event.data.amountDueCents);
        return;
      case 'DunningStarted':
        account.dunning = {
          invoiceId: event.data.invoiceId,
          startedAt: event.data.startedAt,
          graceEndsAt: event.data.graceEndsAt,
          startedEventId: event.id,
          status: 'active',
        };
        return;
      case 'DunningGraceExpired':
        if (account.dunning) account.dunning.status = 'expired';
        return;
      case 'DunningEnded':
        if (account.dunning) account.dunning.status = 'ended';
        return;
      default:
        return;
    }
  }

  private applyMember(tenantId: string, userId: string, event: MemberEvent): void {
    const members = this.members.get(tenantId) ?? new Map<string, MemberEntry>();
    this.members.set(tenantId, members);
    switch (event.type) {
      case 'MemberInvited':
        members.set(userId, { email: event.data.email, name: event.data.name, role: event.data.role });
        return;
      case 'MemberRoleChanged': {
        const member = members.get(userId);
        if (member) member.role = event.data.to;
        return;
      }
      case 'MemberRemoved':
        members.delete(userId);
        return;
      default:
        return;
    }
  }

  account(tenantId: string): AccountEntry | undefined {
    return this.accounts.get(tenantId);
  }

  allAccounts(): AccountEntry[] {
    return [...this.accounts.values()];
  }

  tenantOfCustomer(customerId: string): string | undefined {
    return this.byCustomer.get(customerId);
  }

  isClosed(tenantId: string, period: string): boolean {
    return this.closed.get(tenantId)?.has(period) === true;
  }

  /** The addresses of the tenant's admins, as invited (an erased member's events no longer decode). */
  adminEmails(tenantId: string): string[] {
    return [...(this.members.get(tenantId)?.values() ?? [])]
      .filter((m) => m.role === 'tenant_admin')
      .map((m) => m.email);
  }
}
