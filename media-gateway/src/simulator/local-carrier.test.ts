import { afterEach, describe, expect, it } from 'vitest';
import { reactive, say, hangUp } from './caller.js';
import { startLocalCarrier, twilioClientFor, type Callee, type LocalCarrier } from './local-carrier.js';
import { twilioSid } from './signed-request.js';
import { startTwimlApp, twimlResponse as r, type TwimlApp } from './testing/twiml-app.js';

const authToken = 'carrier-auth-token-0123456789abcdef';
let app: TwimlApp | undefined;
let carrier: LocalCarrier | undefined;
afterEach(async () => {
  await carrier?.stop();
  await app?.close();
  carrier = undefined;
  app = undefined;
});

const setUp = async (callee: Callee) => {
  app = await startTwimlApp(authToken, {
    '/outbound': (q) =>
      q.params['AnsweredBy']?.startsWith('machine')
        ? r('<Say>Sorry we missed you, call us back.</Say><Hangup/>')
        : r(
            '<Gather input="speech" action="/reply"><Say>Hi, this is the clinic. Can you confirm tomorrow?</Say></Gather>',
          ),
    '/reply': (q) => r(`<Say>Noted: ${q.params['SpeechResult'] ?? ''}</Say><Hangup/>`),
    '/status': () => '',
  });
  carrier = await startLocalCarrier({ accountSid: twilioSid('AC'), authToken, callee: () => callee });
  return { app, carrier };
};

const place = (carrierUrl: LocalCarrier, appUrl: string, machineDetection?: 'Enable' | 'DetectMessageEnd') =>
  twilioClientFor(carrierUrl).calls.create({
    to: '+15557654321',
    from: '+15551234567',
    url: `${appUrl}/outbound`,
    method: 'POST',
    statusCallback: `${appUrl}/status`,
    statusCallbackMethod: 'POST',
    statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    ...(machineDetection !== undefined && { machineDetection }),
  });

describe('local stand-in for the Twilio REST API (driven by the real twilio client)', () => {
  it('creates an outbound call, rings, answers, runs the callee through the TwiML and reports each step', async () => {
    const person = reactive((heard) =>
      /confirm/.test(heard.at(-1) ?? '') ? say('Yes, I will be there') : hangUp(),
    );
    const { app, carrier } = await setUp({ answer: 'human', caller: person });
    const created = await place(carrier, app.url);
    expect(created).toMatchObject({
      status: 'queued',
      direction: 'outbound-api',
      to: '+15557654321',
      from: '+15551234567',
    });
    expect(created.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(created.accountSid).toBe(carrier.accountSid);
    const result = await carrier.outboundResult(created.sid);
    expect(result.heard).toEqual([
      'Hi, this is the clinic. Can you confirm tomorrow?',
      'Noted: Yes, I will be there',
    ]);
    const statuses = app.to('/status').map((q) => [q.params['CallStatus'], q.params['SequenceNumber']]);
    expect(statuses).toEqual([
      ['initiated', '0'],
      ['ringing', '1'],
      ['in-progress', '2'],
      ['completed', '3'],
    ]);
    expect(app.requests.every((q) => q.signatureValid)).toBe(true);
    expect(app.to('/outbound')[0]?.params).toMatchObject({
      Direction: 'outbound-api',
      CallStatus: 'in-progress',
      CallSid: created.sid,
    });
    expect(app.to('/outbound')[0]?.params['AnsweredBy']).toBeUndefined();
    // The REST request itself, as the twilio client sent it: one StatusCallbackEvent per event.
    expect(carrier.requests[0]?.params['StatusCallbackEvent']).toEqual([
      'initiated',
      'ringing',
      'answered',
      'completed',
    ]);
    const fetched = await twilioClientFor(carrier).calls(created.sid).fetch();
    expect(fetched.status).toBe('completed');
  });

  it.each([['busy'], ['no-answer'], ['failed']] as const)(
    'reports a %s callee with a final status callback and no webhook',
    async (answer) => {
      const { app, carrier } = await setUp({ answer });
      const created = await place(carrier, app.url);
      const result = await carrier.outboundResult(created.sid);
      expect(result.status).toBe(answer);
      expect(app.to('/outbound')).toHaveLength(0);
      expect(app.to('/status').map((q) => q.params['CallStatus'])).toEqual(['initiated', 'ringing', answer]);
      expect(app.to('/status').at(-1)?.params['CallDuration']).toBe('0');
    },
  );

  it('adds AnsweredBy to the webhook when machine detection was asked', async () => {
    const { app, carrier } = await setUp({ answer: 'machine' });
    const beep = await place(carrier, app.url, 'DetectMessageEnd');
    const heardByMachine = await carrier.outboundResult(beep.sid);
    expect(app.to('/outbound')[0]?.params['AnsweredBy']).toBe('machine_end_beep');
    expect(heardByMachine.heard).toEqual(['Sorry we missed you, call us back.']);
    const start = await place(carrier, app.url, 'Enable');
    await carrier.outboundResult(start.sid);
    expect(app.to('/outbound')[1]?.params['AnsweredBy']).toBe('machine_start');
    expect(app.to('/status').at(-1)?.params['AnsweredBy']).toBe('machine_start');
  });

  it('answers 401 to wrong credentials and 404 to an unknown call, in Twilio error format', async () => {
    const { carrier } = await setUp({ answer: 'human' });
    const wrong = twilioClientFor({ ...carrier, authToken: 'not-the-token' });
    await expect(
      wrong.calls.create({ to: '+1', from: '+2', url: 'http://127.0.0.1:1/x' }),
    ).rejects.toMatchObject({
      status: 401,
      code: 20003,
    });
    await expect(twilioClientFor(carrier).calls(twilioSid('CA')).fetch()).rejects.toMatchObject({
      status: 404,
      code: 20404,
    });
  });
});
