import { describe, expect, it } from 'vitest';
import { readBounded, resultOfResponse } from './http-result.js';

/** A body that never ends unless its reader cancels it. */
const endless = () => {
  let cancelled = false;
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += 1;
      controller.enqueue(new Uint8Array(1000).fill(0x61));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { response: new Response(body), cancelled: () => cancelled, pulled: () => pulled };
};

describe('readBounded', () => {
  it('reads at most the cap of an endless body, then cancels the rest', async () => {
    const source = endless();
    const text = await readBounded(source.response, 2500);
    expect(text).toBe('a'.repeat(2500));
    expect(source.cancelled()).toBe(true);
    expect(source.pulled()).toBeLessThan(10);
  });

  it('reads a short body whole, and 8 KB by default', async () => {
    expect(await readBounded(new Response('short'))).toBe('short');
    expect(await readBounded(new Response(null))).toBe('');
    expect((await readBounded(new Response('é'.repeat(10_000)))).length).toBe(4096);
  });
});

describe('resultOfResponse on a redirect', () => {
  it('is a final client error that names where the target points', () => {
    const headers = new Headers({ location: 'https://example.com/new' });
    expect(resultOfResponse(308, '', headers, new Date())).toEqual({
      ok: false,
      errorKind: 'client_error',
      statusCode: 308,
      error: '308: the target redirected to https://example.com/new; set the final URL',
      retryable: false,
    });
  });

  it('names the target by origin and path only: a signed location’s query may carry a token', () => {
    const headers = new Headers({ location: 'https://files.example.com/hook?sig=secret-token-1&exp=9' });
    const result = resultOfResponse(302, '', headers, new Date());
    expect(result.ok ? '' : result.error).toBe(
      '302: the target redirected to https://files.example.com/hook; set the final URL',
    );
  });
});
