import { computed } from 'vue';
import { useI18n } from 'vue-i18n';

/** What the console shows for a figure the API reported as unknown (null): never a made-up zero. */
export const NONE = '—';

/** Number, percentage, duration and time formats in the console's language. */
export const useFormat = () => {
  const { locale, t, te } = useI18n();
  const tag = computed(() => (locale.value === 'es' ? 'es-ES' : 'en-US'));

  const number = (value: number | null | undefined, digits = 0): string =>
    value === null || value === undefined
      ? NONE
      : new Intl.NumberFormat(tag.value, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(
          value,
        );

  const fixed = (value: number | null | undefined, digits: number): string =>
    value === null || value === undefined
      ? NONE
      : new Intl.NumberFormat(tag.value, {
          maximumFractionDigits: digits,
          minimumFractionDigits: digits,
        }).format(value);

  const percent = (value: number | null | undefined): string =>
    value === null || value === undefined
      ? NONE
      : new Intl.NumberFormat(tag.value, { style: 'percent', maximumFractionDigits: 1 }).format(value);

  /** 75 → "1:15", 3725 → "1:02:05". */
  const duration = (seconds: number | null | undefined): string => {
    if (seconds === null || seconds === undefined) return NONE;
    const whole = Math.round(seconds);
    const h = Math.floor(whole / 3600);
    const m = Math.floor((whole % 3600) / 60);
    const s = whole % 60;
    const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
    return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
  };

  const dateTime = (iso: string | null | undefined): string =>
    iso === null || iso === undefined || iso === ''
      ? NONE
      : new Intl.DateTimeFormat(tag.value, { dateStyle: 'medium', timeStyle: 'medium' }).format(
          new Date(iso),
        );

  const time = (iso: string | null | undefined): string =>
    iso === null || iso === undefined || iso === ''
      ? NONE
      : new Intl.DateTimeFormat(tag.value, { timeStyle: 'medium' }).format(new Date(iso));

  /** "+1:02.350": an offset from the start of a call. */
  const offset = (ms: number): string => {
    const minutes = Math.floor(ms / 60_000);
    const seconds = (ms % 60_000) / 1000;
    return `+${minutes}:${seconds.toFixed(3).padStart(6, '0')}`;
  };

  /** The translated name of an API enum value (an outcome, a status...), or the value itself when unknown. */
  const label = (group: string, value: string | null | undefined): string => {
    if (value === null || value === undefined || value === '') return NONE;
    const key = `${group}.${value}`;
    return te(key) ? t(key) : value;
  };

  return { tag, number, fixed, percent, duration, dateTime, time, offset, label };
};
