import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import twilio from 'twilio';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { AgentTurn } from '../conversation/call-session.js';
import type { TurnModelTime, VoiceTurnTimings } from '../gateway-metrics.js';
import type { GatewayTracing } from '../gateway-tracing.js';
import type { MediaGateway } from '../gateway.js';
import { BoundedMap } from '../bounded-map.js';
import { toFrames } from '../speech/mulaw.js';
import type { RecognitionSession, SpeechToText, TextToSpeech } from '../speech/port.js';
import { VoiceActivityDetector } from '../speech/voice-activity.js';
import { STREAM_TOKEN_PARAMETER, type StreamTokens } from './stream-token.js';

export interface MediaStreamOptions {
  readonly gateway: MediaGateway;
  readonly stt: SpeechToText;
  /** The speech-to-text of a tenant's calls (its own provider account when it connected one); `stt` when omitted. */
  readonly sttFor?: (tenantId: string) => SpeechToText;
  readonly tts: TextToSpeech;
  readonly authToken: string;
  /**
   * Tenants' own Twilio accounts with this SID, as known now (no catch-up: the call's voice webhook caught up
   * moments before): a stream of a call on a tenant's account is signed with that tenant's token.
   */
  readonly tenantAccounts?: (accountSid: string) => readonly StreamAccount[];
  /**
   * The tenant of a call the gateway no longer holds in memory (the directory's, from the log): a stream
   * reconnecting after a restart is still checked against its call's tenant.
   */
  readonly tenantOfCall?: (callId: string) => Promise<string | undefined>;
  /** Checks the token the stream's TwiML gave it: the upgrade's signature does not say which call it is for. */
  readonly streamTokens: StreamTokens;
  readonly publicUrl?: string;
  /** Silence that ends a caller's utterance. */
  readonly endOfSpeechMs: number;
  readonly log: (message: string) => void;
  /** Reported for each caller utterance: end of speech → first audio of the answer sent (ms). */
  readonly onTurnLatency?: (ms: number) => void;
  /** The same wait in its parts: speech-to-text, model, the first line's text-to-speech. */
  readonly onTurnTimings?: (timings: VoiceTurnTimings) => void;
  /** Runs a turn's work so that the model requests inside it add their time to `time` (gateway-metrics.ts). */
  readonly modelTimeIn?: <T>(time: TurnModelTime, work: () => Promise<T>) => Promise<T>;
  /** Spans of the turns, the greeting, speech-to-text and text-to-speech; absent: none. */
  readonly tracing?: GatewayTracing;
}

/** A turn's clock, from the end of the caller's speech to the first audio of the reply. */
interface TurnClock {
  readonly speechEnded: number;
  sttMs: number;
  readonly model: TurnModelTime;
  /** The first line's synthesis, once done. */
  ttsMs?: number;
}

export const MEDIA_PATH = '/twilio/media';

/**
 * The stream URL of a call on a Twilio account: `/twilio/media/<AccountSid>`. Twilio's <Stream> URL takes no
 * query string, so the path names the account whose token signs the upgrade: an unauthenticated upgrade costs
 * one signature check per account with that SID, never one per tenant.
 */
export const mediaPathFor = (accountSid: string | undefined): string =>
  accountSid !== undefined && ACCOUNT_SID.test(accountSid) ? `${MEDIA_PATH}/${accountSid}` : MEDIA_PATH;

const ACCOUNT_SID = /^AC[0-9a-f]{32}$/;

/** Tenants that typed the same SID are few; more than this is not tried (each costs an HMAC). */
const MAX_ACCOUNTS_TRIED = 3;

const accountOfPath = (path: string): string | null | undefined => {
  if (path === MEDIA_PATH) return undefined;
  const sid = path.startsWith(`${MEDIA_PATH}/`) ? path.slice(MEDIA_PATH.length + 1) : '';
  return ACCOUNT_SID.test(sid) ? sid : null;
};

/** A tenant's own Twilio account, which may stream only that tenant's calls. */
export interface StreamAccount {
  readonly tenantId: string;
  readonly accountSid: string;
  readonly authToken: string;
}

// Twilio's Media Streams messages (bidirectional), validated as they arrive.
const Inbound = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('connected'),
    protocol: z.string().optional(),
    version: z.string().optional(),
  }),
  z.object({
    event: z.literal('start'),
    streamSid: z.string().min(1).max(64),
    start: z.object({
      streamSid: z.string().min(1).max(64),
      callSid: z.string().regex(/^CA[0-9a-f]{32}$/),
      accountSid: z.string().max(64).optional(),
      customParameters: z.record(z.string(), z.string()).optional(),
      mediaFormat: z
        .object({ encoding: z.literal('audio/x-mulaw'), sampleRate: z.literal(8000), channels: z.literal(1) })
        .optional(),
    }),
  }),
  z.object({
    event: z.literal('media'),
    media: z.object({ payload: z.string().max(64_000), track: z.string().optional() }),
  }),
  z.object({ event: z.literal('mark'), mark: z.object({ name: z.string().max(200) }) }),
  z.object({ event: z.literal('dtmf'), dtmf: z.object({ digit: z.string().max(1) }) }),
  z.object({ event: z.literal('stop') }),
]);

/** Calls whose stream started, remembered to refuse a second one; this many cover hours of a busy platform. */
const STREAMED_CALLS = 50_000;

/** Audio is sent in messages of this many frames: small enough for a barge-in to cut it short. */
const FRAMES_PER_MESSAGE = 10;

/**
 * Twilio Media Streams: the caller's audio arrives as μ-law frames, voice activity detection finds their
 * utterances, the recognizer transcribes each, the call session answers, and the answer is synthesized and
 * sent back with a mark per line. A caller who talks over the agent gets a `clear` (barge-in).
 */
export const mediaStreams = (options: MediaStreamOptions) => {
  const server = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  /*
   * A call has one stream in its life (after it the call goes on by webhooks), but its first webhook made again
   * gets the stream TwiML with a fresh token (a retry whose first answer was lost must still connect): whoever
   * replays that webhook must not open a second stream on the call, while the first is live or after it.
   */
  const streamed = new BoundedMap<string, true>(STREAMED_CALLS);
  // Which tenant's own account signed each upgrade (none: the platform's), read by the stream's start.
  const signers = new WeakMap<IncomingMessage, StreamAccount>();
  server.on('connection', (socket: WebSocket, request: IncomingMessage) =>
    handle(socket, options, streamed, signers.get(request)),
  );
  // With noServer nothing is listening, but the server is an emitter all the same: an error it emits is logged.
  server.on('error', (error) => options.log(`media streams: ${error.message}`));

  return {
    upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      // null: not a Media Streams path; undefined: one that names no account (the platform's only).
      const pathAccount = accountOfPath(path);
      if (pathAccount === null) return false;
      // A client that resets the connection mid-upgrade must not become an unhandled 'error'.
      socket.on('error', (error) => options.log(`media stream upgrade: ${error.message}`));
      const signature = request.headers['x-twilio-signature'];
      const host = request.headers.host ?? '';
      const url = `${(options.publicUrl ?? `http://${host}`).replace(/^http/, 'ws').replace(/\/$/, '')}${request.url ?? ''}`;
      const signedBy = (token: string) =>
        typeof signature === 'string' && twilio.validateRequest(token, signature, url, {});
      const byPlatform = signedBy(options.authToken);
      const tenant =
        byPlatform || pathAccount === undefined || typeof signature !== 'string'
          ? undefined
          : (options.tenantAccounts?.(pathAccount) ?? [])
              .slice(0, MAX_ACCOUNTS_TRIED)
              .find((account) => signedBy(account.authToken));
      if (tenant) signers.set(request, tenant);
      if (!byPlatform && !tenant) {
        socket.end(
          'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\nX-Twilio-Signature does not match\r\n',
        );
        return true;
      }
      server.handleUpgrade(request, socket, head, (ws) => server.emit('connection', ws, request));
      return true;
    },
    close: async (): Promise<void> => {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

const handle = (
  socket: WebSocket,
  options: MediaStreamOptions,
  streamed: Map<string, true>,
  account: StreamAccount | undefined,
): void => {
  const { gateway, stt, tts, log, tracing } = options;
  const vad = new VoiceActivityDetector({ endMs: options.endOfSpeechMs });
  let streamSid: string | undefined;
  let callId: string | undefined;
  let recognition: RecognitionSession | undefined;
  /** The recognizer of the utterance being heard, named in its span. */
  let recognizer = stt.name;
  /** The turn whose lines are being said now (turns run one after another); none for the greeting. */
  let speaking: TurnClock | undefined;
  let speechEndedAt = 0;
  let awaitingFirstAudio = false;
  let markCount = 0;
  const unplayed = new Set<string>();
  let leaving = false;
  /** A start was refused: nothing this socket sends acts on any call. */
  let refused = false;
  /** A start is being checked (its call's tenant looked up): a second start is refused meanwhile. */
  let starting = false;
  // Turns run one after another; audio keeps flowing in meanwhile.
  let turns: Promise<void> = Promise.resolve();

  const refuse = (named: string, reason: string): void => {
    refused = true;
    log(`media stream for ${named}: refused (${reason})`);
    socket.close(1008, `stream token: ${reason}`);
  };

  /** The stream is the call's: its greeting is played once the call is held (rebuilt from the log if need be). */
  const begin = (named: string, sid: string): void => {
    if (refused || socket.readyState !== socket.OPEN) return;
    streamed.set(named, true);
    streamSid = sid;
    callId = named;
    const greeting = gateway.takeForStream(named);
    // Turns wait for this: a stream reconnecting after a restart finds its call rebuilt from the log.
    turns = turns
      .then(async () => {
        if (!(await gateway.sessionOrResume(named))) {
          socket.close(1008, 'no such call');
          return;
        }
        if (greeting) {
          await (tracing ? tracing.greeting(named, () => play(greeting, 0)) : play(greeting, 0));
        }
      })
      .catch((e: unknown) => log(String(e)));
  };

  const send = (message: object): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };

  const speak = async (line: string, turn: { language: string; voice: string }): Promise<void> => {
    // The turn's first line (until one is synthesized): the one its caller waits on.
    const clock = speaking?.ttsMs === undefined ? speaking : undefined;
    if (clock) clock.model.firstLineAt ??= performance.now();
    const synthesize = () => tts.synthesize(line, { voice: turn.voice, language: turn.language });
    const started = performance.now();
    const audio = await (tracing && callId !== undefined
      ? tracing.textToSpeech(callId, tts.name, line.length, synthesize)
      : synthesize());
    const frames = toFrames(audio);
    if (clock) {
      const now = performance.now();
      clock.ttsMs = now - started;
      const { sttMs, model, ttsMs, speechEnded } = clock;
      options.onTurnTimings?.({ sttMs, modelMs: model.modelMs, ttsMs, totalMs: now - speechEnded });
    }
    if (awaitingFirstAudio) {
      awaitingFirstAudio = false;
      options.onTurnLatency?.(performance.now() - speechEndedAt);
    }
    for (let i = 0; i < frames.length; i += FRAMES_PER_MESSAGE) {
      const payload = Buffer.concat(frames.slice(i, i + FRAMES_PER_MESSAGE)).toString('base64');
      send({ event: 'media', streamSid, media: { payload } });
    }
    markCount += 1;
    const name = `line-${markCount}`;
    unplayed.add(name);
    send({ event: 'mark', streamSid, mark: { name } });
  };

  /** Says one line; a line the text-to-speech fails on is logged and skipped, so the rest of the turn is said. */
  const sayLine = async (line: string, turn: { language: string; voice: string }): Promise<void> => {
    try {
      await speak(line, turn);
    } catch (error) {
      log(`media stream ${callId ?? '?'}: a line was not said (${tts.name}): ${String(error)}`);
    }
  };

  /** The caller's key or words as a recording consent answer: recorded, and its confirmation said. */
  const answerConsent = async (id: string, input: { digits?: string; text?: string }): Promise<boolean> => {
    const outcome = await gateway.consent(id, input);
    if (outcome) await sayLine(outcome.line, outcome);
    return outcome !== undefined;
  };

  /** Says the turn; a step other than listening ends the stream once the caller has heard everything. */
  const play = async (turn: AgentTurn, alreadySpoken: number): Promise<void> => {
    for (const line of turn.lines.slice(alreadySpoken)) await sayLine(line, turn);
    if (turn.next.kind !== 'listen' && callId !== undefined) {
      gateway.setAfterStream(callId, turn.next);
      leaving = true;
      if (unplayed.size === 0) socket.close();
    }
  };

  const onUtterance = async (
    text: string,
    confidence: number,
    language: string | undefined,
  ): Promise<void> => {
    const session = callId !== undefined ? gateway.session(callId) : undefined;
    if (!session || text.trim() === '') return;
    // Words that answer recording consent go no further than the answer.
    if (callId !== undefined && (await answerConsent(callId, { text }))) return;
    let spoken = 0;
    // Lines said while the turn goes on (streamed sentences, a filler): one after another, in the order said,
    // whichever of them the text-to-speech finishes first.
    let said = Promise.resolve();
    const turn = await session.hear(
      { text, confidence, ...(language !== undefined && { language }) },
      (line) => {
        spoken += 1;
        said = said.then(() => sayLine(line, { language: session.currentLanguage, voice: session.voice }));
      },
    );
    await said;
    await play(turn, spoken);
  };

  const onFrame = (frame: Buffer): void => {
    for (const event of vad.push(frame)) {
      if (event.type === 'speechStarted') {
        if (unplayed.size > 0 && !leaving) {
          // Barge-in: the caller talks over the agent, so what it has not yet said is dropped.
          send({ event: 'clear', streamSid });
          unplayed.clear();
        }
        const session = callId !== undefined ? gateway.session(callId) : undefined;
        const tenantStt = session && options.sttFor ? options.sttFor(session.setup.tenant.tenantId) : stt;
        recognition = tenantStt.start({ languages: session?.languages ?? ['en'] });
        recognizer = tenantStt.name;
        for (const f of event.frames) recognition.write(f);
      } else if (event.type === 'audio') {
        recognition?.write(event.frame);
      } else {
        const finishing = recognition;
        recognition = undefined;
        if (!finishing) continue;
        speechEndedAt = performance.now();
        awaitingFirstAudio = true;
        const clock: TurnClock = { speechEnded: speechEndedAt, sttMs: 0, model: { modelMs: 0 } };
        const provider = recognizer;
        const id = callId;
        const turn = async (): Promise<void> => {
          speaking = clock;
          try {
            const transcript = await (tracing && id !== undefined
              ? tracing.speechToText(id, provider, () => finishing.finish())
              : finishing.finish());
            clock.sttMs = performance.now() - clock.speechEnded;
            const answer = () => onUtterance(transcript.text, transcript.confidence, transcript.language);
            await (options.modelTimeIn ? options.modelTimeIn(clock.model, answer) : answer());
          } finally {
            speaking = undefined;
          }
        };
        turns = turns
          .then(() => (tracing && id !== undefined ? tracing.streamTurn(id, turn) : turn()))
          .catch((error: unknown) => log(`media stream ${callId ?? '?'}: turn failed: ${String(error)}`));
      }
    }
  };

  const onMessage = (message: z.infer<typeof Inbound>): void => {
    switch (message.event) {
      case 'connected':
        return;
      case 'start': {
        const parameters = message.start.customParameters;
        const named = parameters?.['callId'] ?? message.start.callSid;
        // One call per stream, and only the call whose token the stream's TwiML carried: a refused stream
        // takes nothing of the call (its greeting stays for the real stream) and records nothing.
        let check: { readonly ok: true } | { readonly ok: false; readonly reason: string } =
          callId === undefined && !refused && !starting
            ? options.streamTokens.redeem(named, parameters?.[STREAM_TOKEN_PARAMETER])
            : { ok: false, reason: 'second start' };
        // Checked after the token, which is used up either way.
        if (check.ok && streamed.has(named)) check = { ok: false, reason: 'the call had its stream' };
        // A tenant's own account streams only its own calls, and says it is that account.
        if (check.ok && account && message.start.accountSid !== account.accountSid)
          check = { ok: false, reason: "not a call of the signing account's tenant" };
        if (!check.ok) return refuse(named, check.reason);
        if (!account) return begin(named, message.streamSid);
        const known = gateway.tenantOf(named);
        if (known !== undefined) {
          return known === account.tenantId
            ? begin(named, message.streamSid)
            : refuse(named, "not a call of the signing account's tenant");
        }
        // After a restart the gateway's memory is empty while the call goes on from the log: its tenant is
        // the directory's. The audio that arrives meanwhile belongs to no call yet and is dropped.
        starting = true;
        const streamId = message.streamSid;
        void (options.tenantOfCall?.(named) ?? Promise.resolve(undefined))
          .then((tenantId) =>
            tenantId === account.tenantId
              ? begin(named, streamId)
              : refuse(named, "not a call of the signing account's tenant"),
          )
          .catch((error: unknown) => {
            log(`media stream for ${named}: its tenant could not be looked up: ${String(error)}`);
            refuse(named, 'tenant unknown');
          })
          .finally(() => {
            starting = false;
          });
        return;
      }
      case 'media':
        // Audio before a good start belongs to no call: it would only cost speech recognition.
        if (callId === undefined) return;
        onFrame(Buffer.from(message.media.payload, 'base64'));
        return;
      case 'mark':
        unplayed.delete(message.mark.name);
        if (leaving && unplayed.size === 0) socket.close();
        return;
      case 'dtmf': {
        // Keys on a stream answer recording consent only (the conversation itself is spoken).
        const id = callId;
        const digits = message.dtmf.digit;
        if (id !== undefined) turns = turns.then(() => answerConsent(id, { digits }).then(() => undefined));
        turns = turns.catch((e: unknown) => log(String(e)));
        return;
      }
      case 'stop':
        recognition?.abort();
        recognition = undefined;
        // The caller hung up (the stream did not end because the agent moved the call on).
        if (callId !== undefined && !leaving) {
          const id = callId;
          turns = turns.then(() => gateway.close(id)).catch((e: unknown) => log(String(e)));
        }
        return;
    }
  };

  socket.on('message', (raw) => {
    let message: z.infer<typeof Inbound>;
    try {
      message = Inbound.parse(JSON.parse(String(raw)));
    } catch {
      log('media stream: a message that is not Twilio Media Streams JSON was ignored');
      return;
    }
    try {
      onMessage(message);
    } catch (error) {
      // A frame the audio path cannot take ends this stream, never the process (1011: internal error).
      log(`media stream ${callId ?? '?'}: ${String(error)}`);
      socket.close(1011, 'internal error');
    }
  });
  // A frame over maxPayload, a text frame that is not UTF-8 or a reset connection: ws closes the socket with
  // the matching code (1009, 1007, ...) and emits 'error', which without this listener would end the process.
  socket.on('error', (error) => log(`media stream ${callId ?? '?'}: ${error.message}`));
  socket.on('close', () => recognition?.abort());
};
