import type { CallRunOptions } from './call-options.js';
import type { CallError, CallResult, MediaStreamSummary } from './call-result.js';
import type { MediaStreamClient } from './media-stream-client.js';
import type { CallParties, CallStatus, HttpExchange } from './signed-request.js';
import type { Conversation } from './transcript.js';
import { parseTwiml, TwimlError, type HttpMethod, type Verb } from './twiml.js';

/**
 * What the interpreter of a verb (caller-verbs.ts, queue-dial-verbs.ts, stream-verbs.ts) works with: the call it
 * runs on, as PhoneCall gives it, and the ways out of a verb before it is done.
 */
export interface RunningCall {
  readonly parties: CallParties;
  readonly conversation: Conversation;
  readonly options: CallRunOptions;
  readonly recordings: Map<string, string>;
  readonly streams: MediaStreamSummary[];
  readonly errors: CallError[];
  /** The streams started with `<Start><Stream>`, by name: they hear what the caller says. */
  readonly forks: Map<string, MediaStreamClient>;
  /** Simulated seconds since the call started. */
  readonly elapsedSeconds: number;
  /** Waits for `work` unless a REST update comes first. */
  race<T>(work: Promise<T>): Promise<T>;
  /** Lets `seconds` of call time pass. */
  pass(seconds: number): Promise<void>;
  /** A signed webhook request with the call's parameters. */
  webhook(url: string, method: HttpMethod, extra?: Record<string, string>): Promise<HttpExchange>;
  /** A request whose answer is ignored (status, recording and transcription callbacks). */
  notify(url: string, method: HttpMethod, params: Record<string, string>): Promise<void>;
  /** Fetches TwiML; anything Twilio could not use is an application error. */
  fetchDocument(url: string, method: HttpMethod, extra?: Record<string, string>): Promise<Document>;
}

/** Raised inside the interpreter when a REST update replaces what the call is doing. */
export class Interrupted extends Error {
  constructor() {
    super('call updated');
  }
}

/** Ends the call from deep inside a verb. */
export class CallOver extends Error {
  constructor(
    readonly endedBy: CallResult['endedBy'],
    readonly status: CallStatus = 'completed',
  ) {
    super(`call over (${endedBy})`);
  }
}

export type Document = { readonly verbs: readonly Verb[]; readonly url: string };

/** What Twilio could not use (an HTTP error, invalid TwiML, no answer): the call ends with its apology. */
export class ApplicationError extends Error {
  constructor(readonly details: CallError) {
    super(details.message);
  }
}

export const parseOrFail = (xml: string, url: string): Verb[] => {
  try {
    return parseTwiml(xml, url);
  } catch (error) {
    if (error instanceof TwimlError)
      throw new ApplicationError({ kind: 'twiml', message: error.message, url });
    throw error;
  }
};
