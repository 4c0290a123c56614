import WebSocket from 'ws';
import { z } from 'zod';
import { encodeMachineVoice, MachineVoiceDecoder } from '../speech/machine-voice.js';
import { silenceFrame, toFrames } from '../speech/mulaw.js';
import type { Caller, CallerTurn } from './caller.js';
import { signatureFor, twilioSid, type CallParties, type SignatureMode } from './signed-request.js';
import type { Conversation } from './transcript.js';

/**
 * Twilio's side of a bidirectional Media Stream (`<Connect><Stream>`): the caller's audio goes up as μ-law
 * frames, the agent's audio comes down and is "played" to the caller — at real-time speed, or at once when not
 * realtime — with `mark` echoed once the audio before it has played and `clear` dropping what has not.
 * The caller speaks the machine voice, and what the agent says is decoded from its audio.
 */

/** The audio code both sides of a simulated call speak (text ↔ μ-law 8 kHz). */
export interface VoiceCodec {
  encode(text: string): Buffer;
  createDecoder(): { push(audio: Buffer): string[]; flush(): string | undefined };
}

export const machineVoice: VoiceCodec = {
  encode: encodeMachineVoice,
  createDecoder: () => {
    const decoder = new MachineVoiceDecoder();
    return {
      push: (audio) => decoder.push(audio).map((u) => u.text),
      flush: () => {
        const partial = decoder.flush();
        return partial === undefined || partial.text === '' ? undefined : partial.text;
      },
    };
  },
};

const FRAME_MS = 20;
const FRAME_BYTES = 160;

/** What Twilio accepts from the application on a bidirectional stream. */
export const ServerMessage = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('media'),
    streamSid: z.string(),
    media: z.object({ payload: z.base64() }),
  }),
  z.object({ event: z.literal('mark'), streamSid: z.string(), mark: z.object({ name: z.string().min(1) }) }),
  z.object({ event: z.literal('clear'), streamSid: z.string() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

export interface TurnTiming {
  readonly utterance: string;
  /** Last frame of speech sent → first agent audio received. */
  readonly fromSpeechEndMs: number;
  /**
   * Last frame sent (speech plus the trailing silence that lets end-of-speech fire) → first agent audio;
   * absent when the answer came before the trailing silence was all sent.
   */
  readonly fromLastFrameMs?: number;
}

export interface MediaStreamClientOptions {
  readonly url: string;
  readonly authToken: string;
  readonly signature?: SignatureMode;
  readonly call: CallParties;
  /**
   * The `<Parameter>`s of the `<Stream>` the TwiML named, echoed in `start.customParameters` as Twilio does: the
   * platform's stream token among them, without which the platform refuses the stream (see PhoneCall).
   */
  readonly customParameters?: Readonly<Record<string, string>>;
  /** Send a frame every 20 ms and play the agent at speaking speed (default); false: as fast as possible. */
  readonly realtime?: boolean;
  readonly voice?: VoiceCodec;
  /** Silence sent after each utterance so the server's end-of-speech detector fires (non-realtime). */
  readonly endSilenceMs?: number;
  /** Quiet after the agent's last audio has played that ends its turn. */
  readonly agentIdleMs?: number;
  /** How long the caller waits for an answer before taking another turn. */
  readonly responseTimeoutMs?: number;
  /** How much of the agent's reply plays before a barge-in turn starts speaking. */
  readonly bargeInAfterMs?: number;
}

type PlaybackItem = { readonly audio: Buffer } | { readonly mark: string };

export type StreamEnd = 'caller-hung-up' | 'stream-closed' | 'stopped';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class MediaStreamClient {
  readonly streamSid = twilioSid('MZ');
  /** Everything the application sent, validated. */
  readonly received: ServerMessage[] = [];
  /** Everything sent to the application except `media` (too many to keep). */
  readonly sent: Record<string, unknown>[] = [];
  readonly protocolErrors: string[] = [];
  readonly marksEchoed: string[] = [];
  readonly timings: TurnTiming[] = [];
  clears = 0;
  mediaFramesSent = 0;

  readonly #ws: WebSocket;
  readonly #options: MediaStreamClientOptions;
  readonly #realtime: boolean;
  readonly #decoder: ReturnType<VoiceCodec['createDecoder']>;
  /** Caller frames waiting for the 20 ms clock; `sent` runs right after the frame goes out. */
  readonly #outbox: { frame: Buffer; sent?: () => void }[] = [];
  readonly #playback: PlaybackItem[] = [];
  #sequence = 0;
  #chunk = 0;
  #startedAt = performance.now();
  #timer: NodeJS.Timeout | undefined;
  #nextTickAt = 0;
  #closed = false;
  readonly #closedPromise: Promise<void>;
  #agentAudioCount = 0;
  #lastAgentAudioAt = 0;
  #awaiting: { utterance: string; speechEndAt: number; lastFrameAt?: number } | undefined;
  #conversation: Conversation | undefined;

  private constructor(ws: WebSocket, options: MediaStreamClientOptions) {
    this.#ws = ws;
    this.#options = options;
    this.#realtime = options.realtime ?? true;
    this.#decoder = (options.voice ?? machineVoice).createDecoder();
    this.#closedPromise = new Promise((resolve) =>
      ws.on('close', () => {
        this.#closed = true;
        if (this.#timer) clearTimeout(this.#timer);
        resolve();
      }),
    );
    ws.on('message', (raw) => this.#onMessage(String(raw)));
    // After the socket opened, an error (the application sent a bad frame, the line dropped) ends this stream
    // only: the local carrier runs these clients inside the platform, where an unhandled one would end it all.
    ws.on('error', (error) => this.protocolErrors.push(`socket: ${error.message}`));
  }

  /** Opens the socket (the upgrade request signed as Twilio signs it) and sends `connected` and `start`. */
  static async connect(options: MediaStreamClientOptions): Promise<MediaStreamClient> {
    const signature = signatureFor(options.signature ?? 'valid', options.authToken, options.url, {});
    const ws = new WebSocket(options.url, {
      headers: {
        'user-agent': 'Twilio.TmeWs/1.0',
        ...(signature !== undefined && { 'x-twilio-signature': signature }),
      },
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_request, response) =>
        reject(new Error(`media stream upgrade refused: HTTP ${response.statusCode ?? '?'}`)),
      );
    });
    const client = new MediaStreamClient(ws, options);
    client.#begin();
    return client;
  }

  get closed(): boolean {
    return this.#closed;
  }

  #begin(): void {
    const { call } = this.#options;
    this.#send({ event: 'connected', protocol: 'Call', version: '1.0.0' }, false);
    this.#send({
      event: 'start',
      start: {
        streamSid: this.streamSid,
        accountSid: call.accountSid,
        callSid: call.callSid,
        tracks: ['inbound'],
        customParameters: { ...this.#options.customParameters },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
      streamSid: this.streamSid,
    });
    this.#startedAt = performance.now();
    if (this.#realtime) {
      this.#nextTickAt = performance.now();
      this.#tick();
    }
  }

  #send(message: Record<string, unknown>, numbered = true): void {
    if (this.#closed || this.#ws.readyState !== WebSocket.OPEN) return;
    const full = numbered ? { ...message, sequenceNumber: String((this.#sequence += 1)) } : message;
    if (message['event'] !== 'media') this.sent.push(full);
    this.#ws.send(JSON.stringify(full));
  }

  #sendFrame(frame: Buffer): void {
    this.#chunk += 1;
    const timestamp = this.#realtime
      ? Math.round(performance.now() - this.#startedAt)
      : (this.#chunk - 1) * FRAME_MS;
    this.mediaFramesSent += 1;
    this.#send({
      event: 'media',
      media: {
        track: 'inbound',
        chunk: String(this.#chunk),
        timestamp: String(timestamp),
        payload: frame.toString('base64'),
      },
      streamSid: this.streamSid,
    });
  }

  /** Real time: every 20 ms one caller frame goes up (speech or silence) and 20 ms of the agent plays. */
  #tick = (): void => {
    if (this.#closed) return;
    const now = performance.now();
    while (this.#nextTickAt <= now) {
      const next = this.#outbox.shift();
      this.#sendFrame(next?.frame ?? silenceFrame());
      next?.sent?.();
      this.#play(FRAME_BYTES);
      this.#nextTickAt += FRAME_MS;
    }
    this.#timer = setTimeout(this.#tick, Math.max(0, this.#nextTickAt - performance.now()));
  };

  /** Plays up to `bytes` of queued agent audio (Infinity: everything), echoing the marks reached. */
  #play(bytes: number): void {
    let budget = bytes;
    while (budget > 0 || (budget === 0 && 'mark' in (this.#playback[0] ?? {}))) {
      const item = this.#playback[0];
      if (item === undefined) return;
      if ('mark' in item) {
        this.#playback.shift();
        this.#echoMark(item.mark);
        continue;
      }
      const take = Math.min(budget, item.audio.length);
      this.#hear(item.audio.subarray(0, take));
      budget -= take;
      if (take === item.audio.length) this.#playback.shift();
      else this.#playback[0] = { audio: item.audio.subarray(take) };
    }
  }

  #hear(audio: Buffer): void {
    for (const text of this.#decoder.push(audio)) this.#conversation?.agent(text, 'stream');
  }

  #echoMark(name: string): void {
    this.marksEchoed.push(name);
    this.#send({ event: 'mark', streamSid: this.streamSid, mark: { name } });
  }

  #onMessage(raw: string): void {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.protocolErrors.push(`not JSON: ${raw.slice(0, 80)}`);
      return;
    }
    const parsed = ServerMessage.safeParse(json);
    if (!parsed.success) {
      this.protocolErrors.push(`not a Media Streams message: ${z.prettifyError(parsed.error)}`);
      return;
    }
    const message = parsed.data;
    this.received.push(message);
    if (message.streamSid !== this.streamSid) {
      this.protocolErrors.push(`${message.event} for stream ${message.streamSid}, not ${this.streamSid}`);
      return;
    }
    switch (message.event) {
      case 'media': {
        const now = performance.now();
        if (this.#awaiting) {
          const { utterance, speechEndAt, lastFrameAt } = this.#awaiting;
          this.timings.push({
            utterance,
            fromSpeechEndMs: now - speechEndAt,
            ...(lastFrameAt !== undefined && { fromLastFrameMs: now - lastFrameAt }),
          });
          this.#awaiting = undefined;
        }
        this.#agentAudioCount += 1;
        this.#lastAgentAudioAt = now;
        this.#playback.push({ audio: Buffer.from(message.media.payload, 'base64') });
        if (!this.#realtime) this.#play(Infinity);
        return;
      }
      case 'mark':
        this.#playback.push({ mark: message.mark.name });
        if (!this.#realtime) this.#play(Infinity);
        return;
      case 'clear': {
        this.clears += 1;
        // Twilio drops the unplayed audio and echoes the marks that were waiting behind it at once.
        const marks = this.#playback.flatMap((item) => ('mark' in item ? [item.mark] : []));
        this.#playback.length = 0;
        for (const name of marks) this.#echoMark(name);
        const partial = this.#decoder.flush();
        if (partial !== undefined) this.#conversation?.agent(partial, 'stream', { interrupted: true });
        return;
      }
    }
  }

  /** True while agent audio is queued or arrived within `idleMs`. */
  #agentBusy(idleMs: number): boolean {
    return this.#playback.length > 0 || performance.now() - this.#lastAgentAudioAt < idleMs;
  }

  /** Sends frames: queued for the 20 ms clock in real time, or straight away as fast as the socket takes them. */
  async #transmit(frames: readonly Buffer[], afterLast?: () => void): Promise<void> {
    if (this.#realtime) {
      this.#outbox.push(
        ...frames.map((frame, i) => (i === frames.length - 1 ? { frame, sent: afterLast } : { frame })),
      );
      while (this.#outbox.length > 0 && !this.#closed) await sleep(FRAME_MS / 2);
      return;
    }
    for (const frame of frames) {
      if (this.#closed) return;
      this.#sendFrame(frame);
      if (frame === frames.at(-1)) afterLast?.();
      // Let the socket drain so "as fast as possible" is as fast as the server reads, not unbounded buffering.
      while (this.#ws.bufferedAmount > 64 * 1024 && !this.#closed) await sleep(1);
    }
    await sleep(0);
  }

  /** The caller says `text` in the machine voice, then (non-realtime) the silence that ends the utterance. */
  async speak(text: string): Promise<void> {
    const speech = toFrames((this.#options.voice ?? machineVoice).encode(text));
    const awaiting: { utterance: string; speechEndAt: number; lastFrameAt?: number } = {
      utterance: text,
      speechEndAt: 0,
    };
    // Timed from the moment the last frame of speech leaves, not when this function gets to run again.
    await this.#transmit(speech, () => {
      awaiting.speechEndAt = performance.now();
      this.#awaiting = awaiting;
    });
    if (!this.#realtime) {
      const silent = Math.ceil((this.#options.endSilenceMs ?? 800) / FRAME_MS);
      await this.#transmit(Array.from({ length: silent }, () => silenceFrame()));
    }
    awaiting.lastFrameAt = performance.now();
  }

  async press(digits: string): Promise<void> {
    for (const digit of digits) {
      this.#send({ event: 'dtmf', streamSid: this.streamSid, dtmf: { track: 'inbound_track', digit } });
      if (this.#realtime) await sleep(100);
    }
  }

  /** Silence for `seconds` (real time), or that many silent frames at once. */
  async keepQuiet(seconds: number): Promise<void> {
    const frames = Math.round((seconds * 1000) / FRAME_MS);
    if (this.#realtime) await Promise.race([sleep(seconds * 1000), this.#closedPromise]);
    else await this.#transmit(Array.from({ length: frames }, () => silenceFrame()));
  }

  /** Hang-up (or the call moved on): Twilio sends `stop` and closes the socket. */
  async stop(): Promise<void> {
    if (this.#closed) return;
    const { call } = this.#options;
    this.#send({
      event: 'stop',
      streamSid: this.streamSid,
      stop: { accountSid: call.accountSid, callSid: call.callSid },
    });
    this.#ws.close(1000);
    await Promise.race([this.#closedPromise, sleep(2000)]);
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  /**
   * Resolves once the agent has answered — sent audio after its `before`-th media message — and fallen quiet,
   * or the timeout passed with no answer.
   */
  async #awaitReply(caller: Caller | undefined, timeoutMs: number, before: number): Promise<void> {
    const idleMs = this.#options.agentIdleMs ?? (this.#realtime ? 600 : 250);
    const deadline = performance.now() + timeoutMs;
    while (!this.#closed && this.#agentAudioCount === before && performance.now() < deadline) await sleep(5);
    if (this.#closed || this.#agentAudioCount === before) return;
    const bargeIn = this.#conversation && caller?.interrupt?.(this.#conversation.context('stream'));
    if (bargeIn?.kind === 'say' && this.#conversation) {
      await sleep(this.#options.bargeInAfterMs ?? 300);
      this.#conversation.callerTurn(bargeIn, 'stream');
      const mark = this.#agentAudioCount;
      await this.speak(bargeIn.text);
      return this.#awaitReply(caller, this.#options.responseTimeoutMs ?? 15_000, mark);
    }
    while (!this.#closed && this.#agentBusy(idleMs)) await sleep(5);
  }

  /**
   * Runs the conversation on this stream until the caller hangs up or the application closes the socket:
   * wait for the agent to finish, ask the caller for a turn, send it, and so on.
   */
  async converse(caller: Caller, conversation: Conversation): Promise<StreamEnd> {
    this.#conversation = conversation;
    const responseTimeoutMs = this.#options.responseTimeoutMs ?? 15_000;
    // The greeting may well have arrived before the conversation starts: count from the stream's start.
    await this.#awaitReply(caller, responseTimeoutMs, 0);
    while (!this.#closed) {
      const turn: CallerTurn = await conversation.ask(caller, 'stream');
      if (this.#closed) break;
      // A reply is audio that arrives from now on (it may come while the caller's words are still going up).
      const mark = this.#agentAudioCount;
      switch (turn.kind) {
        case 'hangUp':
          await this.stop();
          return 'caller-hung-up';
        case 'press':
          await this.press(turn.digits);
          await this.#awaitReply(caller, responseTimeoutMs, mark);
          break;
        case 'say':
          await this.speak(turn.text);
          await this.#awaitReply(caller, responseTimeoutMs, mark);
          break;
        case 'silence': {
          const seconds = turn.seconds ?? (this.#realtime ? 3 : 1);
          await Promise.all([this.keepQuiet(seconds), this.#awaitReply(caller, seconds * 1000, mark)]);
          break;
        }
      }
    }
    return 'stream-closed';
  }

  /** Waits for the application to close the socket (a fork that only listens). */
  get done(): Promise<void> {
    return this.#closedPromise;
  }

  attach(conversation: Conversation): void {
    this.#conversation = conversation;
  }
}
