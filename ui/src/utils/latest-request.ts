import { ref } from 'vue';

/**
 * A read the viewer may start again before its answer arrives (Apply clicked twice, a filter changed): starting
 * one aborts the one still running, so an older answer never replaces a newer one on the screen. `loading` and
 * `error` are the latest read's.
 */
export const useLatestRequest = () => {
  const loading = ref(false);
  const error = ref<unknown>();
  let controller: AbortController | undefined;

  /** Reads with `fetch` and hands the answer to `apply`, unless another read started meanwhile. */
  const run = async <T>(
    fetch: (signal: AbortSignal) => Promise<T>,
    apply: (answer: T) => void,
  ): Promise<void> => {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    loading.value = true;
    error.value = undefined;
    try {
      const answer = await fetch(mine.signal);
      // A fetch that ignores its signal still answers: the answer is dropped all the same.
      if (mine.signal.aborted) return;
      apply(answer);
    } catch (e) {
      if (mine.signal.aborted) return;
      error.value = e;
    }
    loading.value = false;
  };
  return { loading, error, run };
};
