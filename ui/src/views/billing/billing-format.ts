import type { useFormat } from '../../utils/format';
import { NONE } from '../../utils/format';

type Format = ReturnType<typeof useFormat>;

/** Integer US cents as money in the console's language; an unknown amount is "—", never $0.00. */
export const money = (f: Format, cents: number | null | undefined): string =>
  cents === null || cents === undefined
    ? NONE
    : new Intl.NumberFormat(f.tag.value, { style: 'currency', currency: 'USD' }).format(cents / 100);

/** A day, without the time: periods, trial ends and grace ends are days to the person reading them. */
export const day = (f: Format, iso: string | null | undefined): string =>
  iso === null || iso === undefined || iso === ''
    ? NONE
    : new Intl.DateTimeFormat(f.tag.value, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));

/**
 * The last day of a period whose end is exclusive (a month runs from the 1st to the next 1st, 00:00 UTC): the
 * day a person would say it ends on.
 */
export const lastDay = (f: Format, iso: string | null | undefined): string =>
  iso === null || iso === undefined || iso === ''
    ? NONE
    : day(f, new Date(Date.parse(iso) - 1).toISOString());

export type TagType = 'default' | 'success' | 'warning' | 'error' | 'info';

export const subscriptionTone = (status: string): TagType => {
  if (status === 'active') return 'success';
  if (status === 'trialing') return 'info';
  if (status === 'past_due' || status === 'incomplete') return 'warning';
  if (status === 'unpaid') return 'error';
  return 'default';
};

export const invoiceTone = (status: string): TagType => {
  if (status === 'paid') return 'success';
  if (status === 'open') return 'warning';
  if (status === 'uncollectible') return 'error';
  return 'default';
};
