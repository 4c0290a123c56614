import { onMounted, ref } from 'vue';
import { getJson } from '../api/client';

/** An id to filter by and the name people know it by. */
export interface NamedOption {
  readonly id: string;
  readonly name: string;
}

interface Directory {
  readonly departments: readonly NamedOption[];
  readonly agents: readonly NamedOption[];
  readonly members: readonly NamedOption[];
}

/**
 * The agents, departments and people to filter by, with their names: the tenant's directory
 * (`GET /api/config/directory`), which every role that sees dashboards may read.
 */
export const useFilterOptions = () => {
  const agents = ref<NamedOption[]>([]);
  const departments = ref<NamedOption[]>([]);
  const people = ref<NamedOption[]>([]);
  onMounted(async () => {
    try {
      const directory = await getJson<Directory>('/api/config/directory');
      agents.value = [...directory.agents];
      departments.value = [...directory.departments];
      people.value = [...directory.members];
    } catch {
      // Without suggestions the filters still list the value in use.
    }
  });
  return { agents, departments, people };
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
