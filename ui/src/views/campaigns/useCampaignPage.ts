import { onBeforeUnmount, ref, watch } from 'vue';
import { campaigns, followProgress, type CampaignPage, type Progress } from '../../api/campaigns';
import type { LiveState } from '../../api/live';
import { readCreated, readUntil } from './read-after-write';

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

  const load = async (shows: (page: CampaignPage) => boolean = () => true): Promise<void> => {
    loading.value = page.value === undefined;
    loadError.value = undefined;
    try {
      // A campaign created a moment ago may not be on the read side yet.
      const answer = await readUntil(() => readCreated(() => campaigns.get(props.campaignId)), shows);
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

  /** After a command of the page: read until the campaign shows its effect. */
  const afterCommand = async (type: string): Promise<void> => {
    const imports = page.value?.imports.length ?? 0;
    const expected: Record<string, (p: CampaignPage) => boolean> = {
      ScheduleCampaign: (p) => p.campaign.status !== 'draft',
      PauseCampaign: (p) => p.campaign.status === 'paused',
      ResumeCampaign: (p) => p.campaign.status !== 'paused',
      CancelCampaign: (p) => p.campaign.status === 'cancelled',
      ImportLeads: (p) => p.imports.length > imports,
    };
    await load(expected[type]);
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

  return { page, progress, live, loading, loadError, refreshKey, load, afterCommand };
};
