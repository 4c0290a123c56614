import { computed, ref, watch } from 'vue';
import {
  platformAdmin,
  type TenantConfig,
  type TenantRow,
  type TierInfo,
  type UsageCapRow,
} from '../../../api/platform-admin';
import { reloadUntil } from '../command-form';
import { rangeOf } from '../platform-format';

/**
 * One tenant as the super admin sees it: its row of the tenants overview (last 30 days), its usage against its
 * caps this billing period, the tiers, and its configuration; read again after each change, until the read
 * side shows it.
 */
export const useTenantDetail = (tenantId: () => string) => {
  const overview = ref<TenantRow | undefined>();
  const usage = ref<UsageCapRow | undefined>();
  const period = ref<string>('');
  const tiers = ref<readonly TierInfo[]>([]);
  const config = ref<TenantConfig | undefined>();
  const error = ref<unknown>();
  /**
   * The configuration the forms start from: set when the tenant is read and after a form was saved (every form
   * then starts again from what is recorded), not after a tier or lifecycle change.
   */
  const formConfig = ref<TenantConfig | undefined>();
  const fillForms = (tenant: TenantConfig): void => {
    formConfig.value = tenant;
  };

  const readOverview = async () =>
    (await platformAdmin.tenants(rangeOf('30'))).tenants.find((r) => r.tenantId === tenantId());
  const readUsage = async () => {
    const caps = await platformAdmin.usageCaps();
    period.value = caps.period;
    return caps.tenants.find((r) => r.tenantId === tenantId());
  };

  const load = async (): Promise<void> => {
    error.value = undefined;
    try {
      const [row, caps, catalog, tenant] = await Promise.all([
        readOverview(),
        readUsage(),
        platformAdmin.tiers(),
        platformAdmin.tenantConfig(tenantId()),
      ]);
      overview.value = row;
      usage.value = caps;
      tiers.value = catalog.tiers;
      config.value = tenant;
      fillForms(tenant);
    } catch (e) {
      error.value = e;
    }
  };
  watch(tenantId, load, { immediate: true });

  const name = computed(() => config.value?.name ?? overview.value?.name ?? tenantId());
  const status = computed(() => config.value?.status ?? overview.value?.status ?? '');
  /** Disabled or on its way out: nothing about it can change any more (the commands refuse it). */
  const closed = computed(() => status.value === 'disabled' || status.value === 'deletion_requested');
  const currentTier = computed(() => tiers.value.find((x) => x.tier === config.value?.planTier));

  const lifecycleChanged = async (next: string): Promise<void> => {
    config.value = await platformAdmin.tenantConfig(tenantId());
    overview.value = await reloadUntil(readOverview, (row) => row?.status === next);
  };

  const tierChanged = async (to: string): Promise<void> => {
    config.value = await platformAdmin.tenantConfig(tenantId());
    usage.value = await reloadUntil(readUsage, (row) => row?.planTier === to);
    overview.value = await readOverview();
  };

  /** After a form was saved: the configuration is read again, and every form starts from it. */
  const formSaved = async (): Promise<TenantConfig> => {
    config.value = await platformAdmin.tenantConfig(tenantId());
    fillForms(config.value);
    return config.value;
  };

  /** After the caps were saved: with or without overrides of the tier's caps (`overridden`). */
  const capsSaved = async (overridden: boolean): Promise<void> => {
    const tenant = await formSaved();
    const expected = tenant.billingThresholdUsd ?? null;
    usage.value = await reloadUntil(
      readUsage,
      (row) =>
        row !== undefined && row.billingThresholdUsd === expected && row.limitsOverridden === overridden,
    );
  };

  return {
    overview,
    usage,
    period,
    tiers,
    config,
    error,
    formConfig,
    load,
    name,
    status,
    closed,
    currentTier,
    lifecycleChanged,
    tierChanged,
    formSaved,
    capsSaved,
  };
};
