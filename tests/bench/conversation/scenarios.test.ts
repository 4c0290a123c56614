import { describe, expect, it } from 'vitest';
import { BUSINESSES, CATEGORIES, KINDS, SCENARIOS, splitOf, type Business, type Scenario } from './index.js';

// The conversation benchmark's data is what its figures mean: every caller can reach its goal with what its business
// knows and offers, and the split and spread are what the README says.

const businessOf = (scenario: Scenario): Business | undefined =>
  BUSINESSES.find((b) => b.id === scenario.business);
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const SHORT = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

describe('the conversation benchmark', () => {
  it('has at least 150 callers across six kinds of business, in English and Spanish', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(150);
    expect(new Set(BUSINESSES.map((b) => b.kind))).toEqual(new Set(KINDS));
    const spanish = SCENARIOS.filter((s) => s.language === 'es').length;
    expect(spanish / SCENARIOS.length).toBeGreaterThanOrEqual(0.2);
    for (const c of CATEGORIES)
      expect(SCENARIOS.filter((s) => s.category === c).length, c).toBeGreaterThanOrEqual(6);
  });

  it('names every caller once, by its business and language', () => {
    expect(new Set(SCENARIOS.map((s) => s.id)).size).toBe(SCENARIOS.length);
    for (const s of SCENARIOS) {
      const business = businessOf(s);
      expect(business, s.id).toBeDefined();
      expect(s.id.startsWith(`${business?.kind ?? '?'}/${s.language}/`), s.id).toBe(true);
      expect(s.lines.length, s.id).toBeGreaterThan(0);
    }
    expect(new Set(BUSINESSES.map((b) => b.number)).size).toBe(BUSINESSES.length);
  });

  it('keeps about a third of the callers aside, of every category', () => {
    const heldOut = SCENARIOS.filter((s) => splitOf(s) === 'held-out');
    expect(heldOut.length / SCENARIOS.length).toBeGreaterThan(0.25);
    expect(heldOut.length / SCENARIOS.length).toBeLessThan(0.4);
    for (const c of CATEGORIES)
      expect(
        heldOut.some((s) => s.category === c),
        c,
      ).toBe(true);
  });

  it('asks only for facts its business knows', () => {
    const unanswerable = SCENARIOS.flatMap((s) => {
      if (s.expect.kind !== 'answer') return [];
      const { heard } = s.expect;
      const texts = (businessOf(s)?.articles ?? []).map((a) => `${a.title}. ${a.body}`);
      return texts.some((t) => heard.test(t)) ? [] : [`${s.id}: ${String(heard)}`];
    });
    expect(unanswerable).toEqual([]);
  });

  it('books services the business offers, each on its own free slot inside opening hours', () => {
    const slots = new Set<string>();
    for (const s of SCENARIOS) {
      if (s.expect.kind !== 'booking') continue;
      const business = businessOf(s);
      const service = business?.services.find((v) => v.id === (s.expect as { service: string }).service);
      expect(service, `${s.id}: service`).toBeDefined();
      expect(['booking', 'correction']).toContain(s.category);
      const key = `${s.business} ${s.expect.weekday} ${String(s.expect.hour)}`;
      expect(slots.has(key), `${s.id}: ${key} taken twice`).toBe(false);
      slots.add(key);
      const day = SHORT[DAYS.indexOf(s.expect.weekday)];
      const start = s.expect.hour * 60;
      const open = business?.hours.some(
        (h) =>
          h.day === day &&
          minutes(h.open) <= start &&
          start + (service?.durationMinutes ?? 0) <= minutes(h.close),
      );
      expect(open, `${s.id}: ${key} outside opening hours`).toBe(true);
    }
  });

  it('gives each message caller a message its check can find, and each correction a first slot to correct', () => {
    for (const s of SCENARIOS) {
      if (s.expect.kind === 'message') expect(s.expect.about.test(s.answers?.message ?? ''), s.id).toBe(true);
      if (s.category === 'correction') {
        expect(s.correction, s.id).toBeDefined();
        expect(s.correction?.until.test(s.answers?.when ?? ''), s.id).toBe(false);
      }
    }
  });

  it('sets up businesses the command API accepts: articles in English for every business, some in Spanish', () => {
    for (const b of BUSINESSES) {
      expect(new Set(b.articles.map((a) => a.id)).size, b.id).toBe(b.articles.length);
      expect(b.articles.filter((a) => a.language === 'en').length, b.id).toBeGreaterThanOrEqual(8);
      expect(
        b.articles.some((a) => a.language === 'es'),
        b.id,
      ).toBe(true);
      expect(b.id).toBe(`bench-${b.kind}`);
    }
  });
});
