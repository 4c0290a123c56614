import type { useFormat } from '../../utils/format';
import { NONE } from '../../utils/format';

type Format = ReturnType<typeof useFormat>;

/** Periods the platform-wide figures are read over, in days. */
export const RANGES = ['1', '7', '30', '90'] as const;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The last `days` days up to now, as the admin routes take them. */
export const rangeOf = (days: string): { from: string; to: string } => {
  const to = new Date();
  return { from: new Date(to.getTime() - Number(days) * DAY_MS).toISOString(), to: to.toISOString() };
};

/** US dollars in the console's language; an unknown amount is "—", never $0. */
export const usd = (f: Format, value: number | null | undefined, digits = 2): string =>
  value === null || value === undefined
    ? NONE
    : new Intl.NumberFormat(f.tag.value, {
        style: 'currency',
        currency: 'USD',
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      }).format(value);

export type TagType = 'default' | 'success' | 'warning' | 'error' | 'info';

export const statusType = (status: string): TagType =>
  status === 'active'
    ? 'success'
    : status === 'suspended'
      ? 'warning'
      : status === 'disabled' || status === 'deletion_requested'
        ? 'error'
        : 'default';

/** IANA time zones the browser knows, for a tenant's clock; the platform checks them again. */
export const timeZones = (): string[] => {
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  const zones = supported ? supported('timeZone') : [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
};

/** A share (0..1+) as a progress percentage, capped for the bar; the figure beside it says the real value. */
export const barPercent = (ratio: number | null): number =>
  ratio === null ? 0 : Math.max(0, Math.min(100, Math.round(ratio * 100)));
