import { computed, ref, watch } from 'vue';
import { useRouter } from 'vue-router';
import { useI18n } from 'vue-i18n';
import { useDialog, useMessage } from 'naive-ui';
import { command, config, type Agent, type Department } from '../../../api/admin';
import { defined, slugOf, useAdminSession, useCommandForm, useRowAction } from '../form';
import { hoursOf } from '../hours';
import { agentSettings, blankDraft, draftOf, type AgentDraft } from './agent-draft';

/**
 * One AI agent in its editor: read (with the departments it may belong to) into a draft, then created or
 * updated from it, enabled or disabled, deleted. Without an id, a new agent whose id follows its name until
 * the id is typed.
 */
export const useAgentEditor = (props: { readonly agentId?: string }) => {
  const { t } = useI18n();
  const router = useRouter();
  const message = useMessage();
  const dialog = useDialog();
  const { tenantId, canConfigure } = useAdminSession();
  const rowAction = useRowAction();

  const creating = computed(() => props.agentId === undefined);
  const editable = computed(() => canConfigure.value);
  const agent = ref<Agent | undefined>();
  const departments = ref<Department[]>([]);
  const draft = ref<AgentDraft>(blankDraft());
  const idEdited = ref(false);
  const loading = ref(false);
  const loadError = ref<unknown>();
  const form = useCommandForm(() => [
    'agentId',
    'name',
    'type',
    'departmentId',
    'voice',
    'personality',
    'systemPrompt',
    'languages',
    'businessHours',
    'fallback',
    'escalationRules',
    'concurrencyLimit',
  ]);

  const load = async (): Promise<void> => {
    loading.value = true;
    loadError.value = undefined;
    form.reset();
    try {
      const [agents, depts] = await Promise.all([
        props.agentId === undefined ? Promise.resolve([]) : config.agents(),
        config.departments(),
      ]);
      departments.value = depts;
      if (props.agentId === undefined) {
        agent.value = undefined;
        draft.value = blankDraft();
        idEdited.value = false;
      } else {
        agent.value = agents.find((a) => a.id === props.agentId);
        if (agent.value === undefined) {
          loadError.value = new Error(t('admin.agents.notFound', { id: props.agentId }));
        } else {
          draft.value = draftOf(agent.value);
          idEdited.value = true;
        }
      }
    } catch (e) {
      loadError.value = e;
    } finally {
      loading.value = false;
    }
  };
  watch(() => props.agentId, load, { immediate: true });
  watch(
    () => draft.value.name,
    (name) => {
      if (creating.value && !idEdited.value) draft.value.id = slugOf(name);
    },
  );

  const save = async (): Promise<void> => {
    const d = draft.value;
    const agentId = d.id.trim();
    const ok = await form.submit(() =>
      creating.value
        ? command(
            'CreateAgent',
            defined({
              tenantId: tenantId(),
              agentId,
              ...agentSettings(d),
              departmentId: d.departmentId === '' ? undefined : d.departmentId,
              businessHours: d.ownHours ? hoursOf(d.hours) : undefined,
            }),
          )
        : command(
            'UpdateAgent',
            defined({
              tenantId: tenantId(),
              agentId,
              ...agentSettings(d),
              // null takes the agent out of its department or back to the inherited hours.
              departmentId: d.departmentId === '' ? null : d.departmentId,
              businessHours: d.ownHours ? hoursOf(d.hours) : null,
            }),
          ),
    );
    if (!ok) return;
    message.success(t(creating.value ? 'admin.agents.created' : 'admin.agents.saved', { name: d.name }));
    if (creating.value) await router.replace({ name: 'admin-agent', params: { agentId } });
    else await load();
  };

  const toggle = async (): Promise<void> => {
    const a = agent.value;
    if (!a) return;
    const enabling = a.status !== 'enabled';
    const ok = await rowAction.run(
      'toggle',
      () => command(enabling ? 'EnableAgent' : 'DisableAgent', { tenantId: tenantId(), agentId: a.id }),
      t(enabling ? 'admin.agents.enabled' : 'admin.agents.disabled', { name: a.name }),
    );
    if (ok) await load();
  };

  const remove = (): void => {
    const a = agent.value;
    if (!a) return;
    dialog.error({
      title: t('admin.agents.deleteTitle', { name: a.name }),
      content: t('admin.agents.deleteBody'),
      positiveText: t('admin.common.delete'),
      negativeText: t('admin.common.cancel'),
      onPositiveClick: async () => {
        const ok = await rowAction.run(
          'delete',
          () => command('DeleteAgent', { tenantId: tenantId(), agentId: a.id }),
          t('admin.agents.deleted', { name: a.name }),
        );
        if (ok) await router.push({ name: 'admin-agents' });
      },
    });
  };

  return {
    creating,
    editable,
    agent,
    departments,
    draft,
    idEdited,
    loading,
    loadError,
    form,
    rowAction,
    load,
    save,
    toggle,
    remove,
  };
};
