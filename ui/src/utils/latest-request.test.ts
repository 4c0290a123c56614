import { describe, expect, it } from 'vitest';
import { useLatestRequest } from './latest-request';

/** A read whose answer the test releases when it chooses, noting whether it was aborted. */
const deferred = <T>() => {
  let release: (value: T) => void = () => undefined;
  let fail: (reason: unknown) => void = () => undefined;
  const promise = new Promise<T>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  return { promise, release, fail };
};

describe('useLatestRequest', () => {
  it('keeps the newer answer when the older one arrives last, and aborts the older read', async () => {
    const { run, loading } = useLatestRequest();
    const shown: string[] = [];
    const older = deferred<string>();
    const newer = deferred<string>();
    let olderSignal: AbortSignal | undefined;
    const first = run(
      (signal) => {
        olderSignal = signal;
        return older.promise;
      },
      (answer) => shown.push(answer),
    );
    const second = run(
      () => newer.promise,
      (answer) => shown.push(answer),
    );
    expect(olderSignal?.aborted).toBe(true);
    newer.release('newer');
    await second;
    expect(loading.value).toBe(false);
    older.release('older');
    await first;
    expect(shown).toEqual(['newer']);
    expect(loading.value).toBe(false);
  });

  it('shows the latest read’s failure, not an aborted one’s, and clears it on the next read', async () => {
    const { run, error, loading } = useLatestRequest();
    const older = deferred<string>();
    const first = run(
      () => older.promise,
      () => undefined,
    );
    const failing = run(
      () => Promise.reject(new Error('refused')),
      () => undefined,
    );
    await failing;
    older.fail(new Error('aborted'));
    await first;
    expect((error.value as Error).message).toBe('refused');
    expect(loading.value).toBe(false);
    await run(
      () => Promise.resolve(1),
      () => undefined,
    );
    expect(error.value).toBeUndefined();
  });
});
