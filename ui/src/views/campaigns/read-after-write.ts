import { ApiError } from '../../api/client';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads until the read side shows a change just made. Commands are answered once the event is stored, and the
 * campaign tables follow the log moments later; re-reading for a few seconds shows the person their own change
 * instead of the state before it. After the time is up the last answer is taken as it is.
 */
export const readUntil = async <T>(
  read: () => Promise<T>,
  shows: (value: T) => boolean,
  timeoutMs = 6000,
): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (shows(value) || Date.now() > until) return value;
    await pause(250);
  }
};

/** Reads something just created: a 404 while the read side catches up is retried for a few seconds. */
export const readCreated = async <T>(read: () => Promise<T>, timeoutMs = 6000): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404 || Date.now() > until) throw error;
      await pause(250);
    }
  }
};
