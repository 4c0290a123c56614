import type { Caller } from './caller.js';
import type { MediaStreamClientOptions } from './media-stream-client.js';
import type { CallParties, CallStatus, SignatureMode } from './signed-request.js';
import type { TranscriptLine } from './transcript.js';
import type { DialTarget, HttpMethod } from './twiml.js';

/** How a simulated call is run (PhoneCall), and what the REST API (the local carrier) can do to it while live. */

export type StatusEvent = 'initiated' | 'ringing' | 'answered' | 'completed';

export interface StatusCallbackConfig {
  readonly url: string;
  readonly method?: HttpMethod;
  /** Twilio sends only `completed` unless told otherwise. */
  readonly events?: readonly StatusEvent[];
}

/** Media Stream behaviour for `<Connect><Stream>` / `<Start><Stream>`. */
export type MediaOptions = Pick<
  MediaStreamClientOptions,
  'realtime' | 'voice' | 'endSilenceMs' | 'agentIdleMs' | 'responseTimeoutMs' | 'bargeInAfterMs' | 'signature'
>;

export interface DialOutcome {
  readonly status: 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';
  /** Seconds the dialled party talked (simulated). */
  readonly durationSeconds: number;
}

export interface CallRunOptions {
  readonly authToken: string;
  readonly caller: Caller;
  /** Signature on every webhook (refusal tests use `none` or `forged`). */
  readonly signature?: SignatureMode;
  readonly statusCallback?: StatusCallbackConfig;
  readonly media?: MediaOptions;
  /**
   * Real seconds per simulated second for pauses, hold and timeouts: 1 is a real call, 0.01 (default) lets a
   * 10 s hold message pass in 100 ms while still leaving time for a REST update to arrive.
   */
  readonly timeScale?: number;
  /** A caller waiting in a queue hangs up after this long (simulated seconds). */
  readonly queuePatienceSeconds?: number;
  /** What happens when the call `<Dial>`s a number, client or SIP address; a conference lasts until moved. */
  readonly dialOutcome?: (target: DialTarget) => DialOutcome;
  /** A `<Dial><Conference>` without anyone moving the call ends after this long (simulated seconds). */
  readonly conferenceSeconds?: number;
  /** Where recordings are said to live; defaults to Twilio's API host. */
  readonly recordingBaseUrl?: string;
  /** Guard against an application that redirects for ever. */
  readonly maxWebhooks?: number;
  /** Each transcript line as it happens (the CLI prints them). */
  readonly onLine?: (line: TranscriptLine) => void;
  /** Lets a carrier (the local REST stand-in) reach this call while it is live. */
  readonly registry?: LiveCallRegistry;
}

/** What the REST API can do to a live call. */
export interface LiveCall {
  readonly parties: CallParties;
  readonly status: CallStatus;
  readonly startedAt: Date;
  /** Replaces what the call is doing with this TwiML or the TwiML at this URL (Twilio's call update). */
  redirect(target: { readonly twiml: string } | { readonly url: string; readonly method?: HttpMethod }): void;
  hangUp(): void;
  /** A recording made on this call, for the carrier to serve. */
  readonly recordings: ReadonlyMap<string, string>;
  /** Starts recording the whole call (Twilio's Call Recordings create); the one in progress if there is one. */
  startRecording(callback?: RecordingCallback): string;
  /** Stops the recording in progress, reported to its callback just after; its sid, or none was running. */
  stopRecording(): string | undefined;
  /** Forgets a recording made on this call (Twilio's Recording delete); whether it held it. */
  deleteRecording(recordingSid: string): boolean;
}

/** Where a recording's status goes (recordingStatusCallback). */
export interface RecordingCallback {
  readonly url: string;
  readonly method: HttpMethod;
  /** RecordingSource as Twilio reports it: StartCallRecordingTwiML or StartCallRecordingAPI. */
  readonly source: string;
}

export interface LiveCallRegistry {
  /** Returns the function that unregisters the call when it ends. */
  register(call: LiveCall): () => void;
}
