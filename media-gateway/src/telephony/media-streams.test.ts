import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { MediaGateway } from '../gateway.js';
import type { SpeechToText, TextToSpeech } from '../speech/port.js';
import { mediaPathFor, mediaStreams, type StreamAccount } from './media-streams.js';
import { streamTokens } from './stream-token.js';

/*
 * The Media Streams upgrade and start over a real WebSocket: which account signed the upgrade (found by the SID
 * its path names, so a forged upgrade costs no tenant's token) and whether the call is that account's tenant's,
 * also when the gateway's memory of calls is empty after a restart.
 */

const PLATFORM_TOKEN = 'platform-token-0123456789abcdef';
const A_SID = `AC${'aa'.repeat(16)}`;
const A_TOKEN = 'tenant-a-token-0123456789abcdef';
const CALL_IN_LOG = `CA${'c1'.repeat(16)}`;
const B_CALL_IN_LOG = `CA${'b1'.repeat(16)}`;

/** Each read of a tenant's token counted: a token read is a token opened and an HMAC computed with it. */
let tokenReads = 0;
const accountsAsked: string[] = [];
const tenantA: StreamAccount = {
  tenantId: 'a',
  accountSid: A_SID,
  get authToken() {
    tokenReads += 1;
    return A_TOKEN;
  },
};
/** Many tenants that typed the same SID: only a few are ever tried. */
const lookalikes: StreamAccount[] = Array.from({ length: 20 }, (_, i) => ({
  tenantId: `copy-${i}`,
  accountSid: A_SID,
  get authToken() {
    tokenReads += 1;
    return `lookalike-token-${i}-0123456789`;
  },
}));

const resumed: string[] = [];
const gateway = {
  // Empty, as after a restart: the call's tenant is only in the log.
  tenantOf: () => undefined,
  takeForStream: () => undefined,
  sessionOrResume: (callId: string) => {
    resumed.push(callId);
    // Held: a call session whose turns this test never reaches.
    return Promise.resolve({});
  },
  session: () => undefined,
  setAfterStream: () => undefined,
  close: () => Promise.resolve(),
} as unknown as MediaGateway;

const tokens = streamTokens({ authToken: PLATFORM_TOKEN });
let server: Server;
let base: string;
let streams: ReturnType<typeof mediaStreams>;

beforeAll(async () => {
  streams = mediaStreams({
    gateway,
    stt: {} as SpeechToText,
    tts: {} as TextToSpeech,
    authToken: PLATFORM_TOKEN,
    tenantAccounts: (sid) => {
      accountsAsked.push(sid);
      return [tenantA, ...lookalikes].filter((a) => a.accountSid === sid);
    },
    tenantOfCall: (callId) =>
      Promise.resolve(callId === CALL_IN_LOG ? 'a' : callId === B_CALL_IN_LOG ? 'b' : undefined),
    streamTokens: tokens,
    endOfSpeechMs: 500,
    log: () => undefined,
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

/** Opens the socket; resolves with the HTTP status of a refused upgrade or the open socket. */
const upgrade = (path: string, token: string | undefined): Promise<number | WebSocket> =>
  new Promise((resolve, reject) => {
    const url = `${base}${path}`;
    const headers =
      token !== undefined ? { 'x-twilio-signature': twilio.getExpectedTwilioSignature(token, url, {}) } : {};
    const socket = new WebSocket(url, { headers });
    socket.on('open', () => resolve(socket));
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('error', reject);
  });

/** Sends the stream's start for a call and resolves with the close code (1008: refused), or 'open' after a while. */
const start = async (socket: WebSocket, callId: string, accountSid: string): Promise<number | 'open'> => {
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  socket.send(JSON.stringify({ event: 'connected' }));
  socket.send(
    JSON.stringify({
      event: 'start',
      streamSid: 'MZ1',
      start: {
        streamSid: 'MZ1',
        callSid: callId,
        accountSid,
        customParameters: { callId, token: tokens.issue(callId) },
      },
    }),
  );
  const outcome = await Promise.race([closed, new Promise<'open'>((r) => setTimeout(() => r('open'), 300))]);
  socket.close();
  return outcome;
};

describe('Media Streams upgrade', () => {
  it("names the call's account in the stream's path", () => {
    expect(mediaPathFor(A_SID)).toBe(`/twilio/media/${A_SID}`);
    expect(mediaPathFor(undefined)).toBe('/twilio/media');
    expect(mediaPathFor('../voice')).toBe('/twilio/media');
  });

  it("refuses a forged or unsigned upgrade without trying any tenant's token", async () => {
    tokenReads = 0;
    accountsAsked.length = 0;
    expect(await upgrade('/twilio/media', 'forged-token-0123456789')).toBe(403);
    expect(await upgrade('/twilio/media', undefined)).toBe(403);
    expect(await upgrade(`/twilio/media/${A_SID}`, undefined)).toBe(403);
    expect(await upgrade(`/twilio/media/AC${'ff'.repeat(16)}`, 'forged-token-0123456789')).toBe(403);
    expect(tokenReads).toBe(0);
    // Naming an account tries its tokens only, and a few at most however many tenants typed that SID.
    expect(await upgrade(`/twilio/media/${A_SID}`, 'forged-token-0123456789')).toBe(403);
    expect(tokenReads).toBeLessThanOrEqual(3);
    expect(accountsAsked).toEqual([`AC${'ff'.repeat(16)}`, A_SID]);
  });

  it("takes a tenant-signed stream of the tenant's call after a restart (its tenant from the log)", async () => {
    const socket = await upgrade(`/twilio/media/${A_SID}`, A_TOKEN);
    expect(socket).toBeInstanceOf(WebSocket);
    expect(await start(socket as WebSocket, CALL_IN_LOG, A_SID)).toBe('open');
    expect(resumed).toContain(CALL_IN_LOG);
  });

  it("refuses a tenant-signed stream of another tenant's call, or of a call nobody knows", async () => {
    for (const call of [B_CALL_IN_LOG, `CA${'0e'.repeat(16)}`]) {
      const socket = await upgrade(`/twilio/media/${A_SID}`, A_TOKEN);
      expect(await start(socket as WebSocket, call, A_SID)).toBe(1008);
      expect(resumed).not.toContain(call);
    }
  });

  it("still takes the platform's signature on the plain path", async () => {
    const socket = await upgrade('/twilio/media', PLATFORM_TOKEN);
    expect(socket).toBeInstanceOf(WebSocket);
    expect(await start(socket as WebSocket, B_CALL_IN_LOG, `AC${'00'.repeat(16)}`)).toBe('open');
  });
});
