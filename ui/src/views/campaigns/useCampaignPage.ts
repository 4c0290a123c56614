import { onBeforeUnmount, ref, watch } from 'vue';
import { campaigns, followProgress, type CampaignPage, type Progress } from '../../api/campaigns';
import type { LiveState } from '../../api/live';

/**
 * One campaign's page: its settings, imports and progress read once, then the progress followed over the
 * live stream, which sends it at once and after every change the dialer makes.
 */
export const useCampaignPage = (props: { readonly campaignId: string }) => {
  const page = ref<CampaignPage | undefined>();
  const progress = ref<Progress | undefined>();
  const live = ref<LiveState>('connecting');
  const loading = ref(true);
  const loadError = ref<unknown>();
  /** Bumped after a change (an import, a status change), so that the leads table reads again. */
  const refreshKey = ref(0);
  let follower: { stop(): void } | undefined;

  const load = async (): Promise<void> => {
    loading.value = page.value === undefined;
    loadError.value = undefined;
    try {
      const answer = await campaigns.get(props.campaignId);
      page.value = answer;
      progress.value = answer.progress;
      refreshKey.value += 1;
    } catch (e) {
      loadError.value = e;
    } finally {
      loading.value = false;
    }
  };

  const follow = (): void => {
    follower?.stop();
    follower = followProgress(props.campaignId, {
      onProgress: (next) => {
        const before = progress.value;
        progress.value = next;
        // A lead changed state: the leads table and the status (started, completed) read again.
        if (before && (before.done !== next.done || before.inProgress !== next.inProgress)) void load();
      },
      onState: (state) => (live.value = state),
    });
  };

  watch(
    () => props.campaignId,
    async () => {
      page.value = undefined;
      await load();
      if (loadError.value === undefined) follow();
    },
    { immediate: true },
  );
  onBeforeUnmount(() => follower?.stop());

  return { page, progress, live, loading, loadError, refreshKey, load };
};
