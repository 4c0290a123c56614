import { useI18n } from 'vue-i18n';
import { ApiError } from '../api/client';

/** Codes whose translation says all there is to say; for the others the API's own message adds the detail. */
const SELF_EXPLAINED = new Set([
  'INVALID_CREDENTIALS',
  'INVALID_CODE',
  'NETWORK',
  'UNAUTHENTICATED',
  'RATE_LIMITED',
]);

/**
 * The words shown for a failure, from the API's error body `{error: {code, message, field?}}`: a translation of
 * the code when the console knows it, the API's message (written for people) and the field at fault.
 */
export const useErrorText = () => {
  const { t, te } = useI18n();
  return (error: unknown): string => {
    if (error instanceof ApiError) {
      const key = `errors.${error.code}`;
      const known = te(key);
      let text: string;
      if (known && SELF_EXPLAINED.has(error.code)) text = t(key);
      else if (known) text = `${t(key)} (${error.message})`;
      else text = error.message || t('errors.generic', { code: error.code });
      const explained = known && SELF_EXPLAINED.has(error.code);
      return error.field !== undefined && !explained
        ? `${text} ${t('errors.field', { field: error.field })}`
        : text;
    }
    if (error instanceof Error) return error.message;
    return t('errors.generic', { code: 'UNKNOWN' });
  };
};
