import { computed, ref, watch } from 'vue';
import { useI18n } from 'vue-i18n';
import { useMessage } from 'naive-ui';
import { command, type CallScript } from '../../../api/admin';
import { defined, slugOf, useAdminSession, useCommandForm } from '../form';
import { blankDraft, draftOf, type ScriptDraft } from './script-draft';

/**
 * The drawer that creates a call script, edits one, or shows it to whoever may not edit it (or when it is
 * archived). A new script's id follows its name until the id is typed. After a save the list is read again.
 */
export const useScriptEditor = (saved: () => Promise<void>) => {
  const { t } = useI18n();
  const message = useMessage();
  const { tenantId, canEditKnowledge } = useAdminSession();

  const mode = ref<'create' | 'edit' | 'view' | undefined>();
  const draft = ref<ScriptDraft>(blankDraft());
  const idEdited = ref(false);
  const form = useCommandForm(() => [
    'scriptId',
    'name',
    'agentType',
    'language',
    'opening',
    'steps',
    'objections',
    'closing',
  ]);
  const open = computed({
    get: () => mode.value !== undefined,
    set: (value: boolean) => {
      if (!value) mode.value = undefined;
    },
  });
  watch(
    () => draft.value.name,
    (name) => {
      if (mode.value === 'create' && !idEdited.value) draft.value.id = slugOf(name);
    },
  );
  const openCreate = (): void => {
    form.reset();
    draft.value = blankDraft();
    idEdited.value = false;
    mode.value = 'create';
  };
  const openEdit = (s: CallScript): void => {
    form.reset();
    draft.value = draftOf(s);
    idEdited.value = true;
    mode.value = canEditKnowledge.value && s.status !== 'archived' ? 'edit' : 'view';
  };
  const drawerTitle = computed(() =>
    mode.value === 'create'
      ? t('admin.scripts.new')
      : t('admin.scripts.editTitle', { name: draft.value.name }),
  );

  const save = async (): Promise<void> => {
    const d = draft.value;
    const creating = mode.value === 'create';
    const body = {
      tenantId: tenantId(),
      scriptId: d.id.trim(),
      name: d.name,
      opening: d.opening,
      steps: d.steps.map((s) =>
        defined({
          id: s.id.trim(),
          prompt: s.prompt,
          expectedIntent: s.expectedIntent.trim() === '' ? undefined : s.expectedIntent.trim(),
        }),
      ),
      objections: d.objections.map((o) => ({ objection: o.objection, response: o.response })),
      closing: d.closing,
      language: d.language.trim(),
    };
    const ok = await form.submit(() =>
      creating
        ? command(
            'CreateCallScript',
            defined({ ...body, agentType: d.agentType === '' ? undefined : d.agentType }),
          )
        : command('UpdateCallScript', { ...body, agentType: d.agentType === '' ? null : d.agentType }),
    );
    if (!ok) return;
    message.success(t(creating ? 'admin.scripts.created' : 'admin.scripts.saved', { name: d.name }));
    mode.value = undefined;
    await saved();
  };

  return { mode, draft, idEdited, form, open, drawerTitle, openCreate, openEdit, save };
};
