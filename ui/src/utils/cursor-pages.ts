import { ref, watch, type Ref } from 'vue';
import type { Page } from '../api/types';
import { useLatestRequest } from './latest-request';

/**
 * A list read a page at a time with the API's cursors: the cursors of the pages seen so far are kept (the API
 * hands out the next one; going back reuses the earlier ones), a new query starts over, and a request still
 * running when another starts is aborted (its answer never shown).
 */
export const useCursorPages = <
  Q extends object,
  P extends { readonly nextCursor?: string | null } = Page<unknown>,
>(
  applied: Ref<Q>,
  fetchPage: (query: Q & { cursor?: string }, signal: AbortSignal) => Promise<P>,
) => {
  const cursors = ref<(string | undefined)[]>([undefined]);
  const pageIndex = ref(0);
  const page = ref<P | undefined>();
  const { loading, error, run } = useLatestRequest();

  const load = (): Promise<void> => {
    const cursor = cursors.value[pageIndex.value];
    return run(
      (signal) => fetchPage({ ...applied.value, ...(cursor !== undefined && { cursor }) }, signal),
      (answer) => {
        page.value = answer as never;
      },
    );
  };
  watch(
    applied,
    () => {
      cursors.value = [undefined];
      pageIndex.value = 0;
      void load();
    },
    { immediate: true },
  );
  const next = (): void => {
    const cursor = page.value?.nextCursor;
    if (cursor === null || cursor === undefined) return;
    cursors.value = [...cursors.value.slice(0, pageIndex.value + 1), cursor];
    pageIndex.value += 1;
    void load();
  };
  const previous = (): void => {
    if (pageIndex.value === 0) return;
    pageIndex.value -= 1;
    void load();
  };
  return { page, pageIndex, loading, error, load, next, previous };
};
