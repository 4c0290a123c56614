import { describe, expect, it } from 'vitest';
import { scoreSentiment } from './sentiment.js';

const labelOf = (text: string, language = 'en') => scoreSentiment(text, language).label;

describe('scoreSentiment', () => {
  it.each([
    ["this is the third time I call and nobody fixed it, I'm furious", 'negative'],
    ['this is ridiculous, I want to speak to a manager right now', 'negative'],
    ['the technician was rude and the work is terrible', 'negative'],
    ['thank you so much, that was really helpful', 'positive'],
    ['great, perfect, thanks a lot', 'positive'],
    ["I'd like to book a cleaning on Tuesday", 'neutral'],
    ['can you please help me pay my bill', 'neutral'],
    ['I want to cancel my appointment', 'neutral'],
    ['good morning, what time do you open', 'neutral'],
    ["I'll be there at three", 'neutral'],
  ] as const)('English: %s → %s', (text, label) => {
    expect(labelOf(text)).toBe(label);
  });

  it.each([
    ['es la tercera vez que llamo y nadie lo ha arreglado, estoy furioso', 'negative'],
    ['el servicio es horrible y estoy muy enojado', 'negative'],
    ['muchas gracias, me ha ayudado muchísimo', 'positive'],
    ['perfecto, excelente atención', 'positive'],
    ['quisiera reservar una limpieza para el martes', 'neutral'],
    ['buenos días, me gustaría pedir una cita por favor', 'neutral'],
  ] as const)('Spanish: %s → %s', (text, label) => {
    expect(labelOf(text, 'es-MX')).toBe(label);
  });

  it('reads negation, including contractions written without an apostrophe', () => {
    expect(labelOf("I'm not happy with the service")).toBe('negative');
    expect(labelOf('I dont like this at all')).toBe('negative');
    expect(labelOf('no estoy contento con el servicio', 'es')).toBe('negative');
  });

  it('ends a negation at the end of its clause', () => {
    expect(labelOf('no problem, thanks')).toBe('positive');
    expect(labelOf("nobody called me back, I'm furious")).toBe('negative');
  });

  it('does not let filler words dilute a score', () => {
    const short = scoreSentiment('that was rude', 'en').score;
    const long = scoreSentiment(
      'so um yeah basically the guy on the phone yesterday afternoon was rude',
      'en',
    ).score;
    expect(long).toBeCloseTo(short);
  });

  it('stays within [-1, 1] and grows with more evidence', () => {
    const one = scoreSentiment('terrible', 'en').score;
    const many = scoreSentiment('terrible awful horrible disgusting useless worst', 'en').score;
    expect(many).toBeLessThan(one);
    expect(many).toBeGreaterThanOrEqual(-1);
    expect(scoreSentiment('amazing wonderful fantastic excellent brilliant', 'en').score).toBeLessThanOrEqual(
      1,
    );
  });

  it('scores empty or sentiment-free text 0 and neutral', () => {
    expect(scoreSentiment('', 'en')).toEqual({ score: 0, label: 'neutral' });
    expect(scoreSentiment('my account number is 4471', 'en')).toEqual({ score: 0, label: 'neutral' });
  });

  it('scores unsupported and undetermined languages with the English vocabulary', () => {
    expect(scoreSentiment('thanks a lot', 'und')).toEqual(scoreSentiment('thanks a lot', 'en'));
    expect(scoreSentiment('thanks a lot', 'fr-CA')).toEqual(scoreSentiment('thanks a lot', 'en'));
  });

  it('scores Portuguese with its own vocabulary', () => {
    expect(labelOf('muito obrigado, excelente atendimento', 'pt-BR')).toBe('positive');
  });
});
