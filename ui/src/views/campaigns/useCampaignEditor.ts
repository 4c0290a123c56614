import { computed, ref, watch } from 'vue';
import { useRouter } from 'vue-router';
import { useI18n } from 'vue-i18n';
import { useMessage } from 'naive-ui';
import { command, config, type Agent, type CallScript, type PhoneNumber } from '../../api/admin';
import { ApiError } from '../../api/client';
import { campaigns, type CampaignDetail } from '../../api/campaigns';
import { slugOf, useAdminSession, useCommandForm } from '../admin/form';
import { readUntil } from './read-after-write';
import { blankDraft, changesOf, draftOf, isRunning, settingsOf, type CampaignDraft } from './campaign-draft';

/** The form's fields as the API names them (an edit's refusal names them under `changes.`). */
const FIELDS = [
  'campaignId',
  'name',
  'agentId',
  'callerIds',
  'scriptId',
  'startDate',
  'endDate',
  'timeZone',
  'windows',
  'holidays',
  'retry',
  'pacing',
  'voicemail',
];

/**
 * One campaign in its editor: read with the tenant's agents, numbers and scripts into a draft, then created, or
 * updated with the settings revision it was read at. A 409 (someone else's edit came first) keeps the draft
 * and asks for a reload rather than overwriting their change.
 */
export const useCampaignEditor = (props: { readonly campaignId?: string }) => {
  const { t } = useI18n();
  const router = useRouter();
  const message = useMessage();
  const { tenantId } = useAdminSession();

  const creating = computed(() => props.campaignId === undefined);
  const campaign = ref<CampaignDetail | undefined>();
  const agents = ref<Agent[]>([]);
  const numbers = ref<PhoneNumber[]>([]);
  const scripts = ref<CallScript[]>([]);
  const draft = ref<CampaignDraft>(blankDraft());
  const idEdited = ref(false);
  const loading = ref(false);
  const loadError = ref<unknown>();
  const form = useCommandForm(() => [...FIELDS, ...FIELDS.map((f) => `changes.${f}`)]);

  const running = computed(() => isRunning(campaign.value?.status));
  const changed = computed(() => {
    const e = form.error.value;
    return e instanceof ApiError && e.code === 'CAMPAIGN_CHANGED';
  });
  const fieldError = (path: string): string | undefined =>
    form.fieldError(path) ?? form.fieldError(`changes.${path}`);

  /** Reads the campaign; after a 409, until the read side shows a revision newer than the one edited. */
  const load = async (newerThan?: number): Promise<void> => {
    loading.value = true;
    loadError.value = undefined;
    form.reset();
    try {
      const [a, n, s, page] = await Promise.all([
        config.agents(),
        config.numbers(),
        // Scripts are optional: a campaign runs without one.
        config.scripts().catch(() => [] as CallScript[]),
        props.campaignId !== undefined
          ? readUntil(
              () => campaigns.get(props.campaignId ?? ''),
              (p) => newerThan === undefined || p.campaign.revision > newerThan,
            )
          : Promise.resolve(undefined),
      ]);
      agents.value = a;
      numbers.value = n.filter((number) => number.kind === 'pstn');
      scripts.value = s;
      campaign.value = page?.campaign;
      draft.value = page ? draftOf(page.campaign) : blankDraft();
      idEdited.value = page !== undefined;
    } catch (e) {
      loadError.value = e;
    } finally {
      loading.value = false;
    }
  };
  watch(
    () => props.campaignId,
    () => load(),
    { immediate: true },
  );
  const reload = (): Promise<void> => load(campaign.value?.revision);

  // A new campaign's id follows its name until the id is typed.
  watch(
    () => draft.value.name,
    (name) => {
      if (creating.value && !idEdited.value) draft.value.campaignId = slugOf(name);
    },
  );

  const save = async (): Promise<void> => {
    const current = campaign.value;
    const ok = await form.submit(async () => {
      if (current === undefined) {
        await command('CreateCampaign', {
          tenantId: tenantId(),
          campaignId: draft.value.campaignId.trim(),
          ...settingsOf(draft.value),
        });
        return;
      }
      const changes = changesOf(draft.value, current, running.value);
      if (Object.keys(changes).length === 0) return;
      await command('UpdateCampaign', {
        tenantId: tenantId(),
        campaignId: current.campaignId,
        revision: current.revision,
        changes,
      });
    });
    if (!ok) return;
    message.success(t('campaigns.editor.saved', { name: draft.value.name }));
    await router.push({
      name: 'campaign',
      params: { campaignId: current?.campaignId ?? draft.value.campaignId.trim() },
    });
  };

  return {
    creating,
    campaign,
    agents,
    numbers,
    scripts,
    draft,
    idEdited,
    loading,
    loadError,
    form,
    running,
    changed,
    fieldError,
    load,
    reload,
    save,
  };
};
