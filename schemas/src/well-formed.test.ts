import { describe, expect, it } from 'vitest';
import { parseWith } from './validation.js';
import { illFormedTextPath } from './well-formed.js';
import { z } from 'zod';

describe('illFormedTextPath', () => {
  it('accepts well-formed text, surrogate pairs included', () => {
    expect(
      illFormedTextPath({ a: 'plain', b: ['😀', { c: '\ud83d\ude00' }], d: 1, e: null }),
    ).toBeUndefined();
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
