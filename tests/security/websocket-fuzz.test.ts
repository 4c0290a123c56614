import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import WebSocket from 'ws';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_NUMBER } from '@ccp/infra';
import {
  say,
  hangUp,
  scripted,
  placeInboundCall,
  sendSignedRequest,
  twilioSid,
  voiceParams,
  parseTwiml,
  type Stream,
} from '@ccp/media-gateway/simulator';
import { spawnPlatform, type PlatformProcess } from '../support/process.js';
import { seededRandom } from '@ccp/media-gateway/testing';

/*
 * The platform's WebSocket endpoints under hostile frames. The platform runs as its own process (as `npm start`
 * runs it), so a frame that kills it shows as a dead process here instead of taking the test run down with it.
 * Every WebSocket endpoint of the platform: the server's 'upgrade' handlers are the media gateway's Media
 * Streams socket (media-gateway/src/telephony/media-streams.ts) and nothing else.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'ccp-ws-fuzz-'));
const accountSid = twilioSid('AC');
const authToken = 'ws-fuzz-auth-token-0123456789abcdef';
let platform: PlatformProcess | undefined;

const alive = (p: PlatformProcess | undefined): p is PlatformProcess =>
  p !== undefined && p.child.exitCode === null && p.child.signalCode === null;

// Each test starts from a serving platform: one that a previous test killed is started again.
beforeEach(async () => {
  if (alive(platform)) return;
  platform = await spawnPlatform({
    DATA_DIR: dataDir,
    SUPER_ADMIN_EMAIL: 'root@fuzz.example',
    SUPER_ADMIN_PASSWORD: 'fuzz-test-password',
    STREAM_PROCESSING: 'false',
    TWILIO_ACCOUNT_SID: accountSid,
    TWILIO_AUTH_TOKEN: authToken,
  });
}, 60_000);
afterAll(async () => {
  platform?.child.kill('SIGKILL');
  await platform?.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

const running = (): PlatformProcess => {
  if (!platform) throw new Error('the platform is not running');
  return platform;
};

const mediaUrl = () => `${running().url.replace(/^http/, 'ws')}/twilio/media`;

/** A Media Streams socket opened as Twilio opens it: the upgrade signed with the account's auth token. */
const openSignedSocket = async (): Promise<WebSocket> => {
  const url = mediaUrl();
  const ws = new WebSocket(url, {
    headers: { 'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, url, {}) },
  });
  // The server may answer a hostile frame by closing with an error code: that is expected, not a failure.
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused: HTTP ${response.statusCode ?? '?'}`)),
    );
  });
  return ws;
};

const closed = (ws: WebSocket, ms = 5_000): Promise<number | undefined> =>
  ws.readyState === WebSocket.CLOSED
    ? Promise.resolve(undefined)
    : new Promise((resolve) => {
        const timer = setTimeout(() => resolve(undefined), ms);
        ws.once('close', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The platform still serves: health answers and a caller on a media stream talks with the agent. */
const expectStillServing = async (): Promise<void> => {
  const p = running();
  // A process dying of an unhandled error exits right after the socket closes: give it the time to.
  await Promise.race([p.exited, sleep(500)]);
  expect(alive(p), `the platform died:\n${p.output().slice(-1500)}`).toBe(true);
  // Handled where it happened, not caught by the process's last-resort guard.
  expect(p.output()).not.toMatch(/uncaughtException|unhandledRejection/);
  const health = await fetch(`${p.url}/health`);
  expect(health.status).toBe(200);
  const result = await placeInboundCall({
    baseUrl: p.url,
    voicePath: '/twilio/voice?mode=stream',
    authToken,
    accountSid,
    from: '+15557009999',
    to: DEMO_NUMBER,
    caller: scripted([say('What are your opening hours?'), hangUp()]),
    media: { realtime: false, endSilenceMs: 600 },
  });
  expect(result.errors).toEqual([]);
  expect(result.streams).toHaveLength(1);
  // The greeting and an answer, decoded from the agent's audio on the stream.
  expect(result.heard.length).toBeGreaterThanOrEqual(2);
};

describe('one hostile WebSocket frame does not take the platform down', () => {
  it('a frame over the maximum payload closes that socket only', { timeout: 60_000 }, async () => {
    const ws = await openSignedSocket();
    ws.send(Buffer.alloc(512 * 1024, 0x61));
    // 1009: message too big.
    expect(await closed(ws)).toBe(1009);
    await expectStillServing();
  });

  it('a text frame that is not UTF-8 closes that socket only', { timeout: 60_000 }, async () => {
    const ws = await openSignedSocket();
    ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d]), { binary: false });
    // 1007: invalid frame payload data.
    expect(await closed(ws)).toBe(1007);
    await expectStillServing();
  });
});

/** A seeded generator, so that a failing fuzz run can be run again frame for frame. */
const seeded = (seed: number) => {
  const next = seededRandom(seed);
  const int = (max: number): number => Math.floor(next() * max);
  const bytes = (length: number): Buffer => Buffer.from(Array.from({ length }, () => int(256)));
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, bytes, pick };
};

const FUZZ_SEED = 0x5eed_2024;
const FRAMES = 300;
/** How many kinds of hostile frame `hostileFrame` knows. */
const HOSTILE_KINDS = 22;
const RAW_CONNECTIONS = 40;

/** A live call answered on a media stream: its `<Stream>` as the platform's TwiML gave it. */
const liveStream = async (p: PlatformProcess): Promise<{ callSid: string; stream: Stream }> => {
  const callSid = twilioSid('CA');
  const url = `${p.url}/twilio/voice?mode=stream`;
  const parties = {
    callSid,
    accountSid,
    from: '+15557001111',
    to: DEMO_NUMBER,
    direction: 'inbound' as const,
  };
  const response = await sendSignedRequest({ url, authToken, params: voiceParams(parties, 'ringing') });
  expect(response.status).toBe(200);
  const connectVerb = parseTwiml(response.body, url).find((v) => v.verb === 'Connect');
  if (connectVerb?.verb !== 'Connect') throw new Error(`no <Connect><Stream> in ${response.body}`);
  return { callSid, stream: connectVerb.stream };
};

type Rng = ReturnType<typeof seeded>;

/** One hostile frame for the ws client to send: what it is (for the failure message) and how to send it. */
const hostileFrame = (
  rng: Rng,
  start: () => Record<string, unknown>,
): { kind: string; send: (ws: WebSocket) => void } => {
  const text = (data: string | Buffer) => (ws: WebSocket) => ws.send(data, { binary: false });
  const json = (value: unknown) => text(JSON.stringify(value));
  const junk = () =>
    rng.pick<unknown>([
      null,
      1,
      -1e308,
      '',
      'x'.repeat(rng.int(5000)),
      [],
      {},
      true,
      { $ref: '#' },
      [[[[]]]],
    ]);
  const kinds: readonly (() => { kind: string; send: (ws: WebSocket) => void })[] = [
    () => ({ kind: 'random binary', send: (ws) => ws.send(rng.bytes(rng.int(4096)), { binary: true }) }),
    () => ({ kind: 'random text', send: text(rng.bytes(rng.int(512)).toString('latin1')) }),
    () => ({
      kind: 'invalid UTF-8',
      send: text(Buffer.concat([Buffer.from('{"event":"'), rng.bytes(8), Buffer.from([0xff, 0xc0])])),
    }),
    () => ({ kind: 'huge frame', send: (ws) => ws.send(Buffer.alloc(300 * 1024 + rng.int(1024), 0x20)) }),
    () => ({ kind: 'just under the limit', send: text(`"${'a'.repeat(255 * 1024)}"`) }),
    () => {
      const full = JSON.stringify(start());
      return { kind: 'truncated JSON', send: text(full.slice(0, rng.int(full.length))) };
    },
    () => ({ kind: 'deeply nested JSON', send: text('['.repeat(50_000) + ']'.repeat(50_000)) }),
    () => ({ kind: 'JSON of another shape', send: json(junk()) }),
    () => ({
      kind: 'start without fields',
      send: json({ event: 'start', start: junk(), streamSid: junk() }),
    }),
    () => ({ kind: 'start', send: json(start()) }),
    () => ({
      kind: 'start for another call',
      send: json({ ...start(), start: { ...(start()['start'] as object), callSid: twilioSid('CA') } }),
    }),
    () => ({
      kind: 'media with garbage payload',
      send: json({ event: 'media', media: { payload: rng.bytes(rng.int(3000)).toString('base64') } }),
    }),
    () => ({
      kind: 'media that is not base64',
      send: json({ event: 'media', media: { payload: rng.bytes(200).toString('latin1') } }),
    }),
    () => ({ kind: 'media of a wrong shape', send: json({ event: 'media', media: junk() }) }),
    () => ({ kind: 'mark', send: json({ event: 'mark', mark: { name: `line-${rng.int(5)}` } }) }),
    () => ({ kind: 'dtmf', send: json({ event: 'dtmf', dtmf: { digit: rng.pick(['1', '#', '', 'xx']) } }) }),
    () => ({ kind: 'stop', send: json({ event: 'stop' }) }),
    () => ({ kind: 'unknown event', send: json({ event: rng.pick(['clear', 'connected', 'Start', '']) }) }),
    () => ({ kind: 'ping', send: (ws) => ws.ping(rng.bytes(rng.int(126))) }),
    () => ({ kind: 'pong', send: (ws) => ws.pong(rng.bytes(rng.int(126))) }),
    () => ({
      kind: 'close with a reason',
      send: (ws) => ws.close(rng.pick([1000, 1001, 3000, 4999]), 'bye'),
    }),
    () => ({ kind: 'abrupt close', send: (ws) => ws.terminate() }),
  ];
  return rng.pick(kinds)();
};

/** A connection opened by hand: the signed upgrade written byte by byte, then whatever the fuzzer writes. */
const rawUpgrade = (p: PlatformProcess, signed: boolean, path = '/twilio/media'): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(p.url);
    const socket = connect(Number(port), hostname);
    socket.on('error', () => undefined);
    const url = `${p.url.replace(/^http/, 'ws')}${path}`;
    const signature = signed ? twilio.getExpectedTwilioSignature(authToken, url, {}) : 'forged';
    socket.once('connect', () =>
      socket.write(
        [
          `GET ${path} HTTP/1.1`,
          `Host: ${hostname}:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          `X-Twilio-Signature: ${signature}`,
          '',
          '',
        ].join('\r\n'),
      ),
    );
    let answer = '';
    const onData = (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (!answer.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('close', () => resolve(socket));
    socket.setTimeout(5_000, () => {
      socket.destroy();
      reject(new Error('no answer to the upgrade'));
    });
  });

/** A WebSocket frame header written by hand: any opcode, any flags, masked or not. */
const rawFrame = (rng: Rng): Buffer => {
  const payload = rng.bytes(rng.pick([0, 1, 125, 126, 200, 1000]));
  const first = (rng.next() < 0.8 ? 0x80 : 0) | (rng.next() < 0.2 ? rng.int(8) << 4 : 0) | rng.int(16);
  const masked = rng.next() < 0.8;
  const length =
    payload.length < 126
      ? Buffer.from([(masked ? 0x80 : 0) | payload.length])
      : Buffer.from([(masked ? 0x80 : 0) | 126, payload.length >> 8, payload.length & 0xff]);
  const mask = masked ? rng.bytes(4) : Buffer.alloc(0);
  // A declared length longer than what follows leaves the server waiting for the rest: then the line drops.
  return Buffer.concat([
    Buffer.from([first]),
    length,
    mask,
    payload.subarray(0, rng.next() < 0.8 ? undefined : 3),
  ]);
};

const fuzzMediaStreams = async (p: PlatformProcess): Promise<void> => {
  const rng = seeded(FUZZ_SEED);
  const { callSid, stream } = await liveStream(p);
  const start = (): Record<string, unknown> => ({
    event: 'start',
    streamSid: 'MZ' + 'a'.repeat(32),
    start: {
      streamSid: 'MZ' + 'a'.repeat(32),
      accountSid,
      callSid,
      tracks: ['inbound'],
      customParameters:
        rng.next() < 0.7 ? stream.parameters : { ...stream.parameters, token: rng.bytes(8).toString('hex') },
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    },
  });
  const sent: string[] = [];
  let ws: WebSocket | undefined;
  for (let i = 0; i < FRAMES; i += 1) {
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      ws?.terminate();
      ws = await openSignedSocket();
      // Most sockets start as Twilio starts them, so the fuzz also reaches what follows `start`.
      if (rng.next() < 0.6) ws.send(JSON.stringify(start()));
    }
    const frame = hostileFrame(rng, start);
    sent.push(frame.kind);
    frame.send(ws);
    // Let the server read it before the next one (a burst would only test the kernel's buffers).
    await new Promise((resolve) => setImmediate(resolve));
    if (i % 25 === 0) await sleep(5);
  }
  ws?.terminate();

  for (let i = 0; i < RAW_CONNECTIONS; i += 1) {
    const socket = await rawUpgrade(p, rng.next() < 0.9);
    for (let f = rng.int(6); f > 0 && !socket.destroyed; f -= 1) socket.write(rawFrame(rng));
    await sleep(2);
    if (rng.next() < 0.5) socket.destroy();
    else socket.end();
  }
  // Upgrades that are not Media Streams, or not HTTP at all, and a reset in the middle of one.
  for (const path of ['/', '/api/live/stream', '/health', '/twilio/media/../voice']) {
    (await rawUpgrade(p, true, path)).destroy();
  }
  const garbage = connect(Number(new URL(p.url).port), new URL(p.url).hostname);
  garbage.on('error', () => undefined);
  garbage.write(rng.bytes(300));
  const halfway = connect(Number(new URL(p.url).port), new URL(p.url).hostname);
  halfway.on('error', () => undefined);
  halfway.write('GET /twilio/media HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgr');
  await sleep(50);
  halfway.resetAndDestroy();
  garbage.destroy();

  // Every kind of hostile frame was sent at least once.
  expect(new Set(sent).size).toBe(HOSTILE_KINDS);
};

describe(`every WebSocket endpoint under a bounded fuzz (seed ${FUZZ_SEED.toString(16)})`, () => {
  it(
    'the Media Streams socket takes hostile frames and the platform still serves',
    { timeout: 120_000 },
    async () => {
      const p = running();
      try {
        await fuzzMediaStreams(p);
      } catch (error) {
        // A socket that could not open because the platform died says less than the platform's own last words.
        expect(alive(p), `the platform died:\n${p.output().slice(-1500)}`).toBe(true);
        throw error;
      }
      await expectStillServing();
    },
  );
});
