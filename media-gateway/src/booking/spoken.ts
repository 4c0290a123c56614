import { wallClockAt } from '@ccp/schemas';

/**
 * Free times as said on the phone, in the tenant's zone: "I have 2:30 PM or 4 PM on Thursday, March 12", "Tengo
 * el jueves 12 de marzo a las 2:30 o a las 4 de la tarde". Times of one day share the day, said once.
 */

const EN_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ES_DAYS = ['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado'];
const EN_MONTHS =
  'January February March April May June July August September October November December'.split(' ');
const ES_MONTHS =
  'enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre'.split(' ');

type Language = 'en' | 'es';

export const spokenLanguage = (tag: string): Language =>
  tag.split('-')[0]?.toLowerCase() === 'es' ? 'es' : 'en';

const clock = (at: Date, timeZone: string) => {
  const w = wallClockAt(at, timeZone);
  const h12 = w.hour % 12 === 0 ? 12 : w.hour % 12;
  return { ...w, h12, minutes: w.minute === 0 ? '' : `:${String(w.minute).padStart(2, '0')}` };
};

const esPeriod = (hour: number, minute: number): string =>
  hour === 12 && minute === 0
    ? 'del mediodía'
    : hour < 12
      ? 'de la mañana'
      : hour < 20
        ? 'de la tarde'
        : 'de la noche';

/** "2:30 PM", "noon"; "2:30" in Spanish (its period is said once for the day, see sayOffers). */
const timeOf = (at: Date, timeZone: string, language: Language): string => {
  const c = clock(at, timeZone);
  if (language === 'es') return `${c.h12 === 1 ? 'a la' : 'a las'} ${c.h12}${c.minutes}`;
  if (c.hour === 12 && c.minute === 0) return 'noon';
  return `${c.h12}${c.minutes} ${c.hour < 12 ? 'AM' : 'PM'}`;
};

const dayOf = (at: Date, timeZone: string, language: Language): string => {
  const c = clock(at, timeZone);
  return language === 'es'
    ? `el ${ES_DAYS[c.weekday]} ${c.day} de ${ES_MONTHS[c.month - 1]}`
    : `${EN_DAYS[c.weekday]}, ${EN_MONTHS[c.month - 1]} ${c.day}`;
};

const joinOr = (items: readonly string[], language: Language): string => {
  const or = language === 'es' ? ' o ' : ' or ';
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')}${or}${items.at(-1)}`;
};

/** The times of one day: "2:30 PM or 4 PM on Thursday, March 12"; "el jueves 12 de marzo a las 2:30 o a las 4 de la tarde". */
const dayPhrase = (times: readonly Date[], timeZone: string, language: Language): string => {
  const first = times[0]!;
  const spoken = times.map((t) => timeOf(t, timeZone, language));
  if (language === 'en') return `${joinOr(spoken, language)} on ${dayOf(first, timeZone, language)}`;
  // Spanish says the period once when the times share it ("a las 2:30 o a las 4 de la tarde").
  const periods = times.map((t) => {
    const c = clock(t, timeZone);
    return esPeriod(c.hour, c.minute);
  });
  const shared = periods.every((p) => p === periods[0]);
  const parts = shared ? spoken : spoken.map((s, i) => `${s} ${periods[i]}`);
  return `${dayOf(first, timeZone, language)} ${joinOr(parts, language)}${shared ? ` ${periods[0]}` : ''}`;
};

/** The offered times as one clause, grouped by local day in order: no lead-in ("I have" is the caller's). */
export const sayTimes = (starts: readonly Date[], timeZone: string, language: Language): string => {
  const days: Date[][] = [];
  for (const at of [...starts].sort((a, b) => a.getTime() - b.getTime())) {
    const last = days.at(-1);
    const c = clock(at, timeZone);
    const lc = last?.[0] && clock(last[0], timeZone);
    if (last && lc && lc.year === c.year && lc.month === c.month && lc.day === c.day) last.push(at);
    else days.push([at]);
  }
  return joinOr(
    days.map((d) => dayPhrase(d, timeZone, language)),
    language,
  );
};

/** "I have 2:30 PM or 4 PM on Thursday, March 12. What time would suit you?" and its Spanish. */
export const sayOffers = (starts: readonly Date[], timeZone: string, language: Language): string =>
  language === 'es'
    ? `Tengo ${sayTimes(starts, timeZone, language)}. ¿A qué hora le viene mejor?`
    : `I have ${sayTimes(starts, timeZone, language)}. What time would suit you?`;
