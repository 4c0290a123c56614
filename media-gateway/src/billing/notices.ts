import { createHash } from 'node:crypto';
import { derivedMessageId } from '@ccp/command-service';

/** The notices of a dunning, each sent once per recipient. */
export type NoticeKind = 'payment-failed' | 'grace-ending' | 'suspended' | 'restored';

/** How long before the grace ends the reminder goes out (only when the grace is longer than that). */
export const GRACE_REMINDER_MS = 3 * 86_400_000;

/** What a notice says. */
export interface NoticeFacts {
  readonly companyName: string;
  readonly invoiceId: string;
  /** The number printed on the invoice, when known. */
  readonly invoiceNumber?: string;
  readonly amountDueCents?: number;
  readonly graceEndsAt: string;
  /** For `restored`: the tenant had been suspended and is not any more. */
  readonly suspended?: boolean;
}

export interface PlannedNotice {
  readonly messageId: string;
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  readonly dueAt: string;
  readonly expiresAt?: string;
}

/**
 * The id of a notice: from the event that caused it, the kind and the recipient, so planning it again (a replay,
 * a restart before the checkpoint moved) schedules nothing twice. The recipient is hashed: ids show in stream
 * names, and an address must not.
 */
export const noticeMessageId = (causeEventId: string, kind: NoticeKind, to: string): string =>
  derivedMessageId(
    `bill-${causeEventId}-${kind}-${createHash('sha256').update(to.toLowerCase()).digest('hex').slice(0, 12)}`,
  );

/** The billing email first, then the tenant admins, each address once. */
export const recipientsOf = (billingEmail: string, admins: readonly string[]): string[] => [
  ...new Set([billingEmail, ...admins].map((address) => address.toLowerCase())),
];

const dollars = (cents: number): string =>
  `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

const day = (at: string): string =>
  new Date(at).toLocaleDateString('en-US', {
    timeZone: 'UTC',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });

const textOf = (kind: NoticeKind, facts: NoticeFacts): { subject: string; body: string } => {
  const company = facts.companyName;
  const invoice = facts.invoiceNumber ?? facts.invoiceId;
  const owed =
    facts.amountDueCents === undefined
      ? 'The amount due'
      : `The amount due, ${dollars(facts.amountDueCents)},`;
  const graceEnds = day(facts.graceEndsAt);
  switch (kind) {
    case 'payment-failed':
      return {
        subject: `Payment failed for ${company}'s CustomerCare Pro subscription`,
        body:
          `We could not collect the payment for invoice ${invoice}. ${owed} is still open. ` +
          `Please update the payment method on the Billing page before ${graceEnds} (UTC); ` +
          `after that date the account is suspended until the invoice is paid.`,
      };
    case 'grace-ending':
      return {
        subject: `Action needed: ${company}'s CustomerCare Pro account will be suspended on ${graceEnds}`,
        body:
          `Invoice ${invoice} is still unpaid. ${owed} must be paid by ${graceEnds} (UTC), or the account ` +
          `is suspended. Update the payment method on the Billing page to keep your service running.`,
      };
    case 'suspended':
      return {
        subject: `${company}'s CustomerCare Pro account is suspended`,
        body:
          `Invoice ${invoice} was not paid before the grace period ended, so the account is suspended and ` +
          `calls are no longer taken. Pay the invoice from the Billing page and the service is restored at once.`,
      };
    case 'restored':
      return {
        subject: `Payment received: ${company}'s CustomerCare Pro account is in good standing`,
        body: facts.suspended
          ? `Thank you: the payment for invoice ${invoice} was received and the suspension is lifted. ` +
            `Calls are taken again.`
          : `Thank you: the payment for invoice ${invoice} was received and nothing is left unpaid. ` +
            `Your service continues as before.`,
      };
  }
};

/**
 * The notice of one kind to every recipient, due when its cause happened (`at`; one in the past goes at once).
 * The reminder before the grace ends is due three days before it and expires when it ends.
 */
export const planNotices = (
  kind: NoticeKind,
  cause: { readonly eventId: string; readonly at: string },
  facts: NoticeFacts,
  recipients: readonly string[],
): PlannedNotice[] => {
  const text = textOf(kind, facts);
  const reminder = kind === 'grace-ending';
  const dueAt = reminder
    ? new Date(Date.parse(facts.graceEndsAt) - GRACE_REMINDER_MS).toISOString()
    : new Date(cause.at).toISOString();
  return recipients.map((to) => ({
    messageId: noticeMessageId(cause.eventId, kind, to),
    to,
    ...text,
    dueAt,
    ...(reminder && { expiresAt: new Date(facts.graceEndsAt).toISOString() }),
  }));
};

/** Whether the grace is long enough for a reminder three days before it ends. */
export const remindsBeforeGraceEnds = (dunning: {
  readonly startedAt: string;
  readonly graceEndsAt: string;
}): boolean => Date.parse(dunning.graceEndsAt) - Date.parse(dunning.startedAt) > GRACE_REMINDER_MS;
