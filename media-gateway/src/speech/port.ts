/**
 * Speech ports for the Media Streams path. Audio is what Twilio Media Streams carries: G.711 μ-law, 8 kHz,
 * mono, in 20 ms frames of 160 bytes.
 */

export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
export const FRAME_BYTES = 160;

export interface Transcript {
  readonly text: string;
  /** 0-1 as the recognizer reports it. */
  readonly confidence: number;
  /** BCP 47, when the recognizer detected or was told it. */
  readonly language?: string;
  /** True for the final transcript of an utterance; interim results may come before. */
  readonly isFinal: boolean;
}

/** What finish() resolves with when nothing was heard (or the utterance was aborted). */
export const EMPTY_TRANSCRIPT: Transcript = { text: '', confidence: 0, isFinal: true };

export interface RecognitionOptions {
  /** The languages the tenant takes calls in, first is the expected one. */
  readonly languages: readonly string[];
  /** Words to favour (agent names, products): Google's speech contexts, Whisper's prompt. */
  readonly hints?: readonly string[];
}

/**
 * One caller utterance at a time: the gateway's voice activity detector decides where speech starts and ends,
 * feeds the frames in between, then asks for the transcript. Streaming recognizers may report interim results
 * through onInterim while frames arrive.
 */
export interface RecognitionSession {
  write(frame: Buffer): void;
  /** No more audio for this utterance: resolves with the final transcript (empty text when nothing was heard). */
  finish(): Promise<Transcript>;
  /** The caller hung up or the utterance was discarded. Never throws; a finish() pending or later resolves empty. */
  abort(): void;
}

export interface SpeechToText {
  readonly name: string;
  start(options: RecognitionOptions, onInterim?: (t: Transcript) => void): RecognitionSession;
}

export interface SynthesisOptions {
  /** The agent's voice name (AgentVoice); adapters map it to their own voices. */
  readonly voice: string;
  readonly language: string;
}

export interface TextToSpeech {
  readonly name: string;
  /** μ-law 8 kHz mono, a whole number of frames (padded with silence). */
  synthesize(text: string, options: SynthesisOptions): Promise<Buffer>;
}

export class SpeechUnavailableError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${provider}: ${message}`, options);
    this.name = 'SpeechUnavailableError';
  }
}
