import { describe, expect, it } from 'vitest';
import { replyIntentOf, replyLanguageOf } from './reply-intent.js';

describe('replyIntentOf: what a reply asks, in English and Spanish', () => {
  it.each([
    ['C', 'confirm'],
    [' c ', 'confirm'],
    ['Confirm', 'confirm'],
    ['yes!', 'confirm'],
    ['Sí', 'confirm'],
    ['SI', 'confirm'],
    ['confirmo.', 'confirm'],
    ['R', 'reschedule'],
    ['Reschedule', 'reschedule'],
    ['cambiar', 'reschedule'],
    ['Reprogramar', 'reschedule'],
    ['STOP', 'stop'],
    ['stop.', 'stop'],
    ['Unsubscribe', 'stop'],
    ['alto', 'stop'],
    ['BAJA', 'stop'],
    ['Cancelar suscripción', 'stop'],
    ['START', 'start'],
    ['unstop', 'start'],
    ['Alta', 'start'],
  ] as const)('%j → %s', (text, intent) => expect(replyIntentOf(text)).toBe(intent));

  it('takes a sentence that merely contains a keyword as not understood', () => {
    expect(replyIntentOf('yes but can we make it later?')).toBe('unknown');
    expect(replyIntentOf('Can you stop by tomorrow')).toBe('unknown');
    expect(replyIntentOf('')).toBe('unknown');
  });

  it('tells a Spanish keyword from one any speaker sends', () => {
    expect(replyLanguageOf('Baja')).toBe('es');
    expect(replyLanguageOf('sí')).toBe('es');
    expect(replyLanguageOf('STOP')).toBe(undefined);
    expect(replyLanguageOf('c')).toBe(undefined);
  });
});
