import { computed, h, type Ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { NButton, NTag, type DataTableColumns } from 'naive-ui';
import type { CallScript } from '../../../api/admin';
import { useFormat } from '../../../utils/format';

/**
 * The scripts table's columns: name and id, agent type, language, how many steps and objections, status, and
 * the row's actions (edit, or view when it may not be edited; archive).
 */
export const useScriptColumns = (actions: {
  /** Whether the signed-in person may edit scripts at all. */
  canEditKnowledge: Readonly<Ref<boolean>>;
  /** The row action under way (`archive:<id>`), its button then spinning. */
  pending: Readonly<Ref<string | undefined>>;
  openEdit: (s: CallScript) => void;
  archive: (s: CallScript) => void;
}) => {
  const { t } = useI18n();
  const f = useFormat();
  const { canEditKnowledge, pending, openEdit, archive } = actions;
  return computed<DataTableColumns<CallScript>>(() => [
    {
      title: t('admin.common.name'),
      key: 'name',
      width: 240,
      render: (row) =>
        h('div', { class: 'admin-name-cell' }, [
          h('strong', row.name),
          h('span', { class: 'mono admin-id' }, row.id),
        ]),
    },
    {
      title: t('admin.scripts.agentType'),
      key: 'agentType',
      width: 190,
      render: (row) =>
        row.agentType ? f.label('admin.agentTypes', row.agentType) : t('admin.scripts.anyAgent'),
    },
    { title: t('admin.knowledge.language'), key: 'language', width: 100 },
    {
      title: t('admin.scripts.steps'),
      key: 'steps',
      width: 90,
      align: 'right',
      render: (row) => f.number(row.steps.length),
    },
    {
      title: t('admin.scripts.objections'),
      key: 'objections',
      width: 110,
      align: 'right',
      render: (row) => f.number(row.objections.length),
    },
    {
      title: t('admin.common.status'),
      key: 'status',
      width: 110,
      render: (row) =>
        h(
          NTag,
          { size: 'small', bordered: false, type: row.status === 'archived' ? 'default' : 'success' },
          () => t(`admin.scripts.statuses.${row.status === 'archived' ? 'archived' : 'active'}`),
        ),
    },
    {
      title: t('admin.common.actions'),
      key: 'actions',
      width: 200,
      render: (row) => {
        const editable = canEditKnowledge.value && row.status !== 'archived';
        return h('div', { class: 'row' }, [
          h(
            NButton,
            {
              size: 'small',
              secondary: true,
              'aria-label': t(editable ? 'admin.common.editOf' : 'admin.common.viewOf', { name: row.name }),
              onClick: () => openEdit(row),
            },
            () => t(editable ? 'admin.common.edit' : 'admin.common.view'),
          ),
          editable
            ? h(
                NButton,
                {
                  size: 'small',
                  secondary: true,
                  type: 'warning',
                  loading: pending.value === `archive:${row.id}`,
                  'aria-label': t('admin.scripts.archiveOf', { name: row.name }),
                  onClick: () => archive(row),
                },
                () => t('admin.scripts.archive'),
              )
            : null,
        ]);
      },
    },
  ]);
};
