import { describe, expect, it } from 'vitest';
import { answerPassage, languageOfText, sentencesOf } from './answer-passage.js';

const BREAD =
  'A sourdough loaf is $7, a rye loaf $8 and a seeded loaf $9. Gift cards are sold at the till. ' +
  'We do not bake gluten-free bread or any vegan cakes.';

describe('answer passage', () => {
  it('splits sentences without breaking prices, P.O. boxes or titles', () => {
    expect(
      sentencesOf('Delivery costs $6.95. We cannot ship to P.O. boxes. Dr. Lee sees patients on Mondays.'),
    ).toEqual([
      'Delivery costs $6.95.',
      'We cannot ship to P.O. boxes.',
      'Dr. Lee sees patients on Mondays.',
    ]);
  });

  it('reads the sentence that answers, not the opening of the article', () => {
    expect(answerPassage('do you make gluten-free bread?', BREAD)).toBe(
      'We do not bake gluten-free bread or any vegan cakes.',
    );
    expect(answerPassage('what does a seeded loaf cost?', BREAD)).toBe(
      'A sourdough loaf is $7, a rye loaf $8 and a seeded loaf $9.',
    );
  });

  it('finds the sentence by related words and in a Spanish question about an English article', () => {
    const text =
      'We ship to every state. Shipping is free on orders over $50. Returns are accepted within 30 days.';
    expect(answerPassage('what do I have to spend to not pay for delivery?', text)).toContain(
      'free on orders',
    );
    expect(answerPassage('¿aceptan devoluciones?', text)).toBe('Returns are accepted within 30 days.');
  });

  it('adds the sentence before or after that says more about it', () => {
    const hours =
      'Parking is free behind the building. We are open Monday to Friday from 7 am to 7 pm. We are closed on Sundays.';
    expect(answerPassage('what time do you close tonight?', hours)).toBe(
      'We are open Monday to Friday from 7 am to 7 pm. We are closed on Sundays.',
    );
  });

  it('reads the opening when no sentence shares a word with the question', () => {
    expect(answerPassage('tell me about that', BREAD)).toBe(
      'A sourdough loaf is $7, a rye loaf $8 and a seeded loaf $9. Gift cards are sold at the till.',
    );
  });

  it("tells an article's language by its function words", () => {
    expect(languageOfText('We are open on Saturdays from 9 to 1.')).toBe('en');
    expect(languageOfText('Abrimos los sábados de 9 a 1 de la tarde.')).toBe('es');
  });
});
