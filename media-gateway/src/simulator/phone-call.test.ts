import { afterEach, describe, expect, it } from 'vitest';
import { expectToHear, hangUp, press, reactive, say, scripted, silence } from './caller.js';
import { startLocalCarrier, twilioClientFor, type LocalCarrier } from './local-carrier.js';
import { placeInboundCall, type InboundCallOptions } from './phone-call.js';
import { twilioSid } from './signed-request.js';
import { startTwimlApp, twimlResponse as r, type TwimlApp } from './testing/twiml-app.js';

const authToken = 'test-auth-token-0123456789abcdef0123';
let app: TwimlApp | undefined;
let carrier: LocalCarrier | undefined;
afterEach(async () => {
  await app?.close();
  await carrier?.stop();
  app = undefined;
  carrier = undefined;
});

const call = (options: Partial<InboundCallOptions> & Pick<InboundCallOptions, 'caller'>) =>
  placeInboundCall({
    baseUrl: app?.url ?? '',
    voicePath: '/voice',
    authToken,
    from: '+15550001111',
    to: '+15550002222',
    timeScale: 0,
    ...options,
  });

describe('an inbound call driven by TwiML', () => {
  it('signs every webhook as Twilio does and sends the documented voice parameters', async () => {
    app = await startTwimlApp(authToken, {
      '/voice': () => r('<Say>Hello</Say><Redirect>/next?step=2</Redirect>'),
      '/next': () => r('<Say>Bye</Say><Hangup/>'),
      '/status': () => '',
    });
    const result = await call({ caller: scripted([]), statusCallbackPath: '/status' });
    expect(app.requests.map((q) => q.path)).toEqual(['/voice', '/next', '/status']);
    expect(app.requests.every((q) => q.signatureValid)).toBe(true);
    const [voice, next, status] = app.requests;
    expect(voice?.params).toMatchObject({
      CallSid: result.callSid,
      AccountSid: result.accountSid,
      From: '+15550001111',
      To: '+15550002222',
      Called: '+15550002222',
      Caller: '+15550001111',
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    });
    expect(result.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(result.accountSid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(next?.url).toBe(`${app.url}/next?step=2`);
    expect(next?.params['CallStatus']).toBe('in-progress');
    expect(status?.params).toMatchObject({
      CallStatus: 'completed',
      SequenceNumber: '0',
      CallbackSource: 'call-progress-events',
    });
    expect(status?.params['CallDuration']).toMatch(/^\d+$/);
    expect(status?.params['Timestamp']).toMatch(/\+0000$/);
    expect(result.heard).toEqual(['Hello', 'Bye']);
    expect(result).toMatchObject({ status: 'completed', endedBy: 'application', errors: [] });
    expect(result.exchanges.map((e) => e.status)).toEqual([200, 200, 200]);
  });

  it('can send no signature or a forged one, which the application refuses', async () => {
    app = await startTwimlApp(authToken, { '/voice': () => r('<Say>Hello</Say>') });
    for (const signature of ['none', 'forged'] as const) {
      const result = await call({ caller: scripted([]), signature });
      expect(result.endedBy).toBe('error');
      expect(result.errors[0]).toMatchObject({ kind: 'http', message: expect.stringMatching(/^HTTP 403/) });
      expect(result.transcript.at(-1)).toMatchObject({
        speaker: 'network',
        text: expect.stringMatching(/application error/),
      });
    }
    expect(app.requests.map((q) => q.signature === undefined)).toEqual([true, false]);
    expect(app.requests.every((q) => !q.signatureValid)).toBe(true);
  });

  it('posts what the caller said to the Gather action and follows the answer', async () => {
    app = await startTwimlApp(authToken, {
      '/voice': () =>
        r(
          '<Gather input="speech" action="/name" language="en-US"><Say>Welcome. What is your name?</Say></Gather><Say>No answer</Say>',
        ),
      '/name': (q) => r(`<Say>Thanks ${q.params['SpeechResult'] ?? '?'}</Say><Hangup/>`),
    });
    const caller = reactive((heard) =>
      /name\?$/.test(heard.at(-1) ?? '') ? say('Ada Lovelace', { confidence: 0.81 }) : hangUp(),
    );
    const result = await call({ caller });
    expect(app.to('/name')[0]?.params).toMatchObject({ SpeechResult: 'Ada Lovelace', Confidence: '0.81' });
    expect(result.heard).toEqual(['Welcome. What is your name?', 'Thanks Ada Lovelace']);
    expect(result.transcript.map((l) => `${l.speaker}: ${l.text}`)).toEqual([
      'agent: Welcome. What is your name?',
      'caller: Ada Lovelace',
      'agent: Thanks Ada Lovelace',
    ]);
  });

  it('sends keypad digits up to numDigits, ignoring speech on a DTMF-only Gather', async () => {
    app = await startTwimlApp(authToken, {
      '/voice': () =>
        r(
          '<Gather numDigits="2" action="/menu"><Say>Enter two digits</Say></Gather><Say>Nothing entered</Say>',
        ),
      '/menu': (q) => r(`<Say>You entered ${q.params['Digits'] ?? 'nothing'}</Say>`),
    });
    const pressed = await call({ caller: scripted([expectToHear(/two digits/), press('4271')]) });
    expect(app.to('/menu')[0]?.params['Digits']).toBe('42');
    expect(pressed.heard.at(-1)).toBe('You entered 42');
    expect(pressed.failures).toEqual([]);

    // Speech on a keypad menu is not input: the Gather times out and the document goes on.
    const spoke = await call({ caller: scripted([say('sales please')]) });
    expect(spoke.heard.at(-1)).toBe('Nothing entered');
  });

  it('stays silent: next verb, or an empty result when actionOnEmptyResult is set', async () => {
    app = await startTwimlApp(authToken, {
      '/voice': () =>
        r('<Gather input="dtmf speech" action="/empty"><Say>Hello?</Say></Gather><Say>Goodbye</Say>'),
      '/strict': () =>
        r('<Gather input="speech" action="/empty" actionOnEmptyResult="true"><Say>Hello?</Say></Gather>'),
      '/empty': (q) =>
        r(`<Say>empty ${'SpeechResult' in q.params || 'Digits' in q.params ? 'no' : 'yes'}</Say>`),
    });
    const plain = await call({ caller: scripted([silence()]) });
    expect(plain.heard).toEqual(['Hello?', 'Goodbye']);
    expect(app.to('/empty')).toHaveLength(0);
    const strict = await call({ caller: scripted([silence()]), voicePath: '/strict' });
    expect(strict.heard).toEqual(['Hello?', 'empty yes']);
  });

  it('reports a non-2xx answer or invalid TwiML as an application error, as Twilio ends such calls', async () => {
    app = await startTwimlApp(authToken, {
      '/voice': () => r('<Gather input="speech" action="/broken"><Say>Speak</Say></Gather>'),
      '/broken': () => ({ status: 500, body: 'boom' }),
      '/bad': () => r('<Dance/>'),
    });
    const http = await call({ caller: scripted([say('hi')]) });
    expect(http.errors).toEqual([{ kind: 'http', message: 'HTTP 500: boom', url: `${app.url}/broken` }]);
    expect(http.status).toBe('completed');
    const twiml = await call({ caller: scripted([]), voicePath: '/bad' });
    expect(twiml.errors[0]).toMatchObject({ kind: 'twiml', message: expect.stringMatching(/<Dance>/) });
  });

  it('rejects without answering: busy or no-answer, no duration', async () => {
    app = await startTwimlApp(authToken, {
      '/voice': () => r('<Reject reason="busy"/>'),
      '/status': () => '',
    });
    const result = await call({ caller: scripted([]), statusCallbackPath: '/status' });
    expect(result).toMatchObject({ status: 'busy', durationSeconds: 0 });
    expect(app.to('/status')[0]?.params).toMatchObject({ CallStatus: 'busy', CallDuration: '0' });
  });

  it('records a message and sends the recording and transcription callbacks', async () => {
    app = await startTwimlApp(authToken, {
      '/voice': () =>
        r(
          '<Say>Leave a message</Say><Record action="/recorded" recordingStatusCallback="/rec" transcribe="true" transcribeCallback="/tr"/>',
        ),
      '/recorded': () => r('<Say>Thank you</Say><Hangup/>'),
      '/rec': () => '',
      '/tr': () => '',
    });
    const result = await call({ caller: scripted([say('Please call me back tomorrow morning')]) });
    const recorded = app.to('/recorded')[0]?.params;
    expect(recorded?.['RecordingSid']).toMatch(/^RE[0-9a-f]{32}$/);
    expect(recorded?.['RecordingDuration']).toMatch(/^[1-9]\d*$/);
    expect(app.to('/rec')[0]?.params).toMatchObject({
      RecordingSid: recorded?.['RecordingSid'],
      RecordingStatus: 'completed',
    });
    expect(app.to('/rec')[0]?.params['RecordingUrl']).toBe(recorded?.['RecordingUrl']);
    expect(app.to('/tr')[0]?.params).toMatchObject({
      TranscriptionText: 'Please call me back tomorrow morning',
    });
    expect(result.heard).toEqual(['Leave a message', 'Thank you']);
  });

  it('holds a caller in a queue on the wait URL until a REST update through the local carrier dequeues it', async () => {
    carrier = await startLocalCarrier({ accountSid: twilioSid('AC'), authToken });
    app = await startTwimlApp(authToken, {
      '/voice': () =>
        r(
          '<Say>Please hold</Say><Enqueue waitUrl="/wait" action="/exit">billing</Enqueue><Say>after queue</Say>',
        ),
      '/wait': () => r('<Say>You are caller one</Say><Pause length="5"/>'),
      '/exit': () => r('<Say>ignored</Say>'),
    });
    const running = call({
      caller: scripted([]),
      accountSid: carrier.accountSid,
      registry: carrier.registry,
      timeScale: 0.01,
    });
    const live = await carrier.waitForLiveCall(() => true);
    // Let it go round the hold loop a few times, then take it out with the real twilio client.
    while (app.to('/wait').length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    const updated = await twilioClientFor(carrier)
      .calls(live.parties.callSid)
      .update({ twiml: '<Response><Say>A person will help you now</Say><Hangup/></Response>' });
    expect(updated.status).toBe('in-progress');
    const result = await running;
    const waits = app.to('/wait');
    expect(waits[0]?.params).toMatchObject({ QueuePosition: '1', CurrentQueueSize: '1', QueueTime: '0' });
    expect(waits[0]?.params['QueueSid']).toMatch(/^QU[0-9a-f]{32}$/);
    expect(Number(waits[2]?.params['QueueTime'])).toBeGreaterThanOrEqual(10);
    expect(app.to('/exit')[0]?.params).toMatchObject({ QueueResult: 'redirected' });
    expect(result.heard.at(-1)).toBe('A person will help you now');
    expect(result.heard).not.toContain('after queue');
    expect(result.heard).not.toContain('ignored');
    expect(result.endedBy).toBe('application');
  });

  it('lets the caller give up in a queue, and a <Leave> in the wait TwiML leave it', async () => {
    app = await startTwimlApp(authToken, {
      '/voice': () => r('<Enqueue waitUrl="/wait" action="/exit">billing</Enqueue>'),
      '/wait': () => r('<Pause length="30"/>'),
      '/leaving': () => r('<Enqueue waitUrl="/leave" action="/exit">billing</Enqueue>'),
      '/leave': () => r('<Leave/>'),
      '/exit': (q) => r(`<Say>left with ${q.params['QueueResult'] ?? ''}</Say>`),
    });
    const impatient = await call({ caller: scripted([]), queuePatienceSeconds: 60 });
    expect(impatient.endedBy).toBe('caller');
    expect(app.to('/exit')[0]?.params['QueueResult']).toBe('hangup');
    const left = await call({ caller: scripted([]), voicePath: '/leaving' });
    expect(left.heard).toEqual(['left with leave']);
  });

  it('hangs up a live call on a REST update with Status=completed', async () => {
    carrier = await startLocalCarrier({ accountSid: twilioSid('AC'), authToken });
    app = await startTwimlApp(authToken, { '/voice': () => r('<Pause length="600"/><Say>never</Say>') });
    const running = call({
      caller: scripted([]),
      accountSid: carrier.accountSid,
      registry: carrier.registry,
      timeScale: 1,
    });
    const live = await carrier.waitForLiveCall(() => true);
    await twilioClientFor(carrier).calls(live.parties.callSid).update({ status: 'completed' });
    const result = await running;
    expect(result).toMatchObject({ endedBy: 'carrier', status: 'completed' });
    expect(result.heard).toEqual([]);
    const fetched = await twilioClientFor(carrier).calls(live.parties.callSid).fetch();
    expect(fetched.status).toBe('completed');
  });
});
