import { onMounted, ref } from 'vue';
import { billingApi, type BillingOverview } from '../../api/billing';
import { readUntil } from '../campaigns/read-after-write';

/**
 * The tenant's billing as the read side has it, read again after each change until it shows the change: a
 * command is answered once its request is stored, and the provider's answer (the billing worker's
 * RecordSubscription) and the billing tables follow moments later.
 */
export const useBilling = () => {
  const overview = ref<BillingOverview | undefined>();
  const loading = ref(true);
  const loadError = ref<unknown>();

  const load = async (): Promise<void> => {
    loading.value = true;
    loadError.value = undefined;
    try {
      overview.value = await billingApi.overview();
    } catch (e) {
      loadError.value = e;
    } finally {
      loading.value = false;
    }
  };
  onMounted(load);

  /** Reads until the page shows what a change did (or, after a while, what there is then). */
  const refreshUntil = async (shows: (next: BillingOverview) => boolean): Promise<void> => {
    try {
      overview.value = await readUntil(billingApi.overview, shows, 15_000);
    } catch (e) {
      loadError.value = e;
    }
  };

  return { overview, loading, loadError, load, refreshUntil };
};

export type RefreshUntil = ReturnType<typeof useBilling>['refreshUntil'];
