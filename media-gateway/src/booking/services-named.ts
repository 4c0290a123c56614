/**
 * Which of the tenant's services a caller's words name: "a haircut and a colour" is two services, booked back to
 * back in the order said. Matching ignores case and accents ("coloración" is "coloracion") and takes a name said
 * whole before one of its words ("beard trim" before "trim"); a name's own words count alone too ("a cleaning"
 * names "Teeth cleaning"), as do their plurals.
 */

export interface NamedService {
  readonly serviceId: string;
  readonly name: string;
}

export const normaliseWords = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** Words too common in service names to name one alone. */
const WEAK = new Set(
  'appointment appointments visit session service consultation cita consulta sesion servicio with and the for con para del'.split(
    ' ',
  ),
);

interface Match {
  readonly index: number;
  readonly length: number;
  readonly whole: boolean;
  readonly service: NamedService;
}

const wordAt = (text: string, phrase: string, from = 0): number => {
  let at = text.indexOf(phrase, from);
  while (at >= 0) {
    const before = at === 0 || text[at - 1] === ' ';
    const end = at + phrase.length;
    const after = end === text.length || text[end] === ' ';
    if (before && after) return at;
    at = text.indexOf(phrase, at + 1);
  }
  return -1;
};

const matchesOf = (text: string, service: NamedService): Match[] => {
  const name = normaliseWords(service.name);
  const found: Match[] = [];
  for (const form of [name, `${name}s`, `${name}es`]) {
    const at = wordAt(text, form);
    if (at >= 0) found.push({ index: at, length: form.length, whole: true, service });
  }
  for (const word of name.split(' ')) {
    if (word.length < 4 || WEAK.has(word)) continue;
    for (const form of [word, `${word}s`, `${word}es`]) {
      const at = wordAt(text, form);
      if (at >= 0) found.push({ index: at, length: form.length, whole: false, service });
    }
  }
  return found;
};

/** The services the words name, in the order said (at most `max`); empty when they name none. */
export const servicesNamed = <S extends NamedService>(
  words: string,
  services: readonly S[],
  max = 5,
): S[] => {
  const text = normaliseWords(words);
  const candidates = services
    .flatMap((service) => matchesOf(text, service))
    // Whole names first, then the longer: "beard trim" wins its words over a "trim" of another service.
    .sort((a, b) => Number(b.whole) - Number(a.whole) || b.length - a.length || a.index - b.index);
  const taken: Match[] = [];
  for (const match of candidates) {
    const overlaps = taken.some(
      (t) => match.index < t.index + t.length && t.index < match.index + match.length,
    );
    if (overlaps || taken.some((t) => t.service.serviceId === match.service.serviceId)) continue;
    taken.push(match);
  }
  return taken
    .sort((a, b) => a.index - b.index)
    .slice(0, max)
    .map((m) => m.service as S);
};
