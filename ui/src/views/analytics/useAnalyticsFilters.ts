import { computed, ref, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import type { CallFilters, Interval } from '../../api/types';
import type { FilterDraft } from '../../components/FilterBar.vue';
import { dateInputOf, instantOfDate, lastDayInputOf } from '../../utils/dates';
import { compact, oneOf, queryString } from '../../utils/query';

const DAY = 24 * 60 * 60 * 1000;

/** The filters the analytics page shows: the period (always set), its buckets and the call filters. */
export interface AppliedFilters extends CallFilters {
  from: string;
  to: string;
  interval: Interval;
}

/**
 * The analytics filters kept in the route's query: what is applied (read from the query, with the last 30 days
 * by default), the draft the filter bar edits, and applying or resetting it (a new query).
 */
export const useAnalyticsFilters = () => {
  const route = useRoute();
  const router = useRouter();

  // The default period: the last 30 days, today included, in the browser's days.
  const today = dateInputOf(new Date().toISOString());
  const defaultTo = instantOfDate(today, true) ?? new Date().toISOString();
  const defaultFrom = instantOfDate(dateInputOf(new Date(Date.now() - 29 * DAY).toISOString())) ?? defaultTo;

  const applied = computed<AppliedFilters>(() => {
    const q = route.query;
    const direction = oneOf(queryString(q, 'direction'), ['inbound', 'outbound'] as const);
    const agentId = queryString(q, 'agentId');
    const departmentId = queryString(q, 'departmentId');
    const outcome = queryString(q, 'outcome');
    return {
      from: queryString(q, 'from') ?? defaultFrom,
      to: queryString(q, 'to') ?? defaultTo,
      interval: oneOf(queryString(q, 'interval'), ['hour', 'day', 'week'] as const) ?? 'day',
      ...(agentId !== undefined && { agentId }),
      ...(departmentId !== undefined && { departmentId }),
      ...(direction !== undefined && { direction }),
      ...(outcome !== undefined && { outcome }),
    };
  });

  const draftOf = (a: AppliedFilters): FilterDraft => ({
    from: dateInputOf(a.from),
    to: lastDayInputOf(a.to),
    interval: a.interval,
    agentId: a.agentId ?? '',
    departmentId: a.departmentId ?? '',
    direction: a.direction ?? '',
    outcome: a.outcome ?? '',
    status: '',
    escalated: '',
    sort: '',
    order: '',
  });
  const draft = ref<FilterDraft>(draftOf(applied.value));
  watch(applied, (a) => {
    draft.value = draftOf(a);
  });

  const apply = (): void => {
    const d = draft.value;
    void router.push({
      query: compact({
        from: instantOfDate(d.from),
        to: instantOfDate(d.to, true),
        interval: d.interval,
        agentId: d.agentId,
        departmentId: d.departmentId,
        direction: d.direction,
        outcome: d.outcome,
      }),
    });
  };
  const reset = (): void => {
    void router.push({ query: {} });
  };

  /** The applied filters without the interval: what the call-based reports and the call list take. */
  const filters = computed<CallFilters>(() => {
    const { interval: _interval, ...rest } = applied.value;
    return rest;
  });

  return { applied, draft, apply, reset, filters };
};
