import { describe, expect, it } from 'vitest';
import { detectLanguage } from './language.js';

describe('detecting the caller’s language among the tenant’s', () => {
  const both = ['en', 'es'];
  it.each([
    ['Hola, quiero hablar en español por favor', 'es'],
    ['What are your opening hours on Saturday?', 'en'],
    ['Quiero reservar una cita para mañana', 'es'],
    ['Can I book an appointment tomorrow at 3pm?', 'en'],
    ['No, gracias, eso es todo', 'es'],
    ['Do you speak Spanish?', 'es'],
    ['¿Cuál es el horario de la tienda los sábados?', 'es'],
    // A greeting alone says which language the caller speaks.
    ['Hola, buenos días.', 'es'],
    ['Buenas tardes', 'es'],
    ['Good morning!', 'en'],
  ])('%s → %s', (text, expected) => expect(detectLanguage(text, both)).toBe(expected));

  it.each(['ok', 'sí', 'Maria Lopez', '3 pm'])('leaves "%s" undecided', (text) =>
    expect(detectLanguage(text, both)).toBeUndefined(),
  );

  it('never answers a language the tenant does not take', () =>
    expect(detectLanguage('Quiero reservar una cita para mañana por favor', ['en'])).toBeUndefined());

  it('answers with the tenant’s own tag', () =>
    expect(detectLanguage('Quiero reservar una cita para mañana', ['en-US', 'es-MX'])).toBe('es-MX'));
});
