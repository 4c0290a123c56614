import { onMounted, ref } from 'vue';
import { can } from '../access';
import { analytics, live } from '../api/endpoints';
import { useSessionStore } from '../stores/session';

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * The agents and departments to filter by, as the read side knows them: from a year of analytics for roles that
 * read analytics, otherwise from today's live board. There is no directory route on the read side yet.
 */
export const useFilterOptions = () => {
  const session = useSessionStore();
  const agents = ref<string[]>([]);
  const departments = ref<string[]>([]);
  onMounted(async () => {
    try {
      if (can(session.role, 'analytics')) {
        const from = new Date(Date.now() - YEAR_MS).toISOString();
        const [a, d] = await Promise.all([analytics.agents({ from }), analytics.departments({ from })]);
        agents.value = a.agents.filter((row) => row.kind === 'ai').map((row) => row.agentId);
        departments.value = d.departments.map((row) => row.departmentId);
      } else {
        const m = await live.snapshot();
        agents.value = m.agents.map((row) => row.id);
        departments.value = m.departments.map((row) => row.id);
      }
    } catch {
      // Without suggestions the filters still list the value in use.
    }
  });
  return { agents, departments };
};

/** Call outcomes as the platform records them (CallOutcome in schemas/src/call.ts). */
export const OUTCOMES = [
  'resolved',
  'escalated',
  'abandoned',
  'voicemail',
  'failed',
  'busy',
  'no_answer',
] as const;
