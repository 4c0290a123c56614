import { describe, expect, it } from 'vitest';
import { createKnowledgeIndex, MIN_SCORE, type KnowledgeDocument } from './knowledge-index.js';

const doc = (
  id: string,
  title: string,
  text: string,
  extra: Partial<KnowledgeDocument> = {},
): KnowledgeDocument => ({
  id,
  kind: 'article',
  title,
  text,
  tags: [],
  language: 'en',
  ...extra,
});

const DOCS: KnowledgeDocument[] = [
  doc('hours', 'Opening hours', 'We are open Monday to Friday from 8 to 6, and Saturdays from 9 to 1.', {
    tags: ['hours'],
  }),
  doc(
    'cleaning',
    'Teeth cleaning price',
    'A standard cleaning costs 90 dollars. Most insurance plans cover it.',
  ),
  doc('parking', 'Parking', 'Free parking is available behind the building.', { departmentId: 'front-desk' }),
  doc('billing', 'Paying your bill', 'You can pay your bill by card or bank transfer.', {
    departmentId: 'billing',
  }),
  doc(
    'horario',
    'Horario de atención',
    'Abrimos de lunes a viernes de 8 a 18 horas y los sábados por la mañana.',
    {
      language: 'es',
    },
  ),
  doc('limpieza', 'Precio de la limpieza', 'Una limpieza dental cuesta 90 dólares.', { language: 'es-MX' }),
  doc('expensive', 'It is too expensive', 'Our plans start at 20 dollars a month.', { kind: 'objection' }),
];

describe('knowledge index', () => {
  const index = createKnowledgeIndex(DOCS);

  it('ranks the article that answers an English question first, with a score in 0-1', () => {
    const [best, ...rest] = index.search('How much does a teeth cleaning cost?', {
      language: 'en',
      limit: 3,
    });
    expect(best?.id).toBe('cleaning');
    expect(best?.score).toBeGreaterThan(0.8);
    expect(best?.score).toBeLessThanOrEqual(1);
    for (const r of rest) expect(r.score).toBeLessThanOrEqual(best?.score ?? 0);
  });

  it('stems, and forgives a typo and a missing accent', () => {
    expect(index.search('are you opened on saturday', { language: 'en' })[0]?.id).toBe('hours');
    expect(index.search('what are your openning hours', { language: 'en' })[0]?.id).toBe('hours');
    expect(index.search('cuanto cuesta la limpieza', { language: 'es' })[0]?.id).toBe('limpieza');
    expect(index.search('¿Cuál es el horario de atención?', { language: 'es' })[0]?.id).toBe('horario');
  });

  it('finds nothing for a question the knowledge does not cover', () => {
    expect(index.search("what's the weather on Mars", { language: 'en' })).toEqual([]);
    expect(index.search('do you sell used cars', { language: 'en' })).toEqual([]);
    expect(index.search('hello', { language: 'en' })).toEqual([]);
    expect(MIN_SCORE).toBeGreaterThan(0);
  });

  it("keeps to the caller's language when it has an answer, and to the department", () => {
    expect(index.search('¿cuánto cuesta la limpieza?', { language: 'es' }).map((r) => r.id)).toEqual([
      'limpieza',
    ]);
    expect(index.search('where can I park', { language: 'en', departmentId: 'front-desk' })[0]?.id).toBe(
      'parking',
    );
    expect(index.search('where can I park', { language: 'en', departmentId: 'billing' })).toEqual([]);
    // No department: every document; tenant-wide documents match in any department.
    expect(index.search('where can I park', { language: 'en' })[0]?.id).toBe('parking');
    expect(index.search('opening hours', { language: 'en', departmentId: 'billing' })[0]?.id).toBe('hours');
  });

  it('finds objections by what the caller says', () => {
    const [best] = index.search('that is too expensive', { language: 'en' });
    expect(best).toMatchObject({ id: 'expensive', kind: 'objection' });
  });

  it('adds, replaces and removes documents one at a time', () => {
    const live = createKnowledgeIndex(DOCS);
    expect(live.search('do you offer teeth whitening', { language: 'en' })).toEqual([]);
    live.add(doc('whitening', 'Teeth whitening', 'We offer teeth whitening for 250 dollars.'));
    expect(live.search('do you offer teeth whitening', { language: 'en' })[0]?.id).toBe('whitening');
    live.replace(doc('whitening', 'Teeth whitening', 'Whitening is no longer offered.'));
    expect(live.search('do you offer teeth whitening', { language: 'en' })[0]?.text).toBe(
      'Whitening is no longer offered.',
    );
    expect(live.size).toBe(DOCS.length + 1);
    live.remove('whitening');
    expect(live.search('do you offer teeth whitening', { language: 'en' })).toEqual([]);
    expect(live.size).toBe(DOCS.length);
  });

  it("answers from another language's articles when the caller's has none on the topic", () => {
    // Parking is written up in English only: a Spanish caller hears it rather than nothing.
    expect(index.search('¿Dónde puedo estacionar el coche?', { language: 'es' })[0]?.id).toBe('parking');
    // Not when the caller's own language answers.
    expect(index.search('¿A qué hora abren el sábado?', { language: 'es' })[0]?.id).toBe('horario');
    expect(index.search('¿Qué tiempo hace en Marte?', { language: 'es' })).toEqual([]);
  });

  it('finds an article in other words than its own (related words, other forms)', () => {
    expect(index.search('what do you charge for a cleaning?', { language: 'en' })[0]?.id).toBe('cleaning');
    expect(index.search('what time do you close tonight?', { language: 'en' })[0]?.id).toBe('hours');
    expect(index.search('can I pay with a credit card?', { language: 'en' })[0]?.id).toBe('billing');
  });

  it('weighs the clause that asks over the story before it', () => {
    const story =
      "We just moved here from out of state and my daughter's braces came loose last week, what do you charge for a cleaning?";
    expect(index.search(story, { language: 'en' })[0]?.id).toBe('cleaning');
    // The same story around a question no article answers finds nothing.
    expect(
      index.search(story.replace('what do you charge for a cleaning', 'do you do braces repairs'), {
        language: 'en',
      }),
    ).toEqual([]);
  });

  it('reads an amount of money in an article as its price', () => {
    const shop = createKnowledgeIndex([
      doc('wash', 'Car wash', 'A full car wash is $15 and takes twenty minutes.'),
      doc('wash-hours', 'Car wash hours', 'The car wash is open daily from 8 to 8.'),
    ]);
    expect(shop.search('is the car wash expensive?', { language: 'en' })[0]?.id).toBe('wash');
    expect(shop.search('what do you charge?', { language: 'en' }).map((r) => r.id)).toEqual(['wash']);
  });

  it('matches cognates across languages spelled differently', () => {
    const clinic = createKnowledgeIndex([
      doc('treatments', 'What we treat', 'We treat sports injuries. We do not do chiropractic adjustments.'),
      doc('horario', 'Horario', 'Abrimos de lunes a viernes de 8 a 18 horas.', { language: 'es' }),
    ]);
    expect(clinic.search('¿Hacen ajustes quiroprácticos?', { language: 'es' })[0]?.id).toBe('treatments');
  });
});
