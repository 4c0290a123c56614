import { runGather, playPrompt, runRecord } from './caller-verbs.js';
import type { CallRunOptions, LiveCall, RecordingCallback, StatusEvent } from './call-options.js';
import type { CallError, CallResult, MediaStreamSummary } from './call-result.js';
import type { MediaStreamClient } from './media-stream-client.js';
import { runDial, runEnqueue } from './queue-dial-verbs.js';
import {
  ApplicationError,
  CallOver,
  Interrupted,
  parseOrFail,
  type Document,
  type RunningCall,
} from './running-call.js';
import {
  recordingStatusParams,
  sendSignedRequest,
  statusCallbackParams,
  twilioSid,
  voiceParams,
  type CallParties,
  type CallStatus,
  type HttpExchange,
} from './signed-request.js';
import { connectStream, forkStream } from './stream-verbs.js';
import { Conversation } from './transcript.js';
import type { HttpMethod, Verb } from './twiml.js';

export type {
  CallRunOptions,
  DialOutcome,
  LiveCall,
  LiveCallRegistry,
  MediaOptions,
  StatusCallbackConfig,
  StatusEvent,
} from './call-options.js';
export type { CallError, CallResult, MediaStreamSummary } from './call-result.js';

/**
 * The telephone network's interpreter of one call: it fetches TwiML from the application's webhooks and does
 * what the verbs say, the way Twilio does — prompts are heard by the caller, a Gather asks the caller and posts
 * the answer, a queue plays its wait URL until someone moves the call, a `<Connect><Stream>` hands the call to
 * a Media Stream. A REST update (through the local carrier) can replace what the call is doing at any moment.
 * The verbs are run by caller-verbs.ts, queue-dial-verbs.ts and stream-verbs.ts, given this call as a RunningCall.
 */

type Update = { readonly twiml: string } | { readonly url: string; readonly method?: HttpMethod } | 'hangup';

const APPLICATION_ERROR = 'We are sorry, an application error has occurred. Goodbye.';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class PhoneCall {
  readonly parties: CallParties;
  readonly conversation: Conversation;
  readonly exchanges: HttpExchange[] = [];
  readonly streams: MediaStreamSummary[] = [];
  readonly errors: CallError[] = [];
  readonly recordings = new Map<string, string>();
  status: CallStatus;
  readonly startedAt = new Date();

  readonly #options: CallRunOptions;
  readonly #timeScale: number;
  #skippedMs = 0;
  #webhooks = 0;
  #statusSequence = 0;
  #update: Update | undefined;
  #wake: (() => void) | undefined;
  #interruption: Promise<never>;
  readonly #forks = new Map<string, MediaStreamClient>();
  #answeredBy: string | undefined;
  /** The whole-call recording in progress (`<Start><Recording>` or the REST API). */
  #recording:
    | {
        readonly sid: string;
        readonly fromLine: number;
        readonly fromSeconds: number;
        callback?: RecordingCallback;
      }
    | undefined;
  /** Recording status callbacks sent or being sent. */
  readonly #reports: Promise<void>[] = [];
  /** This call as the verbs' interpreters see it. */
  readonly #running: RunningCall;

  constructor(parties: CallParties, options: CallRunOptions, initialStatus: CallStatus = 'ringing') {
    this.parties = parties;
    this.#options = options;
    this.#timeScale = options.timeScale ?? 0.01;
    this.status = initialStatus;
    this.conversation = new Conversation(options.onLine, this.startedAt.getTime());
    this.#interruption = this.#newInterruption();
    const elapsedSeconds = () => this.elapsedSeconds;
    this.#running = {
      parties: this.parties,
      conversation: this.conversation,
      options,
      recordings: this.recordings,
      streams: this.streams,
      errors: this.errors,
      forks: this.#forks,
      get elapsedSeconds() {
        return elapsedSeconds();
      },
      race: (work) => this.#race(work),
      pass: (seconds) => this.#pass(seconds),
      webhook: (url, method, extra) => this.#webhook(url, method, extra),
      notify: (url, method, params) => this.#notify(url, method, params),
      fetchDocument: (url, method, extra) => this.#fetchDocument(url, method, extra),
    };
  }

  #newInterruption(): Promise<never> {
    const promise = new Promise<never>((_resolve, reject) => {
      this.#wake = () => reject(new Interrupted());
    });
    promise.catch(() => undefined);
    return promise;
  }

  /** Simulated seconds since the call started: real time plus what pauses skipped. */
  get elapsedSeconds(): number {
    return (Date.now() - this.startedAt.getTime() + this.#skippedMs) / 1000;
  }

  /** Waits for `work` unless a REST update comes first. */
  async #race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.#interruption]);
  }

  /** Lets `seconds` of call time pass: scaled real time, the rest skipped. */
  async #pass(seconds: number): Promise<void> {
    const realMs = seconds * 1000 * this.#timeScale;
    this.#skippedMs += seconds * 1000 - realMs;
    await this.#race(sleep(realMs));
  }

  /** The call as the REST API sees it. */
  get live(): LiveCall {
    const status = () => this.status;
    return {
      parties: this.parties,
      get status() {
        return status();
      },
      startedAt: this.startedAt,
      redirect: (target) => this.#interrupt(target),
      hangUp: () => this.#interrupt('hangup'),
      recordings: this.recordings,
      startRecording: (callback) => this.#startRecording(callback),
      stopRecording: () => this.#stopRecording(),
      deleteRecording: (sid) => this.recordings.delete(sid),
    };
  }

  #startRecording(callback?: RecordingCallback): string {
    if (this.#recording) return this.#recording.sid;
    const sid = twilioSid('RE');
    this.#recording = {
      sid,
      fromLine: this.conversation.lines.length,
      fromSeconds: this.elapsedSeconds,
      ...(callback && { callback }),
    };
    return sid;
  }

  /**
   * The recording holds what the caller said while it ran (the carrier serves it in machine voice). Its callback
   * is sent after the stop is answered, as Twilio does; the call waits for it before it ends.
   */
  #stopRecording(): string | undefined {
    const recording = this.#recording;
    if (!recording) return undefined;
    this.#recording = undefined;
    const said = this.conversation.lines
      .slice(recording.fromLine)
      .flatMap((line) => (line.speaker === 'caller' && line.turn.kind === 'say' ? [line.text] : []));
    this.recordings.set(recording.sid, said.join(' '));
    const { callback } = recording;
    if (callback) {
      const base = this.#options.recordingBaseUrl ?? 'https://api.twilio.com';
      const facts = {
        recordingSid: recording.sid,
        recordingUrl: `${base}/2010-04-01/Accounts/${this.parties.accountSid}/Recordings/${recording.sid}`,
        durationSeconds: Math.max(1, Math.round(this.elapsedSeconds - recording.fromSeconds)),
      };
      const params = recordingStatusParams(this.parties, facts, 'completed', callback.source);
      this.#reports.push(
        new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
          this.#notify(callback.url, callback.method, params),
        ),
      );
    }
    return recording.sid;
  }

  #interrupt(update: Update): void {
    if (this.status !== 'in-progress' && this.status !== 'ringing') return;
    this.#update = update;
    this.#wake?.();
  }

  async #webhook(url: string, method: HttpMethod, extra: Record<string, string> = {}): Promise<HttpExchange> {
    this.#webhooks += 1;
    if (this.#webhooks > (this.#options.maxWebhooks ?? 500)) {
      throw new ApplicationError({
        kind: 'loop',
        message: `more than ${this.#options.maxWebhooks ?? 500} webhooks`,
        url,
      });
    }
    const exchange = await sendSignedRequest({
      url,
      method,
      params: { ...voiceParams(this.parties, this.status), ...extra },
      authToken: this.#options.authToken,
      signature: this.#options.signature,
    });
    this.exchanges.push(exchange);
    return exchange;
  }

  /** A request whose answer is ignored (status, recording and transcription callbacks). */
  async #notify(url: string, method: HttpMethod, params: Record<string, string>): Promise<void> {
    const exchange = await sendSignedRequest({
      url,
      method,
      params,
      authToken: this.#options.authToken,
      signature: this.#options.signature,
    });
    this.exchanges.push(exchange);
  }

  /** Fetches TwiML; anything Twilio could not use is an application error. */
  async #fetchDocument(
    url: string,
    method: HttpMethod,
    extra: Record<string, string> = {},
  ): Promise<Document> {
    const exchange = await this.#race(this.#webhook(url, method, extra));
    if (exchange.status === 0) {
      throw new ApplicationError({ kind: 'network', message: exchange.error ?? 'no answer', url });
    }
    if (exchange.status < 200 || exchange.status > 299) {
      throw new ApplicationError({
        kind: 'http',
        message: `HTTP ${exchange.status}: ${exchange.body.slice(0, 200)}`,
        url,
      });
    }
    return { verbs: parseOrFail(exchange.body, url), url };
  }

  async sendStatus(event: StatusEvent, status: CallStatus, durationSeconds?: number): Promise<void> {
    const config = this.#options.statusCallback;
    if (!config || !(config.events ?? ['completed']).includes(event)) return;
    this.#statusSequence += 1;
    await this.#notify(
      config.url,
      config.method ?? 'POST',
      statusCallbackParams(this.parties, {
        status,
        sequenceNumber: this.#statusSequence - 1,
        durationSeconds,
        answeredBy: this.#answeredBy,
      }),
    );
  }

  /** Status callbacks already sent by someone else (the carrier sends initiated and ringing itself). */
  set statusSequence(next: number) {
    this.#statusSequence = next;
  }

  /**
   * Runs the call from its first webhook to the end. `answeredBy` is added to the first request (answering
   * machine detection on an outbound call).
   */
  async run(first: {
    readonly url: string;
    readonly method?: HttpMethod;
    /** TwiML to start with instead of fetching `url` (the REST API's `Twiml` parameter). */
    readonly twiml?: string;
    readonly answeredBy?: string;
  }): Promise<CallResult> {
    const unregister = this.#options.registry?.register(this.live);
    this.#answeredBy = first.answeredBy;
    let endedBy: CallResult['endedBy'] = 'application';
    let finalStatus: CallStatus = 'completed';
    try {
      if (this.parties.direction === 'outbound-api') {
        this.status = 'in-progress';
        await this.sendStatus('answered', 'in-progress');
      }
      let document: Document | undefined;
      const inline = first.twiml;
      let next: (() => Promise<Document>) | undefined =
        inline !== undefined
          ? async () => ({ verbs: parseOrFail(inline, first.url), url: first.url })
          : () =>
              this.#fetchDocument(
                first.url,
                first.method ?? 'POST',
                first.answeredBy ? { AnsweredBy: first.answeredBy } : {},
              );
      let firstDocument = true;
      while (next) {
        try {
          document = await next();
          if (firstDocument && document.verbs[0]?.verb === 'Reject') {
            const reason = document.verbs[0].reason;
            finalStatus = reason === 'busy' ? 'busy' : 'no-answer';
            this.conversation.network(reason === 'busy' ? '[busy signal]' : '[not in service]');
            break;
          }
          if (firstDocument && this.parties.direction === 'inbound') {
            this.status = 'in-progress';
            await this.sendStatus('answered', 'in-progress');
          }
          firstDocument = false;
          next = await this.#execute(document);
          if (!next) {
            // The end of the document: Twilio hangs up.
            endedBy = 'application';
          }
        } catch (error) {
          if (!(error instanceof Interrupted)) throw error;
          const update = this.#update;
          this.#update = undefined;
          this.#interruption = this.#newInterruption();
          if (update === undefined || update === 'hangup') {
            endedBy = 'carrier';
            next = undefined;
          } else if ('twiml' in update) {
            const base = document?.url ?? first.url;
            next = async () => ({ verbs: parseOrFail(update.twiml, base), url: base });
          } else {
            next = () => this.#fetchDocument(update.url, update.method ?? 'POST');
          }
          firstDocument = false;
        }
      }
    } catch (error) {
      if (error instanceof CallOver) {
        endedBy = error.endedBy;
        finalStatus = error.status;
      } else if (error instanceof ApplicationError) {
        this.errors.push(error.details);
        this.conversation.network(APPLICATION_ERROR);
        endedBy = 'error';
      } else if (error instanceof Interrupted) {
        endedBy = 'carrier';
      } else {
        unregister?.();
        throw error;
      }
    } finally {
      for (const fork of this.#forks.values()) await fork.stop();
    }
    // Twilio finishes a whole-call recording when the call ends, and reports it.
    this.#stopRecording();
    await Promise.allSettled(this.#reports);
    this.status = finalStatus;
    unregister?.();
    const durationSeconds = finalStatus === 'completed' ? Math.round(this.elapsedSeconds) : 0;
    await this.sendStatus('completed', finalStatus, durationSeconds);
    return {
      callSid: this.parties.callSid,
      accountSid: this.parties.accountSid,
      status: finalStatus,
      endedBy,
      durationSeconds,
      transcript: this.conversation.lines,
      heard: this.conversation.heard,
      exchanges: this.exchanges,
      streams: this.streams,
      errors: this.errors,
      failures: this.#options.caller.failures,
    };
  }

  /** Runs a document's verbs in order; returns how to get the next document, or undefined at the end. */
  async #execute(document: Document): Promise<(() => Promise<Document>) | undefined> {
    for (const verb of document.verbs) {
      const next = await this.#verb(verb);
      if (next === 'continue') continue;
      return next;
    }
    return undefined;
  }

  async #verb(verb: Verb): Promise<(() => Promise<Document>) | undefined | 'continue'> {
    switch (verb.verb) {
      case 'Say':
      case 'Play':
      case 'Pause':
        await playPrompt(this.#running, verb);
        return 'continue';
      case 'Gather':
        return runGather(this.#running, verb);
      case 'Redirect':
        return () => this.#fetchDocument(verb.url, verb.method);
      case 'Hangup':
        throw new CallOver('application');
      case 'Reject':
        // Not the first verb: the call was answered, so this is a hang-up.
        throw new CallOver('application');
      case 'Leave':
        // Outside a queue Twilio ignores <Leave>.
        return 'continue';
      case 'Enqueue':
        return runEnqueue(this.#running, verb);
      case 'Dial':
        return runDial(this.#running, verb);
      case 'Record':
        return runRecord(this.#running, verb);
      case 'Connect':
        return connectStream(this.#running, verb.stream, verb.action, verb.method);
      case 'Start':
        await forkStream(this.#running, verb.stream);
        return 'continue';
      case 'StartRecording':
        this.#startRecording(
          verb.recordingStatusCallback !== undefined
            ? {
                url: verb.recordingStatusCallback,
                method: verb.recordingStatusCallbackMethod,
                source: 'StartCallRecordingTwiML',
              }
            : undefined,
        );
        return 'continue';
      case 'Stop': {
        for (const [name, fork] of this.#forks) {
          if (verb.streamName === undefined || verb.streamName === name) {
            await fork.stop();
            this.#forks.delete(name);
          }
        }
        return 'continue';
      }
    }
  }
}

export interface InboundCallOptions extends Omit<CallRunOptions, 'statusCallback'> {
  /** The application's public base URL, e.g. http://127.0.0.1:3000. */
  readonly baseUrl: string;
  /** The number's voice webhook, relative to baseUrl. */
  readonly voicePath: string;
  readonly voiceMethod?: HttpMethod;
  readonly from: string;
  readonly to: string;
  /** Caller ID as presented (defaults to `from`). */
  readonly callerId?: string;
  readonly accountSid?: string;
  readonly callSid?: string;
  /** The number's status callback, relative to baseUrl. */
  readonly statusCallbackPath?: string;
  readonly statusCallbackEvents?: readonly StatusEvent[];
  /** Placed "as if" at this instant (ISO 8601; the platform honours it only with DEMO_CLOCK=true). */
  readonly demoAt?: string;
}

/** Someone dials the application's number: one whole call, from the first webhook to the status callback. */
export const placeInboundCall = (options: InboundCallOptions): Promise<CallResult> => {
  const parties: CallParties = {
    callSid: options.callSid ?? twilioSid('CA'),
    accountSid: options.accountSid ?? twilioSid('AC'),
    from: options.from,
    to: options.to,
    caller: options.callerId ?? options.from,
    direction: 'inbound',
    ...(options.demoAt !== undefined && { demoAt: options.demoAt }),
  };
  const call = new PhoneCall(parties, {
    ...options,
    ...(options.statusCallbackPath !== undefined && {
      statusCallback: {
        url: new URL(options.statusCallbackPath, options.baseUrl).href,
        ...(options.statusCallbackEvents !== undefined && { events: options.statusCallbackEvents }),
      },
    }),
  });
  return call.run({ url: new URL(options.voicePath, options.baseUrl).href, method: options.voiceMethod });
};
