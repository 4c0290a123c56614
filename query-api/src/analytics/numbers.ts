/** ClickHouse JSON numbers: 64-bit integers arrive as strings, sums of nothing as null. */
export const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

/** A figure that may not exist: averages of nothing arrive as null (or NaN). */
export const maybe = (value: unknown): number | null =>
  value === null || value === undefined || Number.isNaN(Number(value)) ? null : Number(value);

/** A share of a whole; null when there is no whole to share. */
export const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/** US dollars rounded to the cent. */
export const cents = (usd: number): number => Math.round(usd * 100) / 100;
