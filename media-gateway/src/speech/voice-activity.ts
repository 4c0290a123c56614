import { levelDbfs } from './mulaw.js';
import { SAMPLE_RATE } from './port.js';

/**
 * Energy-based voice activity detection over μ-law frames: where a caller's utterance starts (fast, so the
 * agent can stop talking when the caller barges in) and where it ends (after a stretch of silence, so the
 * recognizer can be asked for the transcript). Pure and incremental: push each frame, act on the events.
 */

export interface VoiceActivityOptions {
  /** A frame at or above this level counts as voice. Phone line noise sits near −60..−50 dBFS. */
  readonly thresholdDbfs?: number;
  /** Voice for this long starts speech. Short, because barge-in has to stop the agent quickly. */
  readonly startMs?: number;
  /** Silence for this long ends speech (end of utterance). Lowered by tests and benchmarks. */
  readonly endMs?: number;
  /** Audio kept from before the onset, so the recognizer hears the start of the first word. */
  readonly preRollMs?: number;
  /** Speech never lasts longer than this: a noisy line must not hold an utterance open for ever. */
  readonly maxSpeechMs?: number;
}

export const VOICE_ACTIVITY_DEFAULTS: Required<VoiceActivityOptions> = {
  thresholdDbfs: -38,
  startMs: 40,
  endMs: 500,
  preRollMs: 100,
  maxSpeechMs: 30_000,
};

export type VoiceActivityEvent =
  /** `frames`: the pre-roll and the onset, in order; the recognizer needs them all. */
  | { readonly type: 'speechStarted'; readonly frames: readonly Buffer[] }
  /** A frame during speech (trailing silence included until speech ends). */
  | { readonly type: 'audio'; readonly frame: Buffer }
  | { readonly type: 'speechEnded'; readonly reason: 'silence' | 'max-duration'; readonly speechMs: number };

const msOf = (frame: Uint8Array) => (frame.length * 1000) / SAMPLE_RATE;

export class VoiceActivityDetector {
  readonly #options: Required<VoiceActivityOptions>;
  #speaking = false;
  /** Recent frames while silent: pre-roll plus the loud run that may become an onset. */
  #recent: Buffer[] = [];
  #loudMs = 0;
  #quietMs = 0;
  #speechMs = 0;

  constructor(options: VoiceActivityOptions = {}) {
    this.#options = { ...VOICE_ACTIVITY_DEFAULTS, ...options };
    for (const key of ['startMs', 'endMs', 'maxSpeechMs'] as const) {
      if (!(this.#options[key] > 0)) throw new RangeError(`voice activity: ${key} must be positive`);
    }
  }

  get state(): 'silence' | 'speech' {
    return this.#speaking ? 'speech' : 'silence';
  }

  push(frame: Buffer): VoiceActivityEvent[] {
    const loud = levelDbfs(frame) >= this.#options.thresholdDbfs;
    const ms = msOf(frame);
    return this.#speaking ? this.#duringSpeech(frame, loud, ms) : this.#duringSilence(frame, loud, ms);
  }

  /** Back to silence, forgetting everything (e.g. the call was put on hold). */
  reset(): void {
    this.#speaking = false;
    this.#recent = [];
    this.#loudMs = 0;
    this.#quietMs = 0;
    this.#speechMs = 0;
  }

  #duringSilence(frame: Buffer, loud: boolean, ms: number): VoiceActivityEvent[] {
    this.#loudMs = loud ? this.#loudMs + ms : 0;
    this.#recent.push(frame);
    // Keep the pre-roll plus the current loud run, never more.
    let keptMs = this.#recent.reduce((sum, f) => sum + msOf(f), 0);
    for (
      let first = this.#recent[0];
      first !== undefined && this.#recent.length > 1;
      first = this.#recent[0]
    ) {
      if (keptMs - msOf(first) < this.#options.preRollMs + this.#loudMs) break;
      keptMs -= msOf(first);
      this.#recent.shift();
    }
    if (this.#loudMs < this.#options.startMs) return [];
    const frames = this.#recent;
    this.#speaking = true;
    this.#recent = [];
    this.#quietMs = 0;
    this.#speechMs = this.#loudMs;
    this.#loudMs = 0;
    return [{ type: 'speechStarted', frames }];
  }

  #duringSpeech(frame: Buffer, loud: boolean, ms: number): VoiceActivityEvent[] {
    this.#quietMs = loud ? 0 : this.#quietMs + ms;
    this.#speechMs += ms;
    const events: VoiceActivityEvent[] = [{ type: 'audio', frame }];
    const reason =
      this.#quietMs >= this.#options.endMs
        ? 'silence'
        : this.#speechMs >= this.#options.maxSpeechMs
          ? 'max-duration'
          : undefined;
    if (reason !== undefined) {
      events.push({ type: 'speechEnded', reason, speechMs: this.#speechMs - this.#quietMs });
      this.reset();
    }
    return events;
  }
}
