import { describe, expect, it } from 'vitest';
import { createLedgerPayments } from '@ccp/command-service';
import { portalSession, returnUrlFor, type PaymentsPortal } from './portal.js';

/** A Stripe-like port that records what it was asked. */
const recordingStripe = () => {
  const asked: { customerId: string; returnUrl: string }[] = [];
  const port: PaymentsPortal = {
    provider: 'stripe',
    portalSession: (input) => {
      asked.push(input);
      return Promise.resolve({ url: `https://billing.stripe.com/p/session/${input.customerId}` });
    },
  };
  return { port, asked };
};

const RETURN = 'https://console.example/billing';

describe('the payment method page', () => {
  it("is Stripe's portal for the account's customer", async () => {
    const { port, asked } = recordingStripe();
    expect(await portalSession(port, 'acme', { customerId: 'cus_123' }, RETURN)).toEqual({
      url: 'https://billing.stripe.com/p/session/cus_123',
    });
    expect(asked).toEqual([{ customerId: 'cus_123', returnUrl: RETURN }]);
  });

  it('is refused on Stripe while the account has no customer, and without an account', async () => {
    const { port, asked } = recordingStripe();
    await expect(portalSession(port, 'acme', { customerId: '' }, RETURN)).rejects.toMatchObject({
      status: 409,
      code: 'NO_BILLING_CUSTOMER',
    });
    await expect(portalSession(port, 'acme', undefined, RETURN)).rejects.toMatchObject({ status: 404 });
    expect(asked).toEqual([]);
  });

  it("is the console's card form on the ledger, before the customer is linked too", async () => {
    expect(await portalSession(createLedgerPayments(), 'acme', { customerId: '' }, RETURN)).toEqual({
      url: 'https://console.example/billing?payment-method=1',
    });
  });
});

describe("the portal's return address", () => {
  const request = { host: 'console.acme.example', protocol: 'http' };
  it("is the console's billing page on the request's host, or a page on that host", () => {
    expect(returnUrlFor(undefined, request)).toBe('http://console.acme.example/billing');
    expect(returnUrlFor('https://console.acme.example/billing?x=1', request)).toBe(
      'https://console.acme.example/billing?x=1',
    );
  });
  it('refuses another host, so the portal cannot send people anywhere', () => {
    expect(() => returnUrlFor('https://evil.example/billing', request)).toThrow(
      expect.objectContaining({ status: 400, code: 'RETURN_URL_NOT_ALLOWED', field: 'returnUrl' }),
    );
  });
});
