import { describe, expect, it } from 'vitest';
import { LlmUnavailableError } from './port.js';
import { failureKindOf, providerErrorCounts, recordProviderFailure } from './provider-failures.js';

describe("providers' errors counted in the process", () => {
  it('counts every recorded failure by port, provider and kind, as the metrics read them', () => {
    const provider = `counted-${Date.now()}`;
    recordProviderFailure('llm', provider, Object.assign(new Error('busy'), { status: 503 }));
    recordProviderFailure('llm', provider, Object.assign(new Error('busy'), { status: 503 }));
    recordProviderFailure(
      'llm',
      provider,
      new LlmUnavailableError(provider, 'no answer', { reason: 'timeout' }),
    );
    recordProviderFailure('stt', provider, Object.assign(new Error('denied'), { code: 7 }));
    expect(providerErrorCounts().filter((c) => c.provider === provider)).toEqual([
      { port: 'llm', provider, kind: 'server', count: 2 },
      { port: 'llm', provider, kind: 'unreachable', count: 1 },
      { port: 'stt', provider, kind: 'auth', count: 1 },
    ]);
  });

  it('tells a failure by the status its error (or one it wraps) carries', () => {
    const wrapped = new Error('outer', { cause: Object.assign(new Error('inner'), { status: 429 }) });
    expect(failureKindOf(wrapped)).toBe('rate-limit');
    expect(failureKindOf(Object.assign(new Error('x'), { status: 401 }))).toBe('auth');
    expect(failureKindOf(new Error('socket hang up'))).toBe('unreachable');
  });
});
