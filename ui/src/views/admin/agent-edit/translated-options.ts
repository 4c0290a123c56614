import { useI18n } from 'vue-i18n';

/** Select options for values whose labels are translated under one group (`admin.tones.<value>`…). */
export const useTranslatedOptions = () => {
  const { t } = useI18n();
  return (values: readonly string[], group: string) =>
    values.map((value) => ({ value, label: t(`${group}.${value}`) }));
};
