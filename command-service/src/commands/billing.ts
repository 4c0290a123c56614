import {
  CancelSubscription,
  ChangeSubscriptionTier,
  CloseMeter,
  DunningEnded,
  DunningGraceExpired,
  ExpireDunningGrace,
  FollowSubscriptionTier,
  IssueLedgerInvoice,
  LinkBillingCustomer,
  nextPeriod,
  OpenBillingAccount,
  ReactivateTenant,
  RecordInvoice,
  RecordPayment,
  RecordPaymentFailure,
  RecordSubscription,
  RecordSubscriptionRequestFailure,
  RecordUsage,
  StartSubscription,
  SubscriptionRecorded,
  SuspendTenant,
  tierOfSubscription,
  UpdateBillingContact,
  UpdateLedgerPaymentMethod,
  UsageMetered,
  VerifyPlanTierFits,
  type PlanTier,
} from '@ccp/schemas';
import { accountDecider, meterDecider } from '../domain/billing/index.js';
import { reactionInput } from './reaction-input.js';
import { request, route, type CommandRoute, type Reactions } from './route.js';

export const BILLING_ACCOUNT_ID = 'account';

export const billingAccountStream = (data: { tenantId: string }) => ({
  category: 'billing',
  tenantId: data.tenantId,
  id: BILLING_ACCOUNT_ID,
});

export const meterStream = (data: { tenantId: string; period: string }) => ({
  category: 'meter',
  tenantId: data.tenantId,
  id: data.period,
});

export const SUSPENDED_FOR_PAYMENT = 'Payment overdue: the grace period after a failed payment ran out';

const admins = { stream: billingAccountStream, roles: ['tenant_admin'] } as const;
/** What the payment provider did, recorded by the billing worker and the webhook: concurrent with people. */
const platform = { stream: billingAccountStream, roles: [], retryOnConflict: true } as const;
const meter = { stream: meterStream, roles: [], retryOnConflict: true } as const;

/** A tier the tenant's usage does not fit is refused before it is asked of the provider. */
const tierFits = (tenantId: string, planTier: PlanTier) => [
  request(VerifyPlanTierFits, { tenantId, planTier }),
];

export const billingRoutes: readonly CommandRoute[] = [
  route(OpenBillingAccount, accountDecider, { ...admins, retryOnConflict: false }),
  route(UpdateBillingContact, accountDecider, { ...admins, retryOnConflict: true }),
  // Deciding again after a concurrent write is safe for these: a start meets the other start
  // (SUBSCRIPTION_EXISTS), a change to the tier already asked for is nothing.
  route(StartSubscription, accountDecider, {
    ...admins,
    retryOnConflict: true,
    prerequisites: ({ tenantId, tier }) => tierFits(tenantId, tier),
  }),
  route(ChangeSubscriptionTier, accountDecider, {
    ...admins,
    retryOnConflict: true,
    prerequisites: ({ tenantId, tier }) => tierFits(tenantId, tier),
  }),
  route(CancelSubscription, accountDecider, { ...admins, retryOnConflict: true }),
  route(UpdateLedgerPaymentMethod, accountDecider, { ...admins, retryOnConflict: true }),
  route(LinkBillingCustomer, accountDecider, platform),
  route(RecordSubscription, accountDecider, platform),
  route(RecordSubscriptionRequestFailure, accountDecider, platform),
  route(RecordInvoice, accountDecider, platform),
  route(RecordPayment, accountDecider, platform),
  route(RecordPaymentFailure, accountDecider, platform),
  route(ExpireDunningGrace, accountDecider, platform),
  route(IssueLedgerInvoice, accountDecider, platform),
  route(RecordUsage, meterDecider, meter),
  route(CloseMeter, meterDecider, meter),
];

export const billingReactions: Reactions = {
  // The tenant's tier follows the subscription as the provider describes it; a lapsed one falls back to free.
  SubscriptionRecorded: (event) => {
    const { tenantId, data } = reactionInput(SubscriptionRecorded, event);
    return [request(FollowSubscriptionTier, { tenantId, planTier: tierOfSubscription(data.subscription) })];
  },
  DunningGraceExpired: (event) => {
    const { tenantId } = reactionInput(DunningGraceExpired, event);
    return [request(SuspendTenant, { tenantId, reason: SUSPENDED_FOR_PAYMENT })];
  },
  DunningEnded: (event) => {
    const { tenantId, data } = reactionInput(DunningEnded, event);
    // Only the suspension for the payment: a super admin's suspension for another reason stays.
    return data.suspended
      ? [request(ReactivateTenant, { tenantId, onlyIfSuspendedFor: SUSPENDED_FOR_PAYMENT })]
      : [];
  },
  // Usage metered after its month closed is billed in the next month.
  UsageMetered: (event) => {
    const { tenantId, id: period, data } = reactionInput(UsageMetered, event);
    return data.afterClose
      ? [
          request(RecordUsage, {
            tenantId,
            period: nextPeriod(period),
            items: data.items,
            carriedFrom: period,
          }),
        ]
      : [];
  },
};
