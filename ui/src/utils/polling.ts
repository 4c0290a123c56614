import { onBeforeUnmount, onMounted } from 'vue';

/**
 * Reads when the component is mounted, then again `ms` after each read ends, until it is unmounted. `poll`
 * reads at once (a retry button) and starts the wait over, so a manual read never leaves two timers running.
 */
export const usePolling = (read: () => Promise<void>, ms: number): { poll: () => Promise<void> } => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const poll = async (): Promise<void> => {
    clearTimeout(timer);
    await read();
    if (!stopped) timer = setTimeout(() => void poll(), ms);
  };
  onMounted(poll);
  onBeforeUnmount(() => {
    stopped = true;
    clearTimeout(timer);
  });
  return { poll };
};
