import { describe, expect, it } from 'vitest';
import { pickService, sameWord } from './service-choice.js';

const SERVICES = ['Tyre fitting', 'Engine diagnostic', 'Annual inspection', 'Follow-up session'];

describe('which service the caller’s words mean', () => {
  it('matches stems and near spellings, not short look-alikes', () => {
    expect(sameWord('leak', 'leaky')).toBe(true);
    expect(sameWord('colored', 'color')).toBe(true);
    expect(sameWord('diagnostico', 'diagnostic')).toBe(true);
    expect(sameWord('sesion', 'session')).toBe(true);
    expect(sameWord('water', 'later')).toBe(false);
    expect(sameWord('cut', 'cutting')).toBe(false);
    expect(sameWord('hair', 'haircut')).toBe(false);
  });

  it('picks the one service the words mean, in English or a Spanish cognate', () => {
    expect(pickService(SERVICES, 'my tyres need fitting', false)).toBe('Tyre fitting');
    expect(pickService(SERVICES, 'quiero una inspección', false)).toBe('Annual inspection');
    expect(pickService(SERVICES, 'el diagnóstico, por favor', false)).toBe('Engine diagnostic');
    expect(pickService(SERVICES, 'something else entirely', false)).toBeUndefined();
  });

  it('takes a place in the list only when the words answer the list', () => {
    expect(pickService(SERVICES, 'the second one', true)).toBe('Engine diagnostic');
    expect(pickService(SERVICES, 'the last one', true)).toBe('Follow-up session');
    expect(pickService(SERVICES, 'my first time here', false)).toBeUndefined();
  });
});
