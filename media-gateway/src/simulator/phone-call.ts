import type { Caller, CallerTurn } from './caller.js';
import {
  MediaStreamClient,
  type MediaStreamClientOptions,
  type ServerMessage,
  type StreamEnd,
  type TurnTiming,
} from './media-stream-client.js';
import {
  gatherParams,
  recordingStatusParams,
  sendSignedRequest,
  statusCallbackParams,
  twilioSid,
  voiceParams,
  type CallParties,
  type CallStatus,
  type GatherResult,
  type HttpExchange,
  type SignatureMode,
} from './signed-request.js';
import { Conversation, type TranscriptLine } from './transcript.js';
import {
  parseTwiml,
  TwimlError,
  type Dial,
  type DialTarget,
  type Enqueue,
  type Gather,
  type HttpMethod,
  type Prompt,
  type RecordVerb,
  type Stream,
  type Verb,
} from './twiml.js';

/**
 * The telephone network's interpreter of one call: it fetches TwiML from the application's webhooks and does
 * what the verbs say, the way Twilio does — prompts are heard by the caller, a Gather asks the caller and posts
 * the answer, a queue plays its wait URL until someone moves the call, a `<Connect><Stream>` hands the call to
 * a Media Stream. A REST update (through the local carrier) can replace what the call is doing at any moment.
 */

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
}

export interface LiveCallRegistry {
  /** Returns the function that unregisters the call when it ends. */
  register(call: LiveCall): () => void;
}

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

/** Raised inside the interpreter when a REST update replaces what the call is doing. */
class Interrupted extends Error {
  constructor() {
    super('call updated');
  }
}

/** Ends the call from deep inside a verb. */
class CallOver extends Error {
  constructor(
    readonly endedBy: CallResult['endedBy'],
    readonly status: CallStatus = 'completed',
  ) {
    super(`call over (${endedBy})`);
  }
}

type Document = { readonly verbs: readonly Verb[]; readonly url: string };
type Update = { readonly twiml: string } | { readonly url: string; readonly method?: HttpMethod } | 'hangup';

const APPLICATION_ERROR = 'We are sorry, an application error has occurred. Goodbye.';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** About how long a voice takes to say a line. */
const speakingSeconds = (text: string) => Math.max(1, text.split(/\s+/).length / 2.5);

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

  constructor(parties: CallParties, options: CallRunOptions, initialStatus: CallStatus = 'ringing') {
    this.parties = parties;
    this.#options = options;
    this.#timeScale = options.timeScale ?? 0.01;
    this.status = initialStatus;
    this.conversation = new Conversation(options.onLine, this.startedAt.getTime());
    this.#interruption = this.#newInterruption();
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
    };
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
        await this.#prompt(verb);
        return 'continue';
      case 'Gather':
        return this.#gather(verb);
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
        return this.#enqueue(verb);
      case 'Dial':
        return this.#dial(verb);
      case 'Record':
        return this.#record(verb);
      case 'Connect':
        return this.#connect(verb.stream, verb.action, verb.method);
      case 'Start':
        await this.#fork(verb.stream);
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

  async #prompt(prompt: Prompt): Promise<void> {
    if (prompt.verb === 'Pause') return this.#pass(prompt.length);
    // loop="0" means "until the call moves on"; once is enough for a transcript.
    const times = Math.max(1, prompt.loop);
    for (let i = 0; i < times; i += 1) {
      if (prompt.verb === 'Say') {
        this.conversation.agent(prompt.text, 'twiml', { voice: prompt.voice, language: prompt.language });
        await this.#pass(speakingSeconds(prompt.text));
      } else {
        this.conversation.agent('', 'twiml', { playUrl: prompt.url ?? `digits:${prompt.digits ?? ''}` });
        await this.#pass(1);
      }
    }
  }

  async #askCaller(listening: Parameters<Conversation['ask']>[1]): Promise<CallerTurn> {
    const turn = await this.#race(this.conversation.ask(this.#options.caller, listening));
    if (turn.kind === 'hangUp') throw new CallOver('caller');
    if (turn.kind === 'say') for (const fork of this.#forks.values()) void fork.speak(turn.text);
    return turn;
  }

  async #gather(gather: Gather): Promise<(() => Promise<Document>) | 'continue'> {
    for (const prompt of gather.prompts) await this.#prompt(prompt);
    const turn = await this.#askCaller(gather.input.join(' ') as 'dtmf' | 'speech' | 'dtmf speech');
    let result: GatherResult = { kind: 'empty' };
    if (turn.kind === 'say' && gather.input.includes('speech') && turn.text.trim() !== '') {
      await this.#pass(speakingSeconds(turn.text));
      result = { kind: 'speech', text: turn.text, confidence: turn.confidence ?? 0.92 };
    } else if (turn.kind === 'press' && gather.input.includes('dtmf')) {
      // The finish key ends input and is not sent; numDigits ends it as soon as that many were pressed.
      let digits = turn.digits.split(gather.finishOnKey === '' ? /(?!)/ : gather.finishOnKey)[0] ?? '';
      if (gather.numDigits !== undefined) digits = digits.slice(0, gather.numDigits);
      if (digits !== '') result = { kind: 'dtmf', digits };
    }
    if (result.kind === 'empty') {
      const wait = turn.kind === 'silence' && turn.seconds !== undefined ? turn.seconds : gather.timeout;
      await this.#pass(wait);
      if (!gather.actionOnEmptyResult) return 'continue';
    }
    return () => this.#fetchDocument(gather.action, gather.method, gatherParams(result));
  }

  async #enqueue(verb: Enqueue): Promise<(() => Promise<Document>) | 'continue'> {
    const queueSid = twilioSid('QU');
    const enqueuedAt = this.elapsedSeconds;
    const queueTime = () => String(Math.round(this.elapsedSeconds - enqueuedAt));
    const exit = async (result: string): Promise<(() => Promise<Document>) | 'continue'> => {
      if (verb.action === undefined) return 'continue';
      const action = verb.action;
      return () =>
        this.#fetchDocument(action, verb.method, {
          QueueResult: result,
          QueueSid: queueSid,
          QueueTime: queueTime(),
        });
    };
    this.conversation.network(`[waiting in queue ${verb.name}]`);
    const patience = this.#options.queuePatienceSeconds ?? 600;
    try {
      for (;;) {
        if (this.elapsedSeconds - enqueuedAt >= patience) {
          // The caller gives up: Twilio tells the action URL, and nobody is left to hear its answer.
          if (verb.action !== undefined) {
            await this.#webhook(verb.action, verb.method, {
              QueueResult: 'hangup',
              QueueSid: queueSid,
              QueueTime: queueTime(),
            });
          }
          throw new CallOver('caller');
        }
        const before = this.elapsedSeconds;
        if (verb.waitUrl === undefined) {
          this.conversation.agent('', 'twiml', { playUrl: 'twilio:hold-music' });
          await this.#pass(10);
          continue;
        }
        const wait = await this.#fetchDocument(verb.waitUrl, verb.waitUrlMethod, {
          QueueSid: queueSid,
          QueuePosition: '1',
          QueueTime: queueTime(),
          AvgQueueTime: queueTime(),
          CurrentQueueSize: '1',
          MaxQueueSize: '100',
        });
        let left = false;
        for (const waitVerb of wait.verbs) {
          if (waitVerb.verb === 'Leave') {
            left = true;
            break;
          }
          if (waitVerb.verb === 'Hangup') throw new CallOver('application');
          if (waitVerb.verb === 'Say' || waitVerb.verb === 'Play' || waitVerb.verb === 'Pause')
            await this.#prompt(waitVerb);
          else if (waitVerb.verb === 'Gather')
            for (const prompt of waitVerb.prompts) await this.#prompt(prompt);
          // A <Redirect> in wait TwiML only changes where the next hold TwiML comes from; the loop refetches.
        }
        if (left) return await exit('leave');
        // Wait TwiML that takes no time would spin: Twilio's loop is paced by what it plays.
        if (this.elapsedSeconds - before < 1) await this.#pass(1);
      }
    } catch (error) {
      if (error instanceof Interrupted && verb.action !== undefined) {
        // Moved out of the queue by a REST update: Twilio reports it to the action URL, then follows the update.
        await this.#webhook(verb.action, verb.method, {
          QueueResult: 'redirected',
          QueueSid: queueSid,
          QueueTime: queueTime(),
        });
      }
      throw error;
    }
  }

  async #dial(verb: Dial): Promise<(() => Promise<Document>) | 'continue'> {
    let outcome: DialOutcome = { status: 'no-answer', durationSeconds: 0 };
    for (const target of verb.targets) {
      if (target.kind === 'Conference' || target.kind === 'Queue') {
        this.conversation.network(`[joined ${target.kind.toLowerCase()} ${target.name}]`);
        const started = this.elapsedSeconds;
        await this.#pass(this.#options.conferenceSeconds ?? 3600);
        outcome = { status: 'completed', durationSeconds: Math.round(this.elapsedSeconds - started) };
      } else {
        const who =
          target.kind === 'Number' ? target.number : target.kind === 'Client' ? target.identity : target.uri;
        this.conversation.network(`[dialling ${who}]`);
        outcome = this.#options.dialOutcome?.(target) ?? { status: 'completed', durationSeconds: 0 };
        await this.#pass(outcome.durationSeconds);
      }
      if (outcome.status === 'completed') break;
    }
    if (verb.action === undefined) return 'continue';
    const action = verb.action;
    return () =>
      this.#fetchDocument(action, verb.method, {
        DialCallStatus: outcome.status,
        DialCallSid: twilioSid('CA'),
        DialCallDuration: String(outcome.durationSeconds),
      });
  }

  async #record(verb: RecordVerb): Promise<(() => Promise<Document>) | 'continue'> {
    if (verb.playBeep) this.conversation.network('[beep]');
    let turn: CallerTurn;
    let hungUp = false;
    try {
      turn = await this.#askCaller('record');
    } catch (error) {
      if (!(error instanceof CallOver)) throw error;
      turn = { kind: 'hangUp' };
      hungUp = true;
    }
    if (turn.kind !== 'say') {
      // Nothing recorded: Twilio goes on with the next verb (or the call is over).
      if (hungUp) throw new CallOver('caller');
      await this.#pass(verb.timeout);
      return 'continue';
    }
    const durationSeconds = Math.min(verb.maxLength, Math.ceil(speakingSeconds(turn.text)));
    await this.#pass(durationSeconds + verb.timeout);
    const recordingSid = twilioSid('RE');
    const base = this.#options.recordingBaseUrl ?? 'https://api.twilio.com';
    const recordingUrl = `${base}/2010-04-01/Accounts/${this.parties.accountSid}/Recordings/${recordingSid}`;
    this.recordings.set(recordingSid, turn.text);
    const facts = { recordingSid, recordingUrl, durationSeconds };
    if (verb.recordingStatusCallback !== undefined) {
      await this.#notify(
        verb.recordingStatusCallback,
        verb.recordingStatusCallbackMethod,
        recordingStatusParams(this.parties, facts),
      );
    }
    if (verb.transcribe && verb.transcribeCallback !== undefined) {
      await this.#notify(verb.transcribeCallback, 'POST', {
        AccountSid: this.parties.accountSid,
        CallSid: this.parties.callSid,
        RecordingSid: recordingSid,
        RecordingUrl: recordingUrl,
        TranscriptionSid: twilioSid('TR'),
        TranscriptionText: turn.text,
        TranscriptionStatus: 'completed',
      });
    }
    return () =>
      this.#fetchDocument(verb.action, verb.method, {
        RecordingSid: recordingSid,
        RecordingUrl: recordingUrl,
        RecordingDuration: String(durationSeconds),
      });
  }

  #summarise(client: MediaStreamClient, url: string, kind: 'connect' | 'start', end?: StreamEnd): void {
    this.streams.push({
      url,
      streamSid: client.streamSid,
      kind,
      received: client.received,
      sent: client.sent,
      marksEchoed: client.marksEchoed,
      clears: client.clears,
      mediaFramesSent: client.mediaFramesSent,
      protocolErrors: client.protocolErrors,
      timings: client.timings,
      ...(end !== undefined && { end }),
    });
  }

  async #openStream(stream: Stream): Promise<MediaStreamClient | undefined> {
    try {
      return await MediaStreamClient.connect({
        ...this.#options.media,
        url: stream.url,
        authToken: this.#options.authToken,
        call: this.parties,
        customParameters: stream.parameters,
      });
    } catch (error) {
      // Twilio logs a stream error and carries on with the TwiML after the stream.
      this.errors.push({
        kind: 'stream',
        message: error instanceof Error ? error.message : String(error),
        url: stream.url,
      });
      return undefined;
    }
  }

  async #connect(
    stream: Stream,
    action: string | undefined,
    method: HttpMethod,
  ): Promise<(() => Promise<Document>) | 'continue'> {
    const client = await this.#race(this.#openStream(stream));
    if (client === undefined) return 'continue';
    let end: StreamEnd | undefined;
    try {
      end = await this.#race(client.converse(this.#options.caller, this.conversation));
    } catch (error) {
      await client.stop();
      end = 'stopped';
      throw error;
    } finally {
      this.#summarise(client, stream.url, 'connect', end);
    }
    if (end === 'caller-hung-up') throw new CallOver('caller');
    if (action === undefined) return 'continue';
    return () => this.#fetchDocument(action, method, { StreamSid: client.streamSid });
  }

  async #fork(stream: Stream): Promise<void> {
    const client = await this.#race(this.#openStream(stream));
    if (client === undefined) return;
    client.attach(this.conversation);
    const name = stream.name ?? client.streamSid;
    this.#forks.set(name, client);
    void client.done.then(() => this.#summarise(client, stream.url, 'start'));
  }
}

class ApplicationError extends Error {
  constructor(readonly details: CallError) {
    super(details.message);
  }
}

const parseOrFail = (xml: string, url: string): Verb[] => {
  try {
    return parseTwiml(xml, url);
  } catch (error) {
    if (error instanceof TwimlError)
      throw new ApplicationError({ kind: 'twiml', message: error.message, url });
    throw error;
  }
};

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
