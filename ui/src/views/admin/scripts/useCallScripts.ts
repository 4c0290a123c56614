import { computed, onMounted, ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { useDialog } from 'naive-ui';
import { command, config, type CallScript } from '../../../api/admin';
import { useAdminSession, useRowAction } from '../form';

/**
 * The tenant's call scripts as the list shows them: read when the page opens and again after each change,
 * archived ones only when asked for, and archived (for good) after a confirmation.
 */
export const useCallScripts = () => {
  const { t } = useI18n();
  const dialog = useDialog();
  const { tenantId } = useAdminSession();
  const rowAction = useRowAction();

  const scripts = ref<CallScript[]>([]);
  const loading = ref(true);
  const loadError = ref<unknown>();
  const showArchived = ref(false);

  const load = async (): Promise<void> => {
    loading.value = true;
    loadError.value = undefined;
    try {
      scripts.value = await config.scripts();
    } catch (e) {
      loadError.value = e;
    } finally {
      loading.value = false;
    }
  };
  onMounted(load);
  const shown = computed(() => scripts.value.filter((s) => showArchived.value || s.status !== 'archived'));
  const archivedCount = computed(() => scripts.value.filter((s) => s.status === 'archived').length);

  const archive = (s: CallScript): void => {
    dialog.warning({
      title: t('admin.scripts.archiveTitle', { name: s.name }),
      content: t('admin.scripts.archiveBody'),
      positiveText: t('admin.scripts.archive'),
      negativeText: t('admin.common.cancel'),
      onPositiveClick: async () => {
        const ok = await rowAction.run(
          `archive:${s.id}`,
          () => command('ArchiveCallScript', { tenantId: tenantId(), scriptId: s.id }),
          t('admin.scripts.archived', { name: s.name }),
        );
        if (ok) await load();
      },
    });
  };

  return {
    loading,
    loadError,
    showArchived,
    shown,
    archivedCount,
    pending: rowAction.pending,
    load,
    archive,
  };
};
