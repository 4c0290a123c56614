import twilio from 'twilio';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IVR_NUMBER, DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import {
  Conversation,
  hangUp,
  say,
  scripted,
  MediaStreamClient,
  gatherParams,
  recordingStatusParams,
  sendSignedRequest,
  statusCallbackParams,
  twilioSid,
  voiceParams,
  type CallParties,
  parseTwiml,
  type Stream,
  type Verb,
} from '@ccp/media-gateway/simulator';
import { nextMondayInNewYork, startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import { apiClient, login } from '../support/platform.js';
import { GATEWAY_ACTOR } from '@ccp/media-gateway';

/*
 * The media gateway against a caller who holds the platform's signed URLs but not Twilio's place in the call:
 * Media Streams bound to their call, and signed webhooks replayed.
 */

/** A number whose callee lets it ring for ever: its outbound call stays unanswered unless a test answers it. */
const RINGING = '+15550009999';
let env: GatewayPlatform;
/** Every turn the conversation model was asked for (each one is paid for with a real provider). */
let modelTurns = 0;
beforeAll(async () => {
  const day = nextMondayInNewYork(11);
  env = await startGatewayPlatform({
    now: () => day,
    // Rings for 5 s (at the carrier's time scale), then hangs up as soon as it is answered.
    callee: ({ to }) =>
      to === RINGING
        ? { answer: 'human', ringSeconds: 500, caller: scripted([hangUp()]) }
        : { answer: 'human' },
    hooks: {
      wrapModel: (model) => ({
        name: model.name,
        respond: (request) => {
          modelTurns += 1;
          return model.respond(request);
        },
      }),
    },
  });
}, 60_000);
afterAll(() => env?.stop());

// The demo agent takes a few calls at once: every call a test opened is hung up after it.
const opened: CallParties[] = [];
afterEach(async () => {
  for (const parties of opened.splice(0)) {
    await sendSignedRequest({
      url: `${env.test.url}/twilio/status`,
      authToken: env.authToken,
      params: statusCallbackParams(parties, { status: 'completed', sequenceNumber: 9, durationSeconds: 1 }),
    });
  }
});

const partiesOf = (callSid: string): CallParties => ({
  callSid,
  accountSid: env.accountSid,
  from: '+15557008888',
  to: DEMO_NUMBER,
  direction: 'inbound',
});

/** A call ringing in, answered on a media stream: the `<Stream>` of the platform's TwiML for it. */
const streamCall = async (): Promise<{ callSid: string; stream: Stream }> => {
  const callSid = twilioSid('CA');
  opened.push(partiesOf(callSid));
  const url = `${env.test.url}/twilio/voice?mode=stream`;
  const response = await sendSignedRequest({
    url,
    authToken: env.authToken,
    params: voiceParams(partiesOf(callSid), 'ringing'),
  });
  expect(response.status).toBe(200);
  const verb = parseTwiml(response.body, url).find((v) => v.verb === 'Connect');
  if (verb?.verb !== 'Connect') throw new Error(`no <Connect><Stream> in ${response.body}`);
  return { callSid, stream: verb.stream };
};

interface OpenedStream {
  /** How many audio messages the platform sent down this socket. */
  media(): number;
  /** The close code, once the platform closed the socket (undefined: still open after `ms`). */
  closed(ms?: number): Promise<number | undefined>;
  close(): void;
}

/**
 * A Media Streams socket with a signed upgrade (the signature covers only the fixed URL, as Twilio signs it),
 * started for `callSid` with these custom parameters, the way Twilio echoes a `<Stream>`'s `<Parameter>`s.
 */
const openStream = async (
  callSid: string,
  customParameters: Readonly<Record<string, string>>,
): Promise<OpenedStream> => {
  const url = `${env.test.url.replace(/^http/, 'ws')}/twilio/media`;
  const ws = new WebSocket(url, {
    headers: { 'x-twilio-signature': twilio.getExpectedTwilioSignature(env.authToken, url, {}) },
  });
  ws.on('error', () => undefined);
  let media = 0;
  let code: number | undefined;
  const gone = new Promise<void>((resolve) =>
    ws.on('close', (c) => {
      code = c;
      resolve();
    }),
  );
  ws.on('message', (raw) => {
    if ((JSON.parse(String(raw)) as { event?: string }).event === 'media') media += 1;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode ?? '?'}`)));
  });
  const streamSid = twilioSid('MZ');
  ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
  ws.send(
    JSON.stringify({
      event: 'start',
      sequenceNumber: '1',
      streamSid,
      start: {
        streamSid,
        accountSid: env.accountSid,
        callSid,
        tracks: ['inbound'],
        customParameters,
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    }),
  );
  return {
    media: () => media,
    closed: async (ms = 3_000) => {
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, ms))]);
      return code;
    },
    close: () => ws.close(1000),
  };
};

const eventCount = async (callSid: string) => (await env.callEvents(callSid)).length;

describe('a Media Stream is bound to its call (issue 11 item 8)', () => {
  it(
    'a signed socket naming another live call is refused, hears nothing and records nothing',
    { timeout: 30_000 },
    async () => {
      const victim = await streamCall();
      const before = await eventCount(victim.callSid);
      // The attacker knows the victim's call id (it is in every webhook and in the console) but not its token.
      const intruder = await openStream(victim.callSid, { callId: victim.callSid });
      expect(await intruder.closed()).toBe(1008);
      expect(intruder.media()).toBe(0);
      expect(await eventCount(victim.callSid)).toBe(before);

      // Twilio, with the TwiML's parameters, still gets the victim's greeting.
      const twilioSide = await openStream(victim.callSid, victim.stream.parameters);
      await expect.poll(() => twilioSide.media(), { timeout: 10_000 }).toBeGreaterThan(0);
      twilioSide.close();
    },
  );

  it(
    'a token of another call, a forged, a missing or a used token is refused',
    { timeout: 30_000 },
    async () => {
      const victim = await streamCall();
      const other = await streamCall();
      const token = (s: Stream) => s.parameters['token'] ?? '';
      expect(token(victim.stream)).not.toBe('');
      const attempts: Record<string, string>[] = [
        // The attacker's own call's token, presented for the victim's call.
        { callId: victim.callSid, token: token(other.stream) },
        { callId: victim.callSid, token: token(victim.stream).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) },
        { callId: victim.callSid, token: '' },
        { callId: victim.callSid, token: 'not a token' },
        // The victim's token naming the other call.
        { callId: other.callSid, token: token(victim.stream) },
      ];
      for (const parameters of attempts) {
        const refused = await openStream(parameters['callId'] ?? '', parameters);
        expect(await refused.closed(), JSON.stringify(parameters)).toBe(1008);
        expect(refused.media()).toBe(0);
      }
      const first = await openStream(victim.callSid, victim.stream.parameters);
      await expect.poll(() => first.media(), { timeout: 10_000 }).toBeGreaterThan(0);
      // Single use: the same start again (a replay of what Twilio sent) is refused while the first is live.
      const before = await eventCount(victim.callSid);
      const replay = await openStream(victim.callSid, victim.stream.parameters);
      expect(await replay.closed()).toBe(1008);
      expect(replay.media()).toBe(0);
      expect(await eventCount(victim.callSid)).toBe(before);
      first.close();
    },
  );
});

/** A webhook as Twilio sends it: signed over the URL (its query included) and the form parameters. */
const post = async (url: string, params: Record<string, string>) => {
  const response = await sendSignedRequest({ url, authToken: env.authToken, params });
  return { status: response.status, body: response.body, verbs: () => parseTwiml(response.body, url) };
};

const gatherOf = (verbs: readonly Verb[]) => {
  const gather = verbs.find((v) => v.verb === 'Gather');
  if (gather?.verb !== 'Gather') throw new Error(`no <Gather> in ${JSON.stringify(verbs)}`);
  return gather;
};

const typesOf = async (callSid: string) => (await env.callEvents(callSid)).map((e) => e.type);
const countOf = async (callSid: string, type: string) =>
  (await typesOf(callSid)).filter((t) => t === type).length;

/** A call answered by gather webhooks: its parties and the action URL of the first <Gather>. */
const gatherCall = async (to = DEMO_NUMBER) => {
  const parties = { ...partiesOf(twilioSid('CA')), to };
  opened.push(parties);
  const answer = await post(`${env.test.url}/twilio/voice`, voiceParams(parties, 'ringing'));
  expect(answer.status).toBe(200);
  return { parties, callSid: parties.callSid, action: gatherOf(answer.verbs()).action };
};

const speech = (parties: CallParties, text: string) => ({
  ...voiceParams(parties, 'in-progress'),
  ...gatherParams({ kind: 'speech', text, confidence: 0.92 }),
});

/** Someone of the demo tenant available for escalated calls, for as long as `run` takes. */
const withAgentAvailable = async (run: () => Promise<void>): Promise<void> => {
  const agent = apiClient(env.test.url, await login(env.test.url, 'agent@demo.example', 'demo-password-1'));
  const presence = (available: boolean) =>
    agent.request('PUT', '/api/presence', { tenantId: DEMO_TENANT, available });
  expect((await presence(true)).status).toBe(200);
  try {
    await run();
  } finally {
    await presence(false);
  }
};

describe('a replayed Twilio webhook acts once (issue 11 item 13)', () => {
  it(
    '/twilio/turn: the same signed turn again answers the same, records nothing and asks no model',
    { timeout: 30_000 },
    async () => {
      const call = await gatherCall();
      const params = speech(call.parties, 'What are your opening hours?');
      const first = await post(call.action, params);
      expect(first.status).toBe(200);
      const events = (await typesOf(call.callSid)).length;
      const turns = modelTurns;

      const replay = await post(call.action, params);
      expect(replay.status).toBe(200);
      expect(replay.body).toBe(first.body);
      expect(modelTurns).toBe(turns);
      expect(await countOf(call.callSid, 'UtteranceRecorded')).toBe(1);
      expect((await typesOf(call.callSid)).length).toBe(events);

      // Twice at once (a retry racing the original): one utterance, one answer, the same TwiML.
      const next = gatherOf(first.verbs()).action;
      const again = speech(call.parties, 'Do you take Delta Dental?');
      const [a, b] = await Promise.all([post(next, again), post(next, again)]);
      expect(a.body).toBe(b.body);
      expect(await countOf(call.callSid, 'UtteranceRecorded')).toBe(2);
      expect(await countOf(call.callSid, 'AiReplied')).toBe(3);
    },
  );

  it(
    '/twilio/turn: a silence replayed does not count as the caller staying silent again',
    { timeout: 30_000 },
    async () => {
      const call = await gatherCall();
      const silent = { ...voiceParams(call.parties, 'in-progress') };
      const first = await post(call.action, silent);
      // Three silences in a row end the call as abandoned; three copies of the first one are still one.
      for (let i = 0; i < 3; i += 1) expect((await post(call.action, silent)).body).toBe(first.body);
      expect(await typesOf(call.callSid)).not.toContain('CallEnded');
    },
  );

  it('/twilio/ivr: a wrong key replayed is one wrong attempt', { timeout: 30_000 }, async () => {
    const call = await gatherCall(DEMO_IVR_NUMBER);
    const wrong = {
      ...voiceParams(call.parties, 'in-progress'),
      ...gatherParams({ kind: 'dtmf', digits: '9' }),
    };
    const first = await post(call.action, wrong);
    expect(first.status).toBe(200);
    const replay = await post(call.action, wrong);
    expect(replay.body).toBe(first.body);
    expect(await countOf(call.callSid, 'IvrOptionChosen')).toBe(1);
    // Two wrong attempts would send the caller to the menu's first department.
    expect(await typesOf(call.callSid)).not.toContain('CallTransferred');
  });

  it(
    '/twilio/queue-exit: nobody came, the AI takes the call back once however often it is replayed',
    { timeout: 30_000 },
    async () => {
      await withAgentAvailable(async () => {
        const call = await gatherCall();
        const queued = await post(call.action, speech(call.parties, 'I want to talk to a real person, now!'));
        const enqueue = queued.verbs().find((v) => v.verb === 'Enqueue');
        if (enqueue?.verb !== 'Enqueue' || enqueue.action === undefined) {
          throw new Error(`not queued: ${queued.body}`);
        }
        const left = { ...voiceParams(call.parties, 'in-progress'), QueueResult: 'leave', QueueTime: '60' };
        const first = await post(enqueue.action, left);
        expect(first.status).toBe(200);
        const replies = await countOf(call.callSid, 'AiReplied');
        const turns = modelTurns;
        const replay = await post(enqueue.action, left);
        expect(replay.body).toBe(first.body);
        expect(await countOf(call.callSid, 'AiReplied')).toBe(replies);
        expect(modelTurns).toBe(turns);
      });
    },
  );

  it(
    '/twilio/stream-ended: replayed while the caller waits in the queue, it does not end the call',
    { timeout: 30_000 },
    async () => {
      await withAgentAvailable(async () => {
        const { callSid, stream } = await streamCall();
        const client = await MediaStreamClient.connect({
          url: stream.url,
          authToken: env.authToken,
          call: partiesOf(callSid),
          customParameters: stream.parameters,
          realtime: false,
          endSilenceMs: 600,
        });
        // The agent hands the call over and closes the stream; Twilio then asks what comes next.
        await client.converse(
          scripted([say('I want to talk to a real person, now!'), say('hello?')]),
          new Conversation(),
        );
        const ended = { ...voiceParams(partiesOf(callSid), 'in-progress'), StreamSid: client.streamSid };
        const first = await post(`${env.test.url}/twilio/stream-ended`, ended);
        expect(first.verbs().map((v) => v.verb)).toContain('Enqueue');
        const replay = await post(`${env.test.url}/twilio/stream-ended`, ended);
        expect(replay.body).toBe(first.body);
        expect(await typesOf(callSid)).not.toContain('CallEnded');
      });
    },
  );

  it(
    '/twilio/outbound: an answered outbound call replayed is not greeted, nor counted, again',
    { timeout: 30_000 },
    async () => {
      const admin = apiClient(
        env.test.url,
        await login(env.test.url, 'admin@demo.example', 'demo-password-1'),
      );
      const placed = await admin.request<{ callId: string }>('POST', '/api/calls/outbound', {
        tenantId: DEMO_TENANT,
        agentId: 'lucas',
        to: RINGING,
        from: DEMO_NUMBER,
      });
      expect(placed.status).toBe(201);
      const callSid = placed.body.callId;
      // What Twilio posts when the callee picks up (the local carrier's callee is still ringing).
      const parties: CallParties = {
        callSid,
        accountSid: env.accountSid,
        from: DEMO_NUMBER,
        to: RINGING,
        direction: 'outbound-api',
      };
      const url = `${env.test.url}/twilio/outbound?agentId=lucas`;
      const answered = { ...voiceParams(parties, 'in-progress'), AnsweredBy: 'human' };
      const first = await post(url, answered);
      expect(first.status).toBe(200);
      const turns = modelTurns;
      const replay = await post(url, answered);
      expect(replay.body).toBe(first.body);
      expect(modelTurns).toBe(turns);
      expect(await countOf(callSid, 'AiReplied')).toBe(1);
      // The conversation goes on where it was: the caller's first line is the call's first utterance.
      const turn = await post(gatherOf(first.verbs()).action, speech(parties, 'Who is this?'));
      expect(turn.status).toBe(200);
      expect(await countOf(callSid, 'UtteranceRecorded')).toBe(1);
    },
  );

  it(
    'status, feedback and recording callbacks replayed record nothing more',
    { timeout: 30_000 },
    async () => {
      const call = await gatherCall();
      await post(call.action, speech(call.parties, 'What are your opening hours?'));
      const recording = recordingStatusParams(call.parties, {
        recordingSid: twilioSid('RE'),
        recordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${env.accountSid}/Recordings/x`,
        durationSeconds: 12,
      });
      const completed = statusCallbackParams(call.parties, {
        status: 'completed',
        sequenceNumber: 3,
        durationSeconds: 12,
      });
      const feedback = {
        ...voiceParams(call.parties, 'in-progress'),
        ...gatherParams({ kind: 'dtmf', digits: '5' }),
      };
      const hooks: [string, Record<string, string>][] = [
        [`${env.test.url}/twilio/feedback`, feedback],
        [`${env.test.url}/twilio/status`, completed],
        [`${env.test.url}/twilio/recording`, recording],
        [`${env.test.url}/twilio/voice`, voiceParams(call.parties, 'ringing')],
      ];
      for (const [url, params] of hooks) await post(url, params);
      const events = await typesOf(call.callSid);
      for (const [url, params] of hooks) await post(url, params);
      expect(await typesOf(call.callSid)).toEqual(events);
      expect(events.filter((t) => t === 'CallEnded')).toHaveLength(1);
      expect(events.filter((t) => t === 'FeedbackGiven')).toHaveLength(1);
      expect(events.filter((t) => t === 'RecordingAvailable')).toHaveLength(1);
    },
  );
});

describe('a repeated /twilio/voice answers as the first did (issue 11 item 13)', () => {
  /** What Twilio posts when the call rings: the same request each time, as a retry sends it. */
  const ring = (parties: CallParties, query = '') =>
    post(`${env.test.url}/twilio/voice${query}`, voiceParams(parties, 'ringing'));

  it(
    'gather: the same greeting and the same next turn, nothing recorded, no model asked',
    { timeout: 30_000 },
    async () => {
      const parties = partiesOf(twilioSid('CA'));
      opened.push(parties);
      const first = await ring(parties);
      expect(first.status).toBe(200);
      const events = await typesOf(parties.callSid);
      const turns = modelTurns;

      const replay = await ring(parties);
      expect(replay.status, replay.body).toBe(200);
      expect(replay.body).toBe(first.body);
      expect(gatherOf(replay.verbs()).action).toContain('/twilio/turn?turn=1');
      expect(await typesOf(parties.callSid)).toEqual(events);
      expect(modelTurns).toBe(turns);
    },
  );

  it('an IVR number: the same menu, nothing recorded', { timeout: 30_000 }, async () => {
    const parties = { ...partiesOf(twilioSid('CA')), to: DEMO_IVR_NUMBER };
    opened.push(parties);
    const first = await ring(parties);
    expect(first.status).toBe(200);
    const events = await typesOf(parties.callSid);
    const replay = await ring(parties);
    expect(replay.status, replay.body).toBe(200);
    expect(replay.body).toBe(first.body);
    expect(await typesOf(parties.callSid)).toEqual(events);
    // The menu still works: the caller's choice reaches the department's agent.
    const chosen = await post(gatherOf(replay.verbs()).action, {
      ...voiceParams(parties, 'in-progress'),
      ...gatherParams({ kind: 'dtmf', digits: '1' }),
    });
    expect(chosen.verbs().map((v) => v.verb)).toContain('Gather');
    expect(await typesOf(parties.callSid)).toContain('CallTransferred');
  });

  it(
    'stream: the stream TwiML again with a fresh token, which gets the greeting; nothing recorded',
    { timeout: 30_000 },
    async () => {
      const { callSid, stream } = await streamCall();
      const events = await typesOf(callSid);
      const turns = modelTurns;
      const replay = await ring(partiesOf(callSid), '?mode=stream');
      expect(replay.status, replay.body).toBe(200);
      const connect = replay.verbs().find((v) => v.verb === 'Connect');
      if (connect?.verb !== 'Connect') throw new Error(`no <Connect> in ${replay.body}`);
      expect(connect.stream.url).toBe(stream.url);
      expect(connect.stream.parameters['callId']).toBe(callSid);
      const fresh = connect.stream.parameters['token'] ?? '';
      expect(fresh).not.toBe('');
      expect(fresh).not.toBe(stream.parameters['token']);
      expect(await typesOf(callSid)).toEqual(events);
      expect(modelTurns).toBe(turns);
      // Twilio, retrying because the first answer was lost, streams with the token it got now.
      const twilioSide = await openStream(callSid, connect.stream.parameters);
      await expect.poll(() => twilioSide.media(), { timeout: 10_000 }).toBeGreaterThan(0);
      twilioSide.close();
    },
  );

  it(
    'stream: a token a replay got cannot open a second stream on a live call',
    { timeout: 30_000 },
    async () => {
      const { callSid, stream } = await streamCall();
      const live = await openStream(callSid, stream.parameters);
      await expect.poll(() => live.media(), { timeout: 10_000 }).toBeGreaterThan(0);
      const replay = await ring(partiesOf(callSid), '?mode=stream');
      const connect = replay.verbs().find((v) => v.verb === 'Connect');
      if (connect?.verb !== 'Connect') throw new Error(`no <Connect> in ${replay.body}`);
      const before = await eventCount(callSid);
      const intruder = await openStream(callSid, connect.stream.parameters);
      expect(await intruder.closed()).toBe(1008);
      expect(intruder.media()).toBe(0);
      expect(await eventCount(callSid)).toBe(before);
      expect(await live.closed(200)).toBeUndefined();
      live.close();
    },
  );

  it(
    'the id of a call that exists, with other parties, is still refused and records nothing',
    { timeout: 30_000 },
    async () => {
      const parties = partiesOf(twilioSid('CA'));
      opened.push(parties);
      expect((await ring(parties)).status).toBe(200);
      const events = await typesOf(parties.callSid);
      const other = await ring({ ...parties, from: '+15557001111' });
      expect(other.status).toBe(400);
      expect(other.body).toContain('already exists');
      expect(await typesOf(parties.callSid)).toEqual(events);
    },
  );
});

describe('a turn whose line was recorded but never answered is answered on retry (issue 11 item 13)', () => {
  it(
    '/twilio/turn: the AI answers the recorded line once; a replay records nothing more',
    { timeout: 30_000 },
    async () => {
      const call = await gatherCall();
      const text = 'What are your opening hours?';
      // The process that heard the line recorded it and stopped before the AI replied.
      await env.test.platform.handler.handleTrusted(
        'RecordUtterance',
        {
          tenantId: DEMO_TENANT,
          callId: call.callSid,
          utteranceId: `${call.callSid}-c1`,
          speaker: 'caller',
          text,
          confidence: 0.92,
          language: 'en',
        },
        { actor: GATEWAY_ACTOR, correlationId: call.callSid },
      );
      const turns = modelTurns;

      // Twilio retries the turn it got no answer for.
      const retry = await post(call.action, speech(call.parties, text));
      expect(retry.status).toBe(200);
      const said = gatherOf(retry.verbs()).prompts;
      expect(said.length, retry.body).toBeGreaterThan(0);
      // The model was asked (a turn may take a few requests when it looks things up).
      expect(modelTurns).toBeGreaterThan(turns);
      const asked = modelTurns;
      expect(await countOf(call.callSid, 'UtteranceRecorded')).toBe(1);
      // The greeting and the answer to the line.
      expect(await countOf(call.callSid, 'AiReplied')).toBe(2);
      const events = await typesOf(call.callSid);

      const replay = await post(call.action, speech(call.parties, text));
      expect(replay.body).toBe(retry.body);
      expect(await typesOf(call.callSid)).toEqual(events);
      expect(modelTurns).toBe(asked);
      // The conversation goes on with the next line.
      expect(gatherOf(retry.verbs()).action).toContain('turn=2');
    },
  );
});

describe('a call whose TwiML had no turn numbers (in flight across a deploy)', () => {
  it(
    '/twilio/turn without turn=: the call’s next line, once; the same request again is that line again',
    { timeout: 30_000 },
    async () => {
      const call = await gatherCall();
      const unnumbered = `${env.test.url}/twilio/turn`;
      const params = speech(call.parties, 'What are your opening hours?');
      const first = await post(unnumbered, params);
      expect(first.status, first.body).toBe(200);
      expect(gatherOf(first.verbs()).prompts.length).toBeGreaterThan(0);
      // The answer carries numbers: the call goes on with numbered turns.
      expect(gatherOf(first.verbs()).action).toContain('/twilio/turn?turn=2');
      expect(await countOf(call.callSid, 'UtteranceRecorded')).toBe(1);
      const events = await typesOf(call.callSid);
      const turns = modelTurns;

      // Twilio retrying it (its answer was lost) gets the same answer; nothing recorded, no model asked.
      const retry = await post(unnumbered, params);
      expect(retry.body).toBe(first.body);
      expect(await typesOf(call.callSid)).toEqual(events);
      expect(modelTurns).toBe(turns);

      // Once a numbered turn came, a request without a number can only be a replay: refused, nothing recorded.
      const next = await post(gatherOf(first.verbs()).action, speech(call.parties, 'Thanks'));
      expect(next.status).toBe(200);
      const after = await typesOf(call.callSid);
      const replay = await post(unnumbered, speech(call.parties, 'Cancel my appointment'));
      expect(replay.status).toBe(400);
      expect(await typesOf(call.callSid)).toEqual(after);
    },
  );

  it(
    '/twilio/turn without turn=: a silence asks whether the caller is still there',
    { timeout: 30_000 },
    async () => {
      const call = await gatherCall();
      const silent = await post(`${env.test.url}/twilio/turn`, voiceParams(call.parties, 'in-progress'));
      expect(silent.status, silent.body).toBe(200);
      expect(gatherOf(silent.verbs()).action).toContain('/twilio/turn?turn=1&quiet=1');
      expect(await typesOf(call.callSid)).not.toContain('UtteranceRecorded');
    },
  );
});
