import { describe, expect, it } from 'vitest';
import { parseWith } from './validation.js';
import { textFault } from './well-formed.js';
import { z } from 'zod';

const illFormedTextPath = (value: unknown) => textFault(value)?.path;

describe('textFault', () => {
  it('accepts well-formed text, surrogate pairs, tabs and line breaks included', () => {
    expect(
      illFormedTextPath({ a: 'plain', b: ['😀', { c: '\ud83d\ude00' }], d: 1, e: null, f: 'a\tb\r\nc' }),
    ).toBeUndefined();
  });

  it('finds a control character (NUL, escape, DEL) in a value or a key', () => {
    expect(textFault({ name: 'Sup\u0000port' })).toEqual({
      path: ['name'],
      message: expect.stringMatching(/control character/),
    });
    expect(illFormedTextPath({ a: ['ok', 'red \u001b[31m'] })).toEqual(['a', '1']);
    expect(illFormedTextPath({ a: { 'k\u007f': 1 } })).toEqual(['a', 'k\\u007f']);
  });

  it('finds a lone high or low surrogate in a value, with its path', () => {
    expect(illFormedTextPath({ a: 'ok', b: [{ c: 'x\ud800' }] })).toEqual(['b', '0', 'c']);
    expect(illFormedTextPath({ a: '\udc00\ud800' })).toEqual(['a']);
    expect(illFormedTextPath('\ud800')).toEqual([]);
  });

  it('finds one in a key, named by its escape', () => {
    expect(illFormedTextPath({ a: { '\ud800': 1 } })).toEqual(['a', '\\ud800']);
  });

  it('walks nesting deeper than the call stack', () => {
    let deep: unknown = '\ud800';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(illFormedTextPath(deep)?.length).toBe(200_000);
  });
});

describe('parseWith', () => {
  it('refuses a lone surrogate before the schema, even in a field the schema strips', () => {
    const parsed = parseWith(z.object({ name: z.string() }), { name: 'ok', extra: 'x\udfff' });
    expect(parsed).toEqual({
      ok: false,
      error: { code: 'VALIDATION_FAILED', field: 'extra', message: expect.stringContaining('extra:') },
    });
  });
});
