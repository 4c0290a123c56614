import { z } from 'zod';
import { PLAN_LIMITS, PLAN_TIERS, periodBounds, tierPriceCents } from '@ccp/schemas';
import { monthInvoiceOf, type OpenAccount } from '@ccp/command-service';

export const ProjectedLine = z.object({
  kind: z.string(),
  description: z.string(),
  quantity: z.number(),
  amountCents: z.number().int(),
});

export const ProjectedInvoice = z.object({
  periodStart: z.string(),
  periodEnd: z.string(),
  lines: z.array(ProjectedLine),
  totalCents: z.number().int(),
});
export type ProjectedInvoice = z.infer<typeof ProjectedInvoice>;

export const TierRow = z.object({
  tier: z.string(),
  monthlyFeeCents: z.number().int(),
  perMinuteCents: z.number().int(),
  perMillionTokensCents: z.number().int(),
  includedMinutes: z.number().nullable(),
  includedTokens: z.number().nullable(),
});

/** Every tier's price list in cents, from the same table the ledger invoices with. */
export const tierTable = (): z.infer<typeof TierRow>[] =>
  PLAN_TIERS.map((tier) => ({
    tier,
    ...tierPriceCents(tier),
    includedMinutes: PLAN_LIMITS[tier].includedMinutesPerMonth,
    includedTokens: PLAN_LIMITS[tier].llmTokensPerMonth,
  }));

export interface ProjectionInput {
  readonly tenantId: string;
  /** The UTC month `YYYY-MM` being projected. */
  readonly period: string;
  /** The billing account as its events make it; none: nothing is invoiced. */
  readonly account: OpenAccount | undefined;
  readonly callSeconds: number;
  readonly llmTokens: number;
  readonly now: Date;
}

/**
 * What this month's invoice would be if the month ended with things as they are: the ledger's own invoice of the
 * month (monthInvoiceOf, over the account's tier stretches, trials free, the usage beyond what the tier at the
 * month's end includes), so the projection and the invoice agree to the cent when nothing changes before the
 * month ends. A Stripe account's invoice is Stripe's: priced from the same table, it is projected the same way.
 */
export const projectedInvoice = (input: ProjectionInput): ProjectedInvoice => {
  const { start, end } = periodBounds(input.period);
  const { tenantId, period, callSeconds, llmTokens } = input;
  const invoice =
    input.account &&
    monthInvoiceOf(input.account, { tenantId, period, callSeconds, llmTokens }, input.now.toISOString());
  const lines = (invoice?.lines ?? []).map(({ kind, description, quantity, amountCents }) => ({
    kind,
    description,
    quantity,
    amountCents,
  }));
  return {
    periodStart: start.toISOString(),
    periodEnd: end.toISOString(),
    lines,
    totalCents: lines.reduce((sum, line) => sum + line.amountCents, 0),
  };
};
