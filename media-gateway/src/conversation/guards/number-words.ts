import { type Span, matchesOf } from './text.js';

/**
 * Numbers a model wrote out in words, as digits, so that "eighty dollars", "open until six", "cuesta ochenta
 * dólares" and "five five five, one two three…" are checked like "$80", "6 PM" and a phone number. Positions
 * change, so the rewritten text comes with the way back to the words as written: a fact is reported as said.
 */
export interface InDigits {
  readonly text: string;
  /** The span of the original text that a span of the rewritten one came from. */
  readonly source: (span: Span) => Span;
}

const table = (words: readonly string[], first = 0): Map<string, number> =>
  new Map(words.map((w, i) => [w, first + i]));

/** "zero" to "nineteen", each at its value. */
const EN_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
] as const;
/** "cero" to "quince", each at its value. */
const ES_WORDS = [
  'cero',
  'uno',
  'dos',
  'tres',
  'cuatro',
  'cinco',
  'seis',
  'siete',
  'ocho',
  'nueve',
  'diez',
  'once',
  'doce',
  'trece',
  'catorce',
  'quince',
] as const;
/** The hours of a 12-hour clock in words, "one" to "twelve" ("la una": the feminine one). */
export const EN_HOUR_WORDS: readonly string[] = EN_WORDS.slice(1, 13);
export const ES_HOUR_WORDS: readonly string[] = ['una', ...ES_WORDS.slice(2, 13)];

const EN_SMALL = table(EN_WORDS);
const EN_TENS = new Map(
  ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'].map((w, i) => [
    w,
    20 + i * 10,
  ]),
);
const ES_SMALL = new Map<string, number>([
  ...table(ES_WORDS),
  ...table(['dieciséis', 'diecisiete', 'dieciocho', 'diecinueve', 'veinte'], 16),
  ['dieciseis', 16],
  ...table(['veintiuno', 'veintidós', 'veintitrés', 'veinticuatro', 'veinticinco', 'veintiséis'], 21),
  ...table(['veintisiete', 'veintiocho', 'veintinueve'], 27),
  ['veintiún', 21],
  ['veintiun', 21],
  ['veintiuna', 21],
  ['veintidos', 22],
  ['veintitres', 23],
  ['veintiseis', 26],
]);
const ES_TENS = new Map(
  ['treinta', 'cuarenta', 'cincuenta', 'sesenta', 'setenta', 'ochenta', 'noventa'].map((w, i) => [
    w,
    30 + i * 10,
  ]),
);
/** "un"/"una"/"uno" only count after "treinta y…": alone they are mostly articles. */
const ES_ONE = new Set(['un', 'una', 'uno']);
const ES_HUNDREDS = new Map<string, number>([
  ['cien', 100],
  ['ciento', 100],
  ...['dos', 'tres', 'cuatro', 'quinien', 'seis', 'sete', 'ocho', 'nove'].flatMap(
    (stem, i): [string, number][] => {
      const base = stem === 'quinien' ? 'quinient' : `${stem}cient`;
      return [
        [`${base}os`, (i + 2) * 100],
        [`${base}as`, (i + 2) * 100],
      ];
    },
  ),
]);
const HUNDRED = new Set(['hundred', 'hundreds']);
const THOUSAND = new Set(['thousand', 'thousands', 'mil']);
/** English "once", not Spanish 11, unless a Spanish word around it says otherwise. */
const ONCE_BEFORE = new Set(['las', 'son', 'cuesta', 'cuestan', 'unos', 'unas']);
const ONCE_AFTER = /^\s+(?:euros?|dólares|dolares|pesos|libras|mil|horas|minutos|de\s+la)\b/;
/** Words after which two numbers are an hour and its minutes ("at seven thirty"). */
const TIME_BEFORE = new Set([
  'at',
  'until',
  'till',
  'from',
  'to',
  'by',
  'between',
  'and',
  'open',
  'opens',
  'close',
  'closes',
]);

/** What makes "one" a number when it follows: an amount, a unit, a time. */
const ONE_AFTER =
  /^[\s-]+(?:hundred|thousand|dollars?|bucks|euros?|pounds?|percent|per\s+cent|o'clock|[ap]\.?\s?m\b|in\s+the\b|and\s+a\s+half|minutes?\b|hours?\b|days?\b|weeks?\b|months?\b|years?\b|miles?\b|km\b|sessions?\b|visits?\b)/i;
/** Words before "one" o'clock ("open one" is a pronoun, "open at one" a time). */
const ONE_TIME_BEFORE = new Set(['at', 'until', 'till', 'from', 'to', 'by', 'between', 'and']);
/** Words of a number read out digit by digit. */
const DIGIT_WORDS = new Set<string>(['oh', ...EN_WORDS.slice(0, 10)]);

interface Token {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

interface Parsed {
  readonly value: number;
  /** Index of the first token after the number. */
  readonly next: number;
}

class Reader {
  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
  ) {}

  word(i: number): string | undefined {
    return this.tokens[i]?.word;
  }

  /** Whether token i directly follows token i-1 (spaces or a hyphen between). */
  joined(i: number): boolean {
    const before = this.tokens[i - 1];
    const token = this.tokens[i];
    return (
      before !== undefined && token !== undefined && /^[\s-]+$/.test(this.text.slice(before.end, token.start))
    );
  }

  /** The word at i if it directly follows i-1. */
  next(i: number): string | undefined {
    return this.joined(i) ? this.word(i) : undefined;
  }

  private small(i: number): number | undefined {
    const w = this.word(i) ?? '';
    if (w === 'once') {
      const before = this.word(i - 1);
      const token = this.tokens[i];
      const after = token ? this.text.slice(token.end) : '';
      if (!(before && ONCE_BEFORE.has(before) && this.joined(i)) && !ONCE_AFTER.test(after)) return undefined;
    }
    if (w === 'one' && !this.oneIsNumber(i)) return undefined;
    // "a la una": one o'clock
    if (w === 'una' && this.word(i - 1) === 'la' && this.joined(i)) return 1;
    return EN_SMALL.get(w) ?? ES_SMALL.get(w);
  }

  /** "one" is a pronoun ("open one", "which one") unless an amount, a time or a digit run says otherwise. */
  private oneIsNumber(i: number): boolean {
    const token = this.tokens[i];
    if (!token) return false;
    const after = this.text.slice(token.end);
    if (/^\s+of\b/i.test(after)) return false;
    if (ONE_AFTER.test(after) || ONE_TIME_BEFORE.has(this.word(i - 1) ?? '')) return true;
    const digit = (k: number): boolean => DIGIT_WORDS.has(this.word(k) ?? '');
    const near = (a: number, b: number): boolean => {
      const before = this.tokens[a];
      const after = this.tokens[b];
      return (
        before !== undefined &&
        after !== undefined &&
        /^[\s,-]+$/.test(this.text.slice(before.end, after.start))
      );
    };
    return (digit(i - 1) && near(i - 1, i)) || (digit(i + 1) && near(i, i + 1));
  }

  /** 0–99: "seven", "twenty-five", "treinta y uno". */
  below100(i: number): Parsed | undefined {
    const w = this.word(i) ?? '';
    const tens = EN_TENS.get(w);
    if (tens !== undefined) {
      const unit = EN_SMALL.get(this.next(i + 1) ?? '');
      return unit !== undefined && unit >= 1 && unit <= 9
        ? { value: tens + unit, next: i + 2 }
        : { value: tens, next: i + 1 };
    }
    const esTens = ES_TENS.get(w);
    if (esTens !== undefined) {
      const after = this.next(i + 2);
      const unit = ES_ONE.has(after ?? '') ? 1 : ES_SMALL.get(after ?? '');
      return this.next(i + 1) === 'y' && unit !== undefined && unit >= 1 && unit <= 9
        ? { value: esTens + unit, next: i + 3 }
        : { value: esTens, next: i + 1 };
    }
    const small = this.small(i);
    return small === undefined ? undefined : { value: small, next: i + 1 };
  }

  /** 0–999: "a hundred", "two hundred and fifty", "ciento veinte", "doscientos". */
  below1000(i: number): Parsed | undefined {
    const w = this.word(i) ?? '';
    const esHundreds = ES_HUNDREDS.get(w);
    if (esHundreds !== undefined) {
      const rest = w === 'cien' || !this.joined(i + 1) ? undefined : this.below100(i + 1);
      return rest ? { value: esHundreds + rest.value, next: rest.next } : { value: esHundreds, next: i + 1 };
    }
    const count = w === 'a' ? { value: 1, next: i + 1 } : this.below100(i);
    if (count && count.value >= 1 && count.value <= 9 && HUNDRED.has(this.next(count.next) ?? '')) {
      const after = count.next + 1;
      const and = this.next(after) === 'and' ? 1 : 0;
      const rest = this.joined(after + and) ? this.below100(after + and) : undefined;
      return rest && rest.value > 0
        ? { value: count.value * 100 + rest.value, next: rest.next }
        : { value: count.value * 100, next: after };
    }
    return w === 'a' ? undefined : count;
  }

  /** 0–999,999: "a thousand", "two thousand five hundred", "mil", "dos mil quinientos". */
  number(i: number): Parsed | undefined {
    const w = this.word(i) ?? '';
    if (w === 'mil') return this.thousands(1, i + 1);
    const count =
      w === 'a' && this.next(i + 1) === 'thousand' ? { value: 1, next: i + 1 } : this.below1000(i);
    if (!count) return undefined;
    return THOUSAND.has(this.next(count.next) ?? '') ? this.thousands(count.value, count.next + 1) : count;
  }

  private thousands(count: number, after: number): Parsed {
    const and = this.next(after) === 'and' ? 1 : 0;
    const rest = this.joined(after + and) ? this.below1000(after + and) : undefined;
    return rest && rest.value > 0
      ? { value: count * 1000 + rest.value, next: rest.next }
      : { value: count * 1000, next: after };
  }
}

interface Replacement extends Span {
  readonly digits: string;
}

const HALF_HOUR = /\b(?:half\s+an\s+hour|a\s+half[\s-]hour|half[\s-]hour|media\s+hora)\b/gi;

const replacementsIn = (text: string): Replacement[] => {
  const tokens: Token[] = matchesOf(/[a-záéíóúüñ]+/i, text).map((m) => ({
    word: m[0].toLowerCase(),
    start: m.index,
    end: m.index + m[0].length,
  }));
  const reader = new Reader(text, tokens);
  const found: Replacement[] = [];
  let i = 0;
  while (i < tokens.length) {
    // "half past six" → 6:30
    const hour =
      tokens[i]?.word === 'half' && reader.next(i + 1) === 'past' && reader.joined(i + 2)
        ? reader.below100(i + 2)
        : undefined;
    const halfStart = tokens[i]?.start ?? 0;
    const hourEnd = hour ? tokens[hour.next - 1]?.end : undefined;
    if (hour && hourEnd !== undefined && hour.value >= 1 && hour.value <= 12) {
      found.push({ start: halfStart, end: hourEnd, digits: `${hour.value}:30` });
      i = hour.next;
      continue;
    }
    const parsed = reader.number(i);
    const first = tokens[i];
    const last = parsed ? tokens[parsed.next - 1] : undefined;
    if (!parsed || !first || !last) {
      i++;
      continue;
    }
    const { value } = parsed;
    let { next } = parsed;
    let digits = String(value);
    // "one and a half" → 1.5; "at seven thirty" / "seven thirty PM" → 7:30
    if (reader.next(next) === 'and' && reader.next(next + 1) === 'a' && reader.next(next + 2) === 'half') {
      digits = `${value}.5`;
      next += 3;
    } else if (value >= 1 && value <= 12 && reader.joined(next)) {
      const minutes = reader.below100(next);
      const lastMinute = minutes ? tokens[minutes.next - 1] : undefined;
      const timeAfter = lastMinute
        ? /^\s*(?:[ap]\.?\s?m\b|in\s+the\b|at\s+night\b)/i.test(text.slice(lastMinute.end))
        : false;
      if (
        minutes &&
        lastMinute &&
        minutes.value >= 10 &&
        minutes.value <= 59 &&
        (TIME_BEFORE.has(reader.word(i - 1) ?? '') || timeAfter)
      ) {
        digits = `${value}:${String(minutes.value).padStart(2, '0')}`;
        next = minutes.next;
      }
    }
    const end = tokens[next - 1]?.end ?? last.end;
    found.push({ start: first.start, end, digits });
    i = next;
  }
  for (const m of matchesOf(HALF_HOUR, text))
    found.push({
      start: m.index,
      end: m.index + m[0].length,
      digits: /media/i.test(m[0]) ? '30 minutos' : '30 minutes',
    });
  return found;
};

/** Text with its number words as digits (see the top of this file). */
export const numbersInDigits = (text: string): InDigits => {
  const replacements = replacementsIn(text)
    .sort((a, b) => a.start - b.start)
    .filter((r, i, all) => i === 0 || r.start >= (all[i - 1]?.end ?? 0));
  let out = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  const keep = (until: number): void => {
    for (; at < until; at++) {
      out += text[at] ?? '';
      starts.push(at);
      ends.push(at + 1);
    }
  };
  for (const r of replacements) {
    keep(r.start);
    out += r.digits;
    for (let k = 0; k < r.digits.length; k++) {
      starts.push(r.start);
      ends.push(r.end);
    }
    at = r.end;
  }
  keep(text.length);
  return {
    text: out,
    source: (span) =>
      span.end <= span.start
        ? { start: starts[span.start] ?? text.length, end: starts[span.start] ?? text.length }
        : { start: starts[span.start] ?? text.length, end: ends[span.end - 1] ?? text.length },
  };
};
