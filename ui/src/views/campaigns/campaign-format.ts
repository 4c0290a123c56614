import { useI18n } from 'vue-i18n';
import type { CampaignStatus } from '../../api/campaigns';
import { NONE, useFormat } from '../../utils/format';

/** A status's tag colour: running is the good news, paused a warning, ended states muted. */
export const STATUS_TAG: Record<CampaignStatus, 'default' | 'info' | 'success' | 'warning' | 'error'> = {
  draft: 'default',
  scheduled: 'info',
  running: 'success',
  paused: 'warning',
  completed: 'default',
  cancelled: 'error',
};

/** Campaign figures in the viewer's language: money, shares, instants and the next window. */
export const useCampaignFormat = () => {
  const format = useFormat();
  const { t } = useI18n();
  const usd = (value: number | null | undefined): string =>
    value === null || value === undefined
      ? NONE
      : new Intl.NumberFormat(format.tag.value, { style: 'currency', currency: 'USD' }).format(value);
  /** When the next window opens; null means open now (or none within two weeks), said as such. */
  const nextWindow = (iso: string | null | undefined, status: CampaignStatus | undefined): string => {
    if (status !== undefined && !['scheduled', 'running', 'paused'].includes(status)) return NONE;
    if (iso === null || iso === undefined) return t('campaigns.progress.openNow');
    return new Intl.DateTimeFormat(format.tag.value, { dateStyle: 'medium', timeStyle: 'short' }).format(
      new Date(iso),
    );
  };
  const status = (value: string): string => format.label('campaigns.status', value);
  const outcome = (value: string | null | undefined): string => format.label('campaigns.outcomes', value);
  return { ...format, usd, nextWindow, status, outcome };
};
