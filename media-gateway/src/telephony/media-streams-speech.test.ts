import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { MediaGateway } from '../gateway.js';
import type { AgentTurn } from '../conversation/call-session.js';
import type { VoiceTurnTimings } from '../gateway-metrics.js';
import { FRAME_BYTES, type SpeechToText, type TextToSpeech } from '../speech/port.js';
import { silenceFrame } from '../speech/mulaw.js';
import { mediaStreams } from './media-streams.js';
import { streamTokens } from './stream-token.js';

/*
 * Lines said during a turn on a media stream (streamed sentences, a filler) reach the caller in the order they
 * were said, even when the text-to-speech finishes a later, shorter line first.
 */

const PLATFORM_TOKEN = 'platform-token-0123456789abcdef';
/** A call has one stream: each test streams its own call. */
const CALLS = [`CA${'d4'.repeat(16)}`, `CA${'d5'.repeat(16)}`];
const LINES = ['A long first sentence that takes a while to synthesize.', 'Short.', 'The rest.'];

/** Each line's audio is one frame filled with its own byte, so the order it was sent in can be read back. */
const audioOf = (text: string): Buffer => Buffer.alloc(FRAME_BYTES, 0x10 + LINES.indexOf(text));

/** A line the stand-in text-to-speech fails on once (as a provider's error would). */
let failOnce: string | undefined;
/** Where the turn leads, and where the stream was told to go after it. */
let turnNext: AgentTurn['next'] = { kind: 'listen' };
const afterStream: AgentTurn['next'][] = [];
const logged: string[] = [];
/** Each turn's wait in its parts, as reported. */
const timings: VoiceTurnTimings[] = [];
/** The model time the stand-in session's turn takes before its first line (as voiceModel would count it). */
const MODEL_MS = 60;

const tts: TextToSpeech = {
  name: 'stand-in-tts',
  synthesize: async (text) => {
    if (text === failOnce) {
      failOnce = undefined;
      throw new Error('stand-in tts: 503');
    }
    // The first line is the slowest to synthesize.
    if (text === LINES[0]) await sleep(150);
    return audioOf(text);
  },
};

const stt: SpeechToText = {
  name: 'stand-in-stt',
  start: () => ({
    write: () => undefined,
    finish: async () => ({ text: 'I need a cleaning', confidence: 0.9, isFinal: true }),
    abort: () => undefined,
  }),
};

const session = {
  currentLanguage: 'en',
  voice: 'Puck',
  languages: ['en'],
  setup: { tenant: { tenantId: 'a' } },
  // Two sentences said as they stream; the last only in the turn's lines.
  hear: async (_input: unknown, onLine?: (line: string) => void): Promise<AgentTurn> => {
    await sleep(MODEL_MS);
    onLine?.(LINES[0] ?? '');
    onLine?.(LINES[1] ?? '');
    return { lines: LINES, language: 'en', voice: 'Puck', next: turnNext };
  },
};

const gateway = {
  tenantOf: () => 'a',
  takeForStream: () => undefined,
  sessionOrResume: () => Promise.resolve(session),
  session: () => session,
  setAfterStream: (_call: string, next: AgentTurn['next']) => {
    afterStream.push(next);
  },
  close: () => Promise.resolve(),
  // The tenant asks for no recording consent: no line answers it.
  consent: () => Promise.resolve(undefined),
} as unknown as MediaGateway;

const tokens = streamTokens({ authToken: PLATFORM_TOKEN });
let server: Server;
let base: string;
let streams: ReturnType<typeof mediaStreams>;

beforeAll(async () => {
  streams = mediaStreams({
    gateway,
    stt,
    tts,
    authToken: PLATFORM_TOKEN,
    tenantOfCall: () => Promise.resolve('a'),
    streamTokens: tokens,
    endOfSpeechMs: 100,
    log: (line: string) => {
      logged.push(line);
    },
    onTurnTimings: (turn) => timings.push(turn),
    // As gateway-metrics' modelTimeIn with a model that answered in MODEL_MS.
    modelTimeIn: async (time, work) => {
      time.modelMs += MODEL_MS;
      return work();
    },
  });
  server = createServer();
  server.on('upgrade', (request, socket, head) => {
    if (!streams.upgrade(request, socket, head)) socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await streams.close();
  server.close();
  await once(server, 'close');
});

const media = (frame: Buffer) =>
  JSON.stringify({ event: 'media', media: { payload: frame.toString('base64') } });

/** A caller's turn on a new stream: the line numbers heard, in order, once `marks` lines were marked. */
const oneTurn = async (call: string, marksWanted: number): Promise<number[]> => {
  const url = `${base}/twilio/media`;
  const socket = new WebSocket(url, {
    headers: { 'x-twilio-signature': twilio.getExpectedTwilioSignature(PLATFORM_TOKEN, url, {}) },
  });
  await once(socket, 'open');
  const heard: number[] = [];
  const marks = new Promise<void>((resolve, reject) => {
    let count = 0;
    socket.on('error', reject);
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { event: string; media?: { payload: string } };
      if (message.event === 'media' && message.media) {
        heard.push((Buffer.from(message.media.payload, 'base64')[0] ?? 0) - 0x10);
      }
      if (message.event === 'mark' && ++count === marksWanted) resolve();
    });
  });
  socket.send(JSON.stringify({ event: 'connected' }));
  socket.send(
    JSON.stringify({
      event: 'start',
      streamSid: 'MZ1',
      start: {
        streamSid: 'MZ1',
        callSid: call,
        customParameters: { callId: call, token: tokens.issue(call) },
      },
    }),
  );
  await sleep(100);
  // The caller speaks (loud frames), then is silent long enough to end the utterance.
  for (let i = 0; i < 10; i += 1) socket.send(media(Buffer.alloc(FRAME_BYTES, 0x00)));
  for (let i = 0; i < 15; i += 1) socket.send(media(silenceFrame()));
  await marks;
  // What follows the last line (the step after the turn) is settled by then.
  await sleep(50);
  socket.close();
  return heard;
};

describe('a turn said on a media stream', () => {
  it('sends the lines in the order said, whichever is synthesized first', async () => {
    timings.length = 0;
    expect(await oneTurn(CALLS[0] ?? '', LINES.length)).toEqual([0, 1, 2]);
    // One report per turn, at its first audio: the first line's synthesis (the slow one, 150 ms) and the model's
    // share are parts of the whole wait, with the speech-to-text.
    expect(timings).toHaveLength(1);
    const [turn] = timings;
    expect(turn?.ttsMs).toBeGreaterThanOrEqual(140);
    expect(turn?.modelMs).toBe(MODEL_MS);
    expect(turn?.sttMs).toBeGreaterThanOrEqual(0);
    expect(turn?.totalMs).toBeGreaterThanOrEqual((turn?.sttMs ?? 0) + MODEL_MS + (turn?.ttsMs ?? 0));
  });

  it('says the rest of the turn and goes where it leads when the text-to-speech fails on one line', async () => {
    failOnce = LINES[1];
    turnNext = { kind: 'hang_up' };
    try {
      expect(await oneTurn(CALLS[1] ?? '', LINES.length - 1)).toEqual([0, 2]);
      expect(afterStream).toEqual([{ kind: 'hang_up' }]);
      expect(logged.some((line) => line.includes('stand-in tts: 503'))).toBe(true);
    } finally {
      failOnce = undefined;
      turnNext = { kind: 'listen' };
    }
  });
});
