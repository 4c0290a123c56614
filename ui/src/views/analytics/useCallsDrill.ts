import { computed } from 'vue';
import { useRouter } from 'vue-router';
import { can } from '../../access';
import { useSessionStore } from '../../stores/session';
import { compact } from '../../utils/query';
import type { AppliedFilters } from './useAnalyticsFilters';

/**
 * Drill-down: a bucket, a slice or a row opens the call list with the same filters, narrowed to it, for the
 * roles that may read calls.
 */
export const useCallsDrill = (applied: () => AppliedFilters) => {
  const router = useRouter();
  const session = useSessionStore();

  const openCalls = (narrow: Record<string, string | undefined>): void => {
    const a = applied();
    void router.push({
      name: 'calls',
      query: compact({
        from: a.from,
        to: a.to,
        agentId: a.agentId,
        departmentId: a.departmentId,
        direction: a.direction,
        outcome: a.outcome,
        ...narrow,
        drill: 'analytics',
      }),
    });
  };
  const canCalls = computed(() => can(session.role, 'calls'));

  /** The applied filters as a query, for the links to the call list. */
  const stringFilters = (): Record<string, string | undefined> => {
    const a = applied();
    return {
      from: a.from,
      to: a.to,
      agentId: a.agentId,
      departmentId: a.departmentId,
      direction: a.direction,
      outcome: a.outcome,
    };
  };

  return { canCalls, openCalls, stringFilters };
};
