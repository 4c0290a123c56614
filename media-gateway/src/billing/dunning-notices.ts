import type { EventEnvelope } from '@ccp/schemas';
import type { BillingSend } from './commands.js';
import { planNotices, recipientsOf, remindsBeforeGraceEnds, type NoticeKind } from './notices.js';
import type { AccountEntry, BillingView, DunningEntry } from './view.js';

/**
 * The billing notices of dunning, by email to the billing address and the tenant admins: on a failed payment
 * (with the amount and the grace end), three days before the grace ends (planned with the first notice, due
 * then, expiring when the grace ends, cancelled when the invoice is paid in time), on suspension and on recovery.
 * Each message's id is derived from the event that caused it, so handling that event again plans nothing twice.
 */
export const dunningNotices = (view: BillingView, send: BillingSend) => {
  const notify = async (
    kind: NoticeKind,
    event: EventEnvelope,
    account: AccountEntry,
    dunning: DunningEntry,
    suspended?: boolean,
  ) => {
    const recipients = recipientsOf(account.billingEmail, view.adminEmails(account.tenantId));
    const amountDueCents = account.amountDue.get(dunning.invoiceId);
    const invoiceNumber = account.invoiceNumbers.get(dunning.invoiceId);
    const notices = planNotices(
      kind,
      { eventId: event.id, at: event.occurredAt },
      {
        companyName: account.companyName,
        invoiceId: dunning.invoiceId,
        graceEndsAt: dunning.graceEndsAt,
        ...(amountDueCents !== undefined && { amountDueCents }),
        ...(invoiceNumber !== undefined && { invoiceNumber }),
        ...(suspended !== undefined && { suspended }),
      },
      recipients,
    );
    for (const notice of notices) {
      await send(
        'ScheduleMessage',
        {
          tenantId: account.tenantId,
          messageId: notice.messageId,
          channel: 'email',
          to: notice.to,
          purpose: 'billing_notice',
          language: 'en',
          subject: notice.subject,
          body: notice.body,
          dueAt: notice.dueAt,
          ...(notice.expiresAt !== undefined && { expiresAt: notice.expiresAt }),
        },
        { correlationId: event.id },
      );
    }
  };

  /** Paid before the grace ended: the reminder planned for three days before its end does not go. */
  const cancelGraceReminder = async (account: AccountEntry, dunning: DunningEntry) => {
    if (!remindsBeforeGraceEnds(dunning)) return;
    const recipients = recipientsOf(account.billingEmail, view.adminEmails(account.tenantId));
    const reminders = planNotices(
      'grace-ending',
      { eventId: dunning.startedEventId, at: dunning.startedAt },
      { companyName: account.companyName, invoiceId: dunning.invoiceId, graceEndsAt: dunning.graceEndsAt },
      recipients,
    );
    for (const reminder of reminders) {
      await send(
        'CancelMessage',
        { tenantId: account.tenantId, messageId: reminder.messageId, reason: 'the invoice was paid' },
        { correlationId: dunning.startedEventId },
      );
    }
  };

  return async (event: EventEnvelope, account: AccountEntry): Promise<void> => {
    const dunning = account.dunning;
    if (!dunning) return;
    switch (event.type) {
      case 'PaymentFailed':
        // A first failure starts dunning in the next event, which sends the notice; a later one is told now.
        if (dunning.status === 'active' || dunning.status === 'expired') {
          const { invoiceId } = event.data as { invoiceId: string };
          await notify('payment-failed', event, account, { ...dunning, invoiceId });
        }
        return;
      case 'DunningStarted':
        await notify('payment-failed', event, account, dunning);
        if (remindsBeforeGraceEnds(dunning)) await notify('grace-ending', event, account, dunning);
        return;
      case 'DunningGraceExpired':
        await notify('suspended', event, account, dunning);
        return;
      case 'DunningEnded': {
        const { suspended } = event.data as { suspended: boolean };
        await notify('restored', event, account, dunning, suspended);
        if (!suspended) await cancelGraceReminder(account, dunning);
        return;
      }
      default:
        return;
    }
  };
};
