import { ref, watch, type Ref } from 'vue';
import { analytics } from '../../api/endpoints';
import type {
  AgentComparison,
  CallFilters,
  DepartmentReport,
  IntentReport,
  OutcomeReport,
  SentimentReport,
  SlaReport,
  UsageReport,
  VolumeReport,
} from '../../api/types';
import type { AppliedFilters } from './useAnalyticsFilters';

/** Every report the analytics page shows, read together for the same filters. */
export interface AnalyticsReports {
  volume: VolumeReport;
  outcomes: OutcomeReport;
  sentiment: SentimentReport;
  intents: IntentReport;
  agents: AgentComparison;
  departments: DepartmentReport;
  sla: SlaReport;
  usage: UsageReport;
}

/**
 * The reports for the applied filters, read again whenever they change; an answer to filters that were
 * replaced meanwhile is dropped.
 */
export const useAnalyticsReports = (
  applied: Readonly<Ref<AppliedFilters>>,
  filters: Readonly<Ref<CallFilters>>,
) => {
  const reports = ref<AnalyticsReports | undefined>();
  const loading = ref(false);
  const error = ref<unknown>();
  let generation = 0;

  const load = async (): Promise<void> => {
    const mine = (generation += 1);
    loading.value = true;
    error.value = undefined;
    const q = filters.value;
    const interval = applied.value.interval;
    try {
      const [volume, outcomes, sentiment, intents, agents, departments, sla, usage] = await Promise.all([
        analytics.volume({ ...q, interval }),
        analytics.outcomes(q),
        analytics.sentiment({ ...q, interval }),
        analytics.intents(q),
        analytics.agents(q),
        analytics.departments(q),
        analytics.sla(q),
        analytics.usage(q),
      ]);
      if (mine !== generation) return;
      reports.value = { volume, outcomes, sentiment, intents, agents, departments, sla, usage };
    } catch (e) {
      if (mine === generation) error.value = e;
    } finally {
      if (mine === generation) loading.value = false;
    }
  };
  watch(applied, () => void load(), { immediate: true });

  return { reports, loading, error, load };
};
