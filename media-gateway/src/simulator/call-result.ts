import type { ServerMessage, StreamEnd, TurnTiming } from './media-stream-client.js';
import type { CallStatus, HttpExchange } from './signed-request.js';
import type { TranscriptLine } from './transcript.js';

/** What a finished call reports: how it ended, what was said and heard, every exchange, stream and error. */

export interface MediaStreamSummary {
  readonly url: string;
  readonly streamSid: string;
  readonly kind: 'connect' | 'start';
  readonly received: readonly ServerMessage[];
  readonly sent: readonly Record<string, unknown>[];
  readonly marksEchoed: readonly string[];
  readonly clears: number;
  readonly mediaFramesSent: number;
  readonly protocolErrors: readonly string[];
  readonly timings: readonly TurnTiming[];
  readonly end?: StreamEnd;
}

export interface CallError {
  readonly kind: 'http' | 'twiml' | 'network' | 'loop' | 'stream';
  readonly message: string;
  readonly url?: string;
}

export interface CallResult {
  readonly callSid: string;
  readonly accountSid: string;
  readonly status: CallStatus;
  /** Who ended the call. */
  readonly endedBy: 'caller' | 'application' | 'carrier' | 'error';
  readonly durationSeconds: number;
  readonly transcript: readonly TranscriptLine[];
  /** The agent lines the caller heard, in order. */
  readonly heard: readonly string[];
  readonly exchanges: readonly HttpExchange[];
  readonly streams: readonly MediaStreamSummary[];
  /** An application error (non-2xx, invalid TwiML, no answer) or a Media Stream that could not connect. */
  readonly errors: readonly CallError[];
  /** Caller expectations that were not met. */
  readonly failures: readonly string[];
}
