import { francAll } from 'franc-min';

/** ISO 639-3 (franc) to the BCP 47 primary tags tenants configure. */
const ISO3: Readonly<Record<string, string>> = {
  en: 'eng',
  es: 'spa',
  fr: 'fra',
  de: 'deu',
  pt: 'por',
  it: 'ita',
  nl: 'nld',
  pl: 'pol',
  ru: 'rus',
  tr: 'tur',
};

/**
 * Function words: callers' lines are short ("yes please", "no gracias"), where character n-grams guess badly,
 * but a few of these words settle the language of most short lines. A greeting's words are among them: "Hola,
 * buenos días" is often all a caller says first.
 */
const FUNCTION_WORDS: Readonly<Record<string, ReadonlySet<string>>> = {
  en: new Set(
    'i you my me the a an is are was to of and in it what can do please yes no thanks thank hello hi want need would like book my name when how that this all have just but not with for on about there your good morning afternoon evening'.split(
      ' ',
    ),
  ),
  es: new Set(
    'yo tú usted mi me el la los las un una es son está de y en que qué por favor sí gracias hola quiero necesito quisiera cita cuando cómo como llamo nombre mañana hablar con eso esto todo nada bien muy pero también tengo puedo hay su sus del al buenos buenas días tardes noches'.split(
      ' ',
    ),
  ),
  fr: new Set(
    'je tu vous mon ma le la les un une est sont de et en que quoi pour oui merci bonjour veux voudrais rendez nom demain parler avec'.split(
      ' ',
    ),
  ),
  de: new Set(
    'ich du sie mein meine der die das ein eine ist sind zu und in was bitte ja nein danke hallo möchte brauche termin name morgen sprechen mit'.split(
      ' ',
    ),
  ),
  pt: new Set(
    'eu você meu minha o a os as um uma é são de e em que por favor sim obrigado obrigada olá quero preciso gostaria consulta nome amanhã falar com'.split(
      ' ',
    ),
  ),
};

/** Asking for a language by name switches to it, whatever the words around it. */
const ASKED_FOR: readonly (readonly [RegExp, string])[] = [
  [/\b(in )?english\b|\binglés\b|\bingles\b/i, 'en'],
  [/\b(en )?español\b|\bespanol\b|\bspanish\b|\bcastellano\b/i, 'es'],
  [/\bfrançais\b|\bfrancais\b|\bfrench\b/i, 'fr'],
  [/\bdeutsch\b|\bgerman\b/i, 'de'],
  [/\bportuguês\b|\bportugues\b|\bportuguese\b/i, 'pt'],
];

const primary = (tag: string): string => tag.split('-')[0] ?? tag;

const words = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[^\p{L}']+/u)
    .filter((w) => w.length > 0);

/**
 * The language a caller line is in, among the tenant's languages, or undefined when the line does not say
 * (too short, or as much one as the other): then the call keeps its current language.
 */
export const detectLanguage = (text: string, languages: readonly string[]): string | undefined => {
  const candidates = [...new Set(languages.map(primary))];
  if (candidates.length < 2) return undefined;
  const tagFor = (lang: string) => languages.find((l) => primary(l) === lang) ?? lang;

  for (const [pattern, lang] of ASKED_FOR) {
    if (candidates.includes(lang) && pattern.test(text)) {
      // "Do you speak Spanish?" in English asks for Spanish; so does "¿habla español?".
      return tagFor(lang);
    }
  }

  const tokens = words(text);
  const votes = candidates
    .map((lang) => ({ lang, count: tokens.filter((w) => FUNCTION_WORDS[lang]?.has(w) ?? false).length }))
    .sort((a, b) => b.count - a.count);
  const [first, second] = votes;
  if (first && first.count > 0 && first.count >= (second?.count ?? 0) + 2) return tagFor(first.lang);

  // Longer lines: character statistics, only when clearly ahead and not against the word vote.
  const only = candidates.flatMap((lang) => ISO3[lang] ?? []);
  if (text.length < 25 || only.length < 2) return undefined;
  const [best, runnerUp] = francAll(text, { only, minLength: 10 });
  if (!best || best[0] === 'und' || (runnerUp && runnerUp[1] > 0.8)) return undefined;
  const lang = Object.entries(ISO3).find(([, iso]) => iso === best[0])?.[0];
  if (lang === undefined) return undefined;
  if (first && second && first.count > second.count && first.lang !== lang) return undefined;
  return tagFor(lang);
};
