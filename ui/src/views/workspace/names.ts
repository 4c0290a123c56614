import type { Directory } from '../../api/workspace';
import { NONE } from '../../utils/format';

/** People, AI agents and departments by name where the directory knows them, else by their ids. */
export const namesOf = (directory: Directory | undefined) => {
  const people = new Map(directory?.members.map((m) => [m.id, m.name]) ?? []);
  const agents = new Map(directory?.agents.map((a) => [a.id, a.name]) ?? []);
  const departments = new Map(directory?.departments.map((d) => [d.id, d.name]) ?? []);
  const of =
    (map: ReadonlyMap<string, string>) =>
    (id: string | null | undefined): string =>
      id === null || id === undefined || id === '' ? NONE : (map.get(id) ?? id);
  return { person: of(people), agent: of(agents), department: of(departments) };
};
