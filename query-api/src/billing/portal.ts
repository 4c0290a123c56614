import { z } from 'zod';
import type { PaymentProvider } from '@ccp/schemas';
import { CommandRejected } from '@ccp/command-service';

/** What the portal route needs of the payments port (PaymentsPort satisfies it). */
export interface PaymentsPortal {
  readonly provider: PaymentProvider;
  portalSession(input: {
    readonly customerId: string;
    readonly returnUrl: string;
  }): Promise<{ readonly url: string }>;
}

export const PortalRequest = z.strictObject({
  returnUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional()
    .describe("Where the provider's page returns to; default: the console's billing page"),
});
export const PortalSession = z.object({ url: z.string() });

/** The console's billing page, where a ledger card is entered and where Stripe's portal returns to. */
export const BILLING_PAGE = '/billing';

/**
 * Where the provider's page sends the browser back: the console's billing page on the host the request came to,
 * or a page the client names on that same host. Another host is refused: the portal must not become a redirect
 * to anywhere (the scheme may differ behind a proxy that terminates TLS; the host may not).
 */
export const returnUrlFor = (
  requested: string | undefined,
  request: { host: string; protocol: string },
): string => {
  if (requested === undefined) return `${request.protocol}://${request.host}${BILLING_PAGE}`;
  if (new URL(requested).host !== request.host) {
    throw new CommandRejected(
      400,
      'RETURN_URL_NOT_ALLOWED',
      `the return address must be on this console's host (${request.host})`,
      'returnUrl',
    );
  }
  return requested;
};

/**
 * A page where the tenant admin updates the payment method: Stripe's customer portal for the account's
 * customer, or the console's own card form on the ledger. The ledger keeps the card in the account's own events,
 * so an account whose customer the billing worker has not linked yet may already put a card on file: its
 * customer will be the ledger's deterministic one for the tenant.
 */
export const portalSession = async (
  payments: PaymentsPortal,
  tenantId: string,
  account: { readonly customerId: string } | undefined,
  returnUrl: string,
): Promise<z.infer<typeof PortalSession>> => {
  if (account === undefined) {
    throw new CommandRejected(
      404,
      'BILLING_ACCOUNT_NOT_OPEN',
      'no billing account in your tenant: open one first',
    );
  }
  if (payments.provider === 'stripe' && account.customerId === '') {
    throw new CommandRejected(
      409,
      'NO_BILLING_CUSTOMER',
      'the billing account has no Stripe customer yet; try again in a moment',
    );
  }
  const customerId = account.customerId !== '' ? account.customerId : `cus_ledger_${tenantId}`;
  return payments.portalSession({ customerId, returnUrl });
};
