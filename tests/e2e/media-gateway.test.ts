import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MediaStreamClient,
  Conversation,
  expectToHear,
  hangUp,
  press,
  say,
  scripted,
  type Caller,
  placeInboundCall,
  type CallResult,
  scenario,
  type ScenarioName,
  sendSignedRequest,
  twilioSid,
  voiceParams,
} from '@ccp/media-gateway/simulator';
import {
  DEMO_IVR_NUMBER,
  DEMO_NUMBER,
  DEMO_TENANT,
  configFromEnv,
  enginesOf,
  speechWarnings,
} from '@ccp/infra';
import { nextMondayInNewYork, startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import { apiClient, login, SUPER_ADMIN } from '../support/platform.js';
import { startReadSidePlatform } from '../support/read-side.js';
import { decodeMachineVoice, pcmToMulaw, parseWav, providerFailures } from '@ccp/media-gateway';

const CALLER = '+15557654321';
const DAY = nextMondayInNewYork(11);
const NIGHT = nextMondayInNewYork(23);
let clock = DAY;
let env: GatewayPlatform;

beforeAll(async () => {
  env = await startGatewayPlatform({
    now: () => clock,
    // Who picks up outbound calls, by the number dialled.
    callee: ({ to }) =>
      to === '+15553334444'
        ? { answer: 'machine' }
        : to === '+15555556666'
          ? { answer: 'busy' }
          : { answer: 'human' },
  });
}, 60_000);
afterAll(() => env?.stop());

const call = (
  to: string,
  caller: Caller,
  options: {
    mode?: 'gather' | 'stream';
    timeScale?: number;
    signature?: 'valid' | 'none' | 'forged';
    /** How long the caller talks with the person in the conference (simulated seconds). */
    conferenceSeconds?: number;
    /** Media Streams in real time: the agent's audio takes as long to play as to say, so it can be talked over. */
    realtime?: boolean;
  } = {},
): Promise<CallResult> =>
  placeInboundCall({
    baseUrl: env.test.url,
    voicePath: options.mode === 'stream' ? '/twilio/voice?mode=stream' : '/twilio/voice',
    statusCallbackPath: '/twilio/status',
    authToken: env.authToken,
    accountSid: env.accountSid,
    from: CALLER,
    to,
    caller,
    registry: env.carrier.registry,
    ...(options.timeScale !== undefined && { timeScale: options.timeScale }),
    ...(options.signature !== undefined && { signature: options.signature }),
    ...(options.conferenceSeconds !== undefined && { conferenceSeconds: options.conferenceSeconds }),
    media:
      options.realtime === true
        ? { realtime: true, bargeInAfterMs: 400 }
        : { realtime: false, endSilenceMs: 600 },
  });

const typesOf = async (callSid: string) => (await env.callEvents(callSid)).map((e) => e.type);
const eventOf = async (callSid: string, type: string) =>
  (await env.callEvents(callSid)).find((e) => e.type === type);
const logSize = async () => (await env.test.platform.store.readAll({ maxCount: 1_000_000 })).length;
const clean = (result: CallResult) => {
  expect(result.errors).toEqual([]);
  expect(result.failures).toEqual([]);
};

const content = {
  callerName: 'Ana Lopez',
  question: 'Do you accept Cigna insurance?',
  expectedAnswer: /Cigna/,
  service: 'a cleaning',
  when: 'tomorrow at 3 pm',
  message: 'Hi, this is Ana Lopez. Please call me back tomorrow about my crown, it hurts.',
  menuDigit: '3',
  menuChoice: 'billing',
  spanishQuestion: '¿Aceptan el seguro Delta Dental?',
  expectedSpanishAnswer: /Delta Dental/,
};

describe('the caller simulator completes every scenario on the embedded platform', () => {
  const run = async (name: ScenarioName, to: string, mode: 'gather' | 'stream' = 'gather') => {
    const s = scenario(name, content);
    const result = await call(to, s.caller, { mode });
    if (process.env['SHOW_CALLS']) console.log(result.transcript.map((l) => JSON.stringify(l)).join('\n'));
    expect(result.errors).toEqual([]);
    expect(s.check(result.heard)).toEqual([]);
    expect(s.caller.failures).toEqual([]);
    return result;
  };

  it('FAQ answered from the knowledge base', { timeout: 30_000 }, async () => {
    const result = await run('faq', DEMO_NUMBER);
    const tool = await eventOf(result.callSid, 'ToolInvoked');
    expect(tool?.data).toMatchObject({ name: 'search_knowledge_base', status: 'succeeded' });
    expect(JSON.stringify(tool?.data)).toContain('article:insurance');
    expect(await typesOf(result.callSid)).toEqual(
      expect.arrayContaining(['UtteranceRecorded', 'AiReplied', 'CallEnded', 'CallSummarized']),
    );
  });

  it(
    'an appointment booked, in the tenant’s time zone, linked to the caller',
    { timeout: 30_000 },
    async () => {
      const result = await run('book', DEMO_NUMBER);
      const tool = (await env.callEvents(result.callSid)).find(
        (e) => e.type === 'ToolInvoked' && (e.data as { name: string }).name === 'book_appointment',
      );
      const { appointmentId } = (tool?.data as { result: { appointmentId: string } }).result;
      const [scheduled] = await env.test.platform.store.readStream(
        `appointment-${DEMO_TENANT}.${appointmentId}`,
      );
      expect(scheduled?.type).toBe('AppointmentScheduled');
      const data = scheduled?.data as {
        startsAt: string;
        customer: { name: string; phone: string };
        callId: string;
      };
      expect(data.customer).toEqual({ name: 'Ana Lopez', phone: CALLER });
      expect(data.callId).toBe(result.callSid);
      // "Tomorrow at 3 pm" said on a Monday in New York is Tuesday 15:00 there.
      const local = new Intl.DateTimeFormat('en-US', {
        timeZone: 'America/New_York',
        weekday: 'short',
        hour: 'numeric',
        hourCycle: 'h23',
      }).format(new Date(data.startsAt));
      expect(local).toBe('Tue, 15');
      expect((await eventOf(result.callSid, 'CallSummarized'))?.data).toMatchObject({
        outcome: 'appointment booked',
      });
    },
  );

  it('IVR by keypad', { timeout: 30_000 }, async () => {
    const result = await run('ivr-dtmf', DEMO_IVR_NUMBER);
    expect((await eventOf(result.callSid, 'IvrOptionChosen'))?.data).toMatchObject({
      input: 'dtmf',
      value: '3',
      departmentId: 'billing',
    });
    expect((await eventOf(result.callSid, 'CallTransferred'))?.data).toMatchObject({
      to: { kind: 'agent', id: 'nora' },
    });
  });

  it('IVR by voice', { timeout: 30_000 }, async () => {
    const result = await run('ivr-voice', DEMO_IVR_NUMBER);
    expect((await eventOf(result.callSid, 'IvrOptionChosen'))?.data).toMatchObject({
      input: 'speech',
      departmentId: 'billing',
    });
  });

  it('a caller switching to Spanish on a media stream', { timeout: 30_000 }, async () => {
    const result = await run('spanish', DEMO_NUMBER, 'stream');
    expect(result.streams[0]?.mediaFramesSent).toBeGreaterThan(0);
    expect((await eventOf(result.callSid, 'CallLanguageChanged'))?.data).toMatchObject({
      language: 'es',
      previous: 'en',
    });
    const replies = (await env.callEvents(result.callSid)).filter((e) => e.type === 'AiReplied');
    expect(replies.at(-1)?.data).toMatchObject({ language: 'es' });
  });

  it(
    'a caller on a real-time media stream talks over the greeting and hears a filler line while the search runs',
    { timeout: 60_000 },
    async () => {
      const caller = scripted([
        say(content.question, { bargeIn: true }),
        say('Thank you, goodbye'),
        hangUp(),
      ]);
      const result = await call(DEMO_NUMBER, caller, { mode: 'stream', realtime: true });
      clean(result);
      expect(caller.failures).toEqual([]);
      const stream = result.streams[0];
      // Barge-in: the gateway cleared the greeting's unplayed audio as soon as the caller spoke.
      expect(stream?.clears).toBeGreaterThanOrEqual(1);
      expect(stream?.protocolErrors).toEqual([]);
      const agentLines = result.transcript.filter((l) => l.speaker === 'agent');
      expect(agentLines[0]).toMatchObject({ interrupted: true });
      // The filler line is its own line, heard before the answer it stood in for.
      const filler = result.heard.findIndex((line) =>
        /one moment while i check|let me check that/i.test(line),
      );
      const answer = result.heard.findIndex((line) => content.expectedAnswer.test(line));
      expect(filler).toBeGreaterThan(0);
      expect(answer).toBeGreaterThan(filler);
      const tool = await eventOf(result.callSid, 'ToolInvoked');
      expect(tool?.data).toMatchObject({ name: 'search_knowledge_base', status: 'succeeded' });
      const question = (await env.callEvents(result.callSid)).find(
        (e) => e.type === 'UtteranceRecorded' && (e.data as { speaker: string }).speaker === 'caller',
      );
      expect(question?.data).toMatchObject({ text: content.question });
    },
  );

  it(
    'after hours: the after-hours agent takes a message, filed as a ticket',
    { timeout: 30_000 },
    async () => {
      clock = NIGHT;
      try {
        const result = await run('after-hours', DEMO_NUMBER);
        expect((await eventOf(result.callSid, 'CallStarted'))?.data).toMatchObject({ agentId: 'mateo' });
        const message = await eventOf(result.callSid, 'MessageTaken');
        expect(message?.data).toMatchObject({ message: expect.stringContaining('crown') });
        const ticketId = (message?.data as { ticketId: string }).ticketId;
        const [ticket] = await env.test.platform.store.readStream(`ticket-${DEMO_TENANT}.${ticketId}`);
        expect(ticket?.type).toBe('TicketOpened');
      } finally {
        clock = DAY;
      }
    },
  );
});

describe('escalation and handoff', () => {
  it('an angry caller is queued for a person, who joins and takes over', { timeout: 60_000 }, async () => {
    const agentToken = await login(env.test.url, 'agent@demo.example', 'demo-password-1');
    const agent = apiClient(env.test.url, agentToken);
    expect(
      (await agent.request('PUT', '/api/presence', { tenantId: DEMO_TENANT, available: true })).status,
    ).toBe(200);
    try {
      const s = scenario('angry', content);
      const running = call(DEMO_NUMBER, s.caller, { timeScale: 0.05, conferenceSeconds: 100 });
      // The person answers the call from the queue once it is there.
      let callSid: string | undefined;
      for (let i = 0; i < 200 && callSid === undefined; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const queued = (await env.test.platform.store.readAll({ maxCount: 1_000_000 })).filter(
          (e) => e.type === 'CallQueued',
        );
        callSid = queued.at(-1)?.streamId.split('.')[1];
      }
      expect(callSid).toBeDefined();
      const sid = callSid ?? '';
      if (process.env['SHOW_CALLS']) console.log('queued', sid, await typesOf(sid));
      expect(
        (
          await agent.command('JoinHuman', {
            tenantId: DEMO_TENANT,
            callId: sid,
            userId: 'demo-agent',
            mode: 'barge',
          })
        ).status,
      ).toBe(200);
      expect(
        (await agent.command('TakeOverCall', { tenantId: DEMO_TENANT, callId: sid, userId: 'demo-agent' }))
          .status,
      ).toBe(200);
      // People's legs, as Twilio asks for them when a browser dials the TwiML App: let in as they joined.
      const legFor = async (identity: string, legSid = twilioSid('CA')) =>
        (
          await sendSignedRequest({
            url: `${env.test.url}/twilio/human-leg?callId=${sid}`,
            authToken: env.authToken,
            params: { CallSid: legSid, AccountSid: env.accountSid, From: `client:${identity}` },
          })
        ).body;
      const agentLeg = twilioSid('CA');
      const talking = await legFor('demo-agent', agentLeg);
      expect(talking).toContain(
        `<Conference startConferenceOnEnter="true" endConferenceOnExit="false">call-${sid}`,
      );
      expect(await legFor('demo-supervisor')).toMatch(/<Hangup\/>/); // has not joined
      const supervisor = apiClient(
        env.test.url,
        await login(env.test.url, 'supervisor@demo.example', 'demo-password-1'),
      );
      expect(
        (
          await supervisor.command('JoinHuman', {
            tenantId: DEMO_TENANT,
            callId: sid,
            userId: 'demo-supervisor',
            mode: 'whisper',
          })
        ).status,
      ).toBe(200);
      // The whisperer coaches the person talking to the caller; only that person hears them.
      expect(await legFor('demo-supervisor')).toContain(`coach="${agentLeg}"`);
      const result = await running;
      if (process.env['SHOW_CALLS']) console.log(result.transcript.map((l) => JSON.stringify(l)).join('\n'));
      expect(result.errors).toEqual([]);
      expect(result.heard.join(' ')).toMatch(/joining the call/);
      const types = await typesOf(sid);
      expect(types).toEqual(
        expect.arrayContaining(['EscalationRequested', 'CallQueued', 'HumanJoined', 'HumanTookOver']),
      );
      const escalation = await eventOf(sid, 'EscalationRequested');
      expect(escalation?.data).toMatchObject({ summary: expect.stringContaining('charged me twice') });
      // The call left the queue for its conference through Twilio's REST API.
      const update = env.carrier.requests.find(
        (r) => r.path.endsWith(`/Calls/${sid}.json`) && r.method === 'POST',
      );
      expect(update?.params['Twiml']?.[0]).toContain(`<Conference`);
      const leg = await fetch(`${env.test.url}/twilio/human-leg?callId=${sid}`, { method: 'POST' });
      expect(leg.status).toBe(403); // unsigned: only the TwiML App (Twilio) may ask
    } finally {
      await agent.request('PUT', '/api/presence', { tenantId: DEMO_TENANT, available: false });
    }
  });

  it(
    'nobody free within the wait: the AI takes the call back and takes a message',
    { timeout: 60_000 },
    async () => {
      const agentToken = await login(env.test.url, 'agent@demo.example', 'demo-password-1');
      const agent = apiClient(env.test.url, agentToken);
      await agent.request('PUT', '/api/presence', { tenantId: DEMO_TENANT, available: true });
      try {
        const result = await call(
          DEMO_NUMBER,
          scripted([
            expectToHear(/Sofia/),
            say('I want to talk to a person please'),
            expectToHear(/message/i, { attempts: 30 }),
            say('Yes. Tell them Ana Lopez called about her invoice.'),
            expectToHear(/.+/),
            say('No, goodbye.'),
            hangUp(),
          ]),
          { timeScale: 0.002 },
        );
        clean(result);
        const types = await typesOf(result.callSid);
        expect(types).toEqual(expect.arrayContaining(['CallQueued', 'MessageTaken']));
        expect(types).not.toContain('HumanJoined');
      } finally {
        await agent.request('PUT', '/api/presence', { tenantId: DEMO_TENANT, available: false });
      }
    },
  );
});

describe('call end', () => {
  it(
    'the feedback question takes a key from 1 to 5, and a recording arrives after the end',
    { timeout: 30_000 },
    async () => {
      const result = await call(
        DEMO_NUMBER,
        scripted([
          expectToHear(/Sofia/),
          say('That is all, goodbye.'),
          expectToHear(/rate this call/),
          press('5'),
        ]),
      );
      clean(result);
      expect((await eventOf(result.callSid, 'FeedbackGiven'))?.data).toEqual({ score: 5 });
      const recording = await sendSignedRequest({
        url: `${env.test.url}/twilio/recording`,
        authToken: env.authToken,
        params: {
          CallSid: result.callSid,
          AccountSid: env.accountSid,
          RecordingSid: twilioSid('RE'),
          RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${env.accountSid}/Recordings/RE1`,
          RecordingDuration: '42',
          RecordingStatus: 'completed',
        },
      });
      expect(recording.status).toBe(204);
      expect((await eventOf(result.callSid, 'RecordingAvailable'))?.data).toMatchObject({
        durationSeconds: 42,
      });
      const types = await typesOf(result.callSid);
      expect(types.indexOf('CallEnded')).toBeLessThan(types.indexOf('CallSummarized'));
    },
  );

  it(
    'a caller who says nothing is asked twice, then the call ends as abandoned',
    { timeout: 30_000 },
    async () => {
      const result = await call(DEMO_NUMBER, scripted([expectToHear(/Sofia/)]));
      const ended = await eventOf(result.callSid, 'CallEnded');
      expect(ended?.data).toMatchObject({ outcome: expect.stringMatching(/abandoned|resolved/) });
    },
  );
});

describe('refusals record nothing', () => {
  const voice = (signature: 'none' | 'forged') =>
    sendSignedRequest({
      url: `${env.test.url}/twilio/voice`,
      authToken: env.authToken,
      signature,
      params: voiceParams(
        {
          callSid: twilioSid('CA'),
          accountSid: env.accountSid,
          from: CALLER,
          to: DEMO_NUMBER,
          caller: CALLER,
          direction: 'inbound',
        },
        'ringing',
      ),
    });

  it.each(['none', 'forged'] as const)('a webhook with signature %s gets 403', async (signature) => {
    const before = await logSize();
    const response = await voice(signature);
    expect(response.status).toBe(403);
    expect(await logSize()).toBe(before);
  });

  it('a signed webhook with a malformed CallSid gets 400', async () => {
    const before = await logSize();
    const response = await sendSignedRequest({
      url: `${env.test.url}/twilio/voice`,
      authToken: env.authToken,
      params: { CallSid: 'not-a-call', AccountSid: env.accountSid, From: CALLER, To: DEMO_NUMBER },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatch(/CallSid/);
    expect(await logSize()).toBe(before);
  });

  it('a signed webhook whose caller is not an address gets 400', async () => {
    const before = await logSize();
    const response = await sendSignedRequest({
      url: `${env.test.url}/twilio/voice`,
      authToken: env.authToken,
      params: voiceParams(
        {
          callSid: twilioSid('CA'),
          accountSid: env.accountSid,
          from: 'not a number',
          to: DEMO_NUMBER,
          caller: 'x',
          direction: 'inbound',
        },
        'ringing',
      ),
    });
    expect(response.status).toBe(400);
    expect(await logSize()).toBe(before);
  });

  it.each(['none', 'forged'] as const)('a media stream with signature %s is refused', async (signature) => {
    const before = await logSize();
    const url = `${env.test.url.replace(/^http/, 'ws')}/twilio/media`;
    const parties = {
      callSid: twilioSid('CA'),
      accountSid: env.accountSid,
      from: CALLER,
      to: DEMO_NUMBER,
      direction: 'inbound' as const,
    };
    await expect(
      MediaStreamClient.connect({ url, authToken: env.authToken, signature, call: parties }),
    ).rejects.toThrow(/403/);
    expect(await logSize()).toBe(before);
  });

  it('a signed media stream for a call that is not live is closed', async () => {
    const url = `${env.test.url.replace(/^http/, 'ws')}/twilio/media`;
    const parties = {
      callSid: twilioSid('CA'),
      accountSid: env.accountSid,
      from: CALLER,
      to: DEMO_NUMBER,
      direction: 'inbound' as const,
    };
    const client = await MediaStreamClient.connect({
      url,
      authToken: env.authToken,
      call: parties,
      realtime: false,
    });
    const ended = await client.converse(scripted([say('hello')]), new Conversation());
    expect(ended).not.toBe('caller-hung-up');
  });
});

describe('outbound calls', () => {
  const admin = async () =>
    apiClient(env.test.url, await login(env.test.url, 'admin@demo.example', 'demo-password-1'));

  it(
    'a lead who answers talks with the agent; the call is recorded as outbound and answered',
    { timeout: 30_000 },
    async () => {
      const api = await admin();
      const placed = await api.request<{ callId: string }>('POST', '/api/calls/outbound', {
        tenantId: DEMO_TENANT,
        agentId: 'lucas',
        to: '+15551112222',
        from: DEMO_NUMBER,
        leadId: 'lead-42',
        campaignId: 'spring-recall',
      });
      expect(placed.status).toBe(201);
      const result = await env.carrier.outboundResult(placed.body.callId);
      expect(result.heard[0]).toMatch(/Lucas/);
      const types = await typesOf(placed.body.callId);
      expect(types.slice(0, 3)).toEqual(['CallStarted', 'CallAnswered', 'AiReplied']);
      expect((await eventOf(placed.body.callId, 'CallStarted'))?.data).toMatchObject({
        direction: 'outbound',
        to: '+15551112222',
        agentId: 'lucas',
        leadId: 'lead-42',
        campaignId: 'spring-recall',
      });
      expect(placed.body).toMatchObject({ agentId: 'lucas', leadId: 'lead-42', campaignId: 'spring-recall' });
      expect((await eventOf(placed.body.callId, 'CallAnswered'))?.data).toMatchObject({
        answeredBy: 'human',
      });
      expect(types).toContain('CallEnded');
    },
  );

  it('an answering machine gets the agent’s voicemail', { timeout: 30_000 }, async () => {
    const api = await admin();
    const placed = await api.request<{ callId: string }>('POST', '/api/calls/outbound', {
      tenantId: DEMO_TENANT,
      agentId: 'lucas',
      to: '+15553334444',
      from: DEMO_NUMBER,
    });
    expect(placed.status).toBe(201);
    await env.carrier.outboundResult(placed.body.callId);
    expect((await eventOf(placed.body.callId, 'VoicemailLeft'))?.data).toMatchObject({
      text: expect.stringContaining('Lucas'),
    });
    expect((await eventOf(placed.body.callId, 'CallEnded'))?.data).toMatchObject({ outcome: 'voicemail' });
  });

  it('a busy line ends the call as busy', { timeout: 30_000 }, async () => {
    const api = await admin();
    const placed = await api.request<{ callId: string }>('POST', '/api/calls/outbound', {
      tenantId: DEMO_TENANT,
      agentId: 'lucas',
      to: '+15555556666',
      from: DEMO_NUMBER,
    });
    await env.carrier.outboundResult(placed.body.callId);
    expect((await eventOf(placed.body.callId, 'CallEnded'))?.data).toMatchObject({ outcome: 'busy' });
  });

  it('refuses bad requests and other tenants, placing nothing', async () => {
    const api = await admin();
    const before = env.carrier.requests.length;
    expect(
      (
        await api.request('POST', '/api/calls/outbound', {
          tenantId: DEMO_TENANT,
          agentId: 'lucas',
          to: 'tomorrow',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await api.request('POST', '/api/calls/outbound', {
          tenantId: DEMO_TENANT,
          agentId: 'ghost',
          to: '+15551112222',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await api.request('POST', '/api/calls/outbound', {
          tenantId: 'other-tenant',
          agentId: 'lucas',
          to: '+15551112222',
        })
      ).status,
    ).toBe(403);
    const viewer = apiClient(
      env.test.url,
      await login(env.test.url, 'viewer@demo.example', 'demo-password-1'),
    );
    expect(
      (
        await viewer.request('POST', '/api/calls/outbound', {
          tenantId: DEMO_TENANT,
          agentId: 'lucas',
          to: '+15551112222',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await apiClient(env.test.url).request('POST', '/api/calls/outbound', {
          tenantId: DEMO_TENANT,
          agentId: 'lucas',
          to: '+15551112222',
        })
      ).status,
    ).toBe(401);
    expect(env.carrier.requests.length).toBe(before);
  });

  it('plays an agent’s voice as a sample: the calls’ own text-to-speech, as WAV', async () => {
    const token = await login(env.test.url, 'admin@demo.example', 'demo-password-1');
    const sample = await fetch(`${env.test.url}/api/voices/sample?voice=Kore&language=en`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(sample.status).toBe(200);
    expect(sample.headers.get('content-type')).toBe('audio/wav');
    const wav = parseWav(new Uint8Array(await sample.arrayBuffer()));
    expect(wav.sampleRate).toBe(8000);
    // Offline, the voice is the machine voice the simulated callers understand: decode what it said.
    expect(decodeMachineVoice(pcmToMulaw(wav.samples))?.text).toBe(
      'Hello, thank you for calling. How can I help you today?',
    );
    const bad = await fetch(`${env.test.url}/api/voices/sample?voice=Siri`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bad.status).toBe(400);
    const viewer = await login(env.test.url, 'viewer@demo.example', 'demo-password-1');
    const refused = await fetch(`${env.test.url}/api/voices/sample?voice=Kore`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(refused.status).toBe(403);
    expect((await fetch(`${env.test.url}/api/voices/sample?voice=Kore`)).status).toBe(401);
  });
});

describe('a real Twilio account with the machine voice is called out', () => {
  const realTwilio = {
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'a-real-auth-token-0123',
  };

  it('warns, naming the variables, when Media Streams callers would hear the machine voice', () => {
    expect(speechWarnings(configFromEnv(realTwilio))).toEqual([
      expect.stringMatching(
        /TWILIO_ACCOUNT_SID is set.*STT_PROVIDER=machine-voice, TTS_PROVIDER=machine-voice.*mode=stream/,
      ),
    ]);
    expect(speechWarnings(configFromEnv({ ...realTwilio, STT_PROVIDER: 'google' }))).toEqual([
      expect.stringMatching(/TTS_PROVIDER=machine-voice/),
    ]);
    // The health page's engines say it too, not only the start output.
    expect(enginesOf(configFromEnv(realTwilio)).textToSpeech).toMatch(/machine-voice.*not for real callers/);
  });

  it('says nothing with real speech providers, a Twilio stand-in, or no account', () => {
    const real = configFromEnv({
      ...realTwilio,
      STT_PROVIDER: 'whisper',
      TTS_PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-test-key',
    });
    expect(speechWarnings(real)).toEqual([]);
    expect(enginesOf(real).textToSpeech).toBe('openai');
    // A stand-in at another API URL (the simulator's carrier) has only simulated callers.
    expect(speechWarnings(configFromEnv({ ...realTwilio, TWILIO_API_URL: 'http://127.0.0.1:9' }))).toEqual(
      [],
    );
    expect(speechWarnings(configFromEnv({}))).toEqual([]);
    expect(enginesOf(configFromEnv({})).textToSpeech).toBe('machine-voice');
  });
});

describe('a provider that refuses the key', () => {
  it(
    'is shown on the platform health API with its status and time, while the call falls back',
    { timeout: 90_000 },
    async () => {
      // A local stand-in for OpenAI's chat completions answering every request as OpenAI answers a wrong key.
      const refusing = createServer((request, response) => {
        request.resume();
        request.on('end', () => {
          response.writeHead(401, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({
              error: {
                message: 'Incorrect API key provided: sk-wrong.',
                type: 'invalid_request_error',
                param: null,
                code: 'invalid_api_key',
              },
            }),
          );
        });
      });
      await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
      const { port } = refusing.address() as AddressInfo;
      const before = Date.now();
      const gateway = await startGatewayPlatform({
        now: () => DAY,
        env: {
          LLM_PROVIDER: 'openai-compatible',
          LLM_BASE_URL: `http://127.0.0.1:${port}/v1`,
          LLM_MODEL: 'gpt-4o-mini',
          OPENAI_API_KEY: 'sk-wrong',
        },
      });
      // The platform hands the gateway's report of provider failures to the query API (infra/platform/main.ts).
      const readSide = await startReadSidePlatform({ hooks: { providerFailures } });
      try {
        const faq = scenario('faq', content);
        const result = await placeInboundCall({
          baseUrl: gateway.test.url,
          voicePath: '/twilio/voice',
          statusCallbackPath: '/twilio/status',
          authToken: gateway.authToken,
          accountSid: gateway.accountSid,
          from: CALLER,
          to: DEMO_NUMBER,
          caller: faq.caller,
          registry: gateway.carrier.registry,
        });
        // The offline engine answered the caller all the same.
        expect(result.errors).toEqual([]);
        expect(faq.check(result.heard)).toEqual([]);

        const root = apiClient(
          readSide.url,
          await login(readSide.url, SUPER_ADMIN.email, SUPER_ADMIN.password),
        );
        const health = await root.request<{
          status: string;
          providerFailures: { port: string; provider: string; kind: string; status?: number; at: string }[];
        }>('GET', '/api/admin/health');
        expect(health.status).toBe(200);
        expect(health.body.status).toBe('degraded');
        const failure = health.body.providerFailures.find((f) => f.port === 'llm');
        expect(failure).toMatchObject({ kind: 'auth', status: 401 });
        expect(Date.parse(failure?.at ?? '')).toBeGreaterThanOrEqual(before - 1000);
      } finally {
        await readSide.stop();
        await gateway.stop();
        refusing.close();
      }
    },
  );
});
