import { ApiError, authHeaders, errorOf, urlOf } from './client';
import type { LiveMetrics } from './types';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface LiveFollower {
  stop(): void;
}

interface Frame {
  event: string;
  data: string;
  retry?: number;
}

/** Splits Server-Sent Events text into frames; returns the frames and the unfinished rest. */
export const parseFrames = (buffer: string): { frames: Frame[]; rest: string } => {
  const frames: Frame[] = [];
  const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    const frame: Frame = { event: 'message', data: '' };
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') frame.event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry' && /^\d+$/.test(value)) frame.retry = Number(value);
    }
    frame.data = data.join('\n');
    frames.push(frame);
  }
  return { frames, rest };
};

/**
 * Follows a Server-Sent Events route of the API, handing each `event` frame's JSON to `onData`. EventSource
 * cannot send the Bearer header, so the stream is read with fetch and parsed here; a dropped connection is
 * retried with the server's `retry` delay, growing while it keeps failing. A refusal that retrying cannot mend
 * (signed out, not allowed, not found) ends it.
 */
export const followEvents = <T>(
  path: string,
  event: string,
  handlers: {
    readonly onData: (data: T) => void;
    readonly onState: (state: LiveState) => void;
    readonly onError?: (error: ApiError) => void;
  },
): LiveFollower => {
  const abort = new AbortController();
  let retryMs = 2000;
  let failures = 0;
  let stopped = false;

  const connectOnce = async (): Promise<void> => {
    const response = await fetch(urlOf(path), {
      headers: { accept: 'text/event-stream', ...authHeaders() },
      signal: abort.signal,
      cache: 'no-store',
    });
    if (!response.ok || response.body === null) throw await errorOf(response);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      const { frames, rest } = parseFrames(buffer);
      buffer = rest;
      for (const frame of frames) {
        if (frame.retry !== undefined) retryMs = frame.retry;
        if (frame.event !== event) continue;
        failures = 0;
        handlers.onState('live');
        handlers.onData(JSON.parse(frame.data) as T);
      }
    }
  };

  const run = async (): Promise<void> => {
    handlers.onState('connecting');
    while (!stopped) {
      try {
        await connectOnce();
      } catch (error) {
        if (stopped) break;
        if (error instanceof ApiError) {
          handlers.onError?.(error);
          if (error.status === 401 || error.status === 403 || error.status === 404) break;
        }
      }
      if (stopped) break;
      failures += 1;
      handlers.onState('reconnecting');
      const wait = Math.min(retryMs * 2 ** Math.min(failures - 1, 3), 15_000);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    handlers.onState('stopped');
  };

  void run();
  return {
    stop: () => {
      stopped = true;
      abort.abort();
    },
  };
};

/** Follows GET /api/live/stream: the live metrics of the dashboard. */
export const followLive = (handlers: {
  readonly onMetrics: (metrics: LiveMetrics) => void;
  readonly onState: (state: LiveState) => void;
  readonly onError?: (error: ApiError) => void;
}): LiveFollower =>
  followEvents<LiveMetrics>('/api/live/stream', 'metrics', { ...handlers, onData: handlers.onMetrics });
