import { computed, onBeforeUnmount, ref, watch } from 'vue';
import type { TranscriptLine } from '../../../api/types';
import {
  workspace,
  type CallerRecord,
  type CallHandling,
  type Directory,
  type WorkspaceCall,
} from '../../../api/workspace';
import { useSessionStore } from '../../../stores/session';
import { NONE, useFormat } from '../../../utils/format';
import { namesOf } from '../names';

/** People, AI agents and departments by name (see namesOf). */
export type CallNames = ReturnType<typeof namesOf>;

/**
 * One call as the people on it see it, kept live: the call and its transcript, its handling (who is on it, in
 * what mode, who has it, coaching, wrap-ups), the caller's record, and the clock its durations count with.
 */
export const useLiveCall = (callId: () => string) => {
  const f = useFormat();
  const session = useSessionStore();

  const call = ref<WorkspaceCall | undefined>();
  const transcript = ref<readonly TranscriptLine[]>([]);
  const handling = ref<CallHandling | undefined>();
  const caller = ref<CallerRecord | undefined>();
  const directory = ref<Directory | undefined>();
  const error = ref<unknown>();
  const now = ref(Date.now());
  const names = computed(() => namesOf(directory.value));
  const me = computed(() => session.user?.userId ?? '');
  const tenantId = computed(() => session.tenantId ?? '');

  const ended = computed(() => handling.value?.ended === true || call.value?.status === 'ended');
  const myMode = computed(() => handling.value?.people.find((p) => p.userId === me.value)?.mode);
  const joined = computed(() => myMode.value !== undefined);
  const inControl = computed(() => handling.value?.inControl ?? null);

  const readLive = async (): Promise<void> => {
    const [detail, handled] = await Promise.all([workspace.call(callId()), workspace.handling(callId())]);
    call.value = detail.call;
    transcript.value = detail.transcript;
    handling.value = handled;
  };
  /** The handling alone, as it is after a wrap-up. */
  const readHandling = async (): Promise<void> => {
    handling.value = await workspace.handling(callId());
  };

  /*
   * While the call is live its transcript and handling are read every two seconds (the call's own stream for the
   * handling, the read side for the transcript); once it ended, one last read catches the final lines.
   */
  const POLL_MS = 2000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let finalReads = 0;
  const poll = async (): Promise<void> => {
    try {
      await readLive();
      error.value = undefined;
    } catch (e) {
      error.value = e;
    }
    if (ended.value) finalReads += 1;
    if (!stopped && finalReads < 3) timer = setTimeout(() => void poll(), POLL_MS);
  };
  const clock = setInterval(() => {
    now.value = Date.now();
  }, 1000);
  onBeforeUnmount(() => {
    stopped = true;
    clearTimeout(timer);
    clearInterval(clock);
  });

  const loadCaller = async (): Promise<void> => {
    try {
      caller.value = await workspace.caller(callId());
    } catch {
      caller.value = undefined;
    }
  };

  watch(
    callId,
    async () => {
      clearTimeout(timer);
      finalReads = 0;
      call.value = undefined;
      handling.value = undefined;
      void poll();
      void loadCaller();
      try {
        directory.value = await workspace.directory();
      } catch {
        // Names fall back to ids.
      }
    },
    { immediate: true },
  );
  // The caller's record gains this call's outcome when it ends.
  watch(ended, (value) => {
    if (value) void loadCaller();
  });

  const elapsed = computed(() => {
    const c = call.value;
    if (!c) return NONE;
    const end = c.endedAt !== null ? Date.parse(c.endedAt) : now.value;
    return f.duration(Math.max(0, (end - Date.parse(c.startedAt)) / 1000));
  });
  const waited = computed(() => {
    const since = handling.value?.queue?.at ?? handling.value?.escalation?.at;
    // Waiting ends when someone picks the call up (joins it) or it ends.
    if (since === undefined || ended.value || (handling.value?.people.length ?? 0) > 0) return undefined;
    return f.duration(Math.max(0, (now.value - Date.parse(since)) / 1000));
  });

  return {
    call,
    transcript,
    handling,
    caller,
    error,
    names,
    me,
    tenantId,
    ended,
    myMode,
    joined,
    inControl,
    readLive,
    readHandling,
    poll,
    elapsed,
    waited,
  };
};
