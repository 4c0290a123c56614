import { afterEach, describe, expect, it } from 'vitest';
import { createTwilioCarrier } from '../telephony/carrier.js';
import { scripted } from './caller.js';
import { startLocalCarrier, type LocalCarrier } from './local-carrier.js';
import { placeInboundCall } from './phone-call.js';
import { twilioSid } from './signed-request.js';
import { startTwimlApp, twimlResponse as r, type TwimlApp } from './testing/twiml-app.js';

const authToken = 'recordings-auth-token-0123456789abcdef';
let app: TwimlApp | undefined;
let carrier: LocalCarrier | undefined;
afterEach(async () => {
  await carrier?.stop();
  await app?.close();
});

const setUp = async (voice: string) => {
  carrier = await startLocalCarrier({ accountSid: twilioSid('AC'), authToken });
  app = await startTwimlApp(authToken, { '/voice': () => r(voice), '/recording': () => '' });
  const port = createTwilioCarrier({ accountSid: carrier.accountSid, authToken, apiUrl: carrier.url });
  const running = placeInboundCall({
    baseUrl: app.url,
    voicePath: '/voice',
    authToken,
    accountSid: carrier.accountSid,
    registry: carrier.registry,
    from: '+15557654321',
    to: '+15551230000',
    caller: scripted([]),
    timeScale: 1,
  });
  const live = await carrier.waitForLiveCall(() => true);
  return { port, running, callSid: live.parties.callSid, live, carrier, app };
};

describe("local carrier: Twilio's Recordings resource, through the Carrier port (official client)", () => {
  it('starts, stops (Twilio.CURRENT) and deletes a live call’s recording; its callback follows the stop', async () => {
    const { port, running, callSid, live, app: voiceApp } = await setUp('<Pause length="600"/>');
    const { recordingId } = await port.startRecording(callSid, `${voiceApp.url}/recording`);
    expect(recordingId).toMatch(/^RE[0-9a-f]{32}$/);
    await port.stopRecording(callSid);
    while (voiceApp.to('/recording').length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(voiceApp.to('/recording')[0]?.params).toMatchObject({
      CallSid: callSid,
      RecordingSid: recordingId,
      RecordingStatus: 'completed',
      RecordingSource: 'StartCallRecordingAPI',
    });
    expect(voiceApp.to('/recording')[0]?.signatureValid).toBe(true);
    expect(live.recordings.has(recordingId)).toBe(true);
    await port.deleteRecording(callSid, recordingId);
    expect(live.recordings.has(recordingId)).toBe(false);
    // Gone already, or none in progress: nothing to do, no error (Twilio's 404).
    await port.deleteRecording(callSid, recordingId);
    await port.stopRecording(callSid);
    await port.hangUp(callSid);
    await running;
    expect(
      carrier?.requests.filter((q) => q.path.includes('Recordings')).map((q) => `${q.method} ${q.status}`),
    ).toEqual(['POST 201', 'POST 200', 'DELETE 204', 'DELETE 404', 'POST 404']);
  });

  it('makes a <Start><Recording> recording of the whole call, reported when the call ends', async () => {
    const {
      running,
      callSid,
      app: voiceApp,
    } = await setUp('<Start><Recording recordingStatusCallback="/recording"/></Start><Say>Hello</Say>');
    await running;
    expect(voiceApp.to('/recording')[0]?.params).toMatchObject({
      CallSid: callSid,
      RecordingStatus: 'completed',
      RecordingSource: 'StartCallRecordingTwiML',
    });
  });

  it('refuses the wrong credentials and calls that are not live', async () => {
    const { port, callSid, carrier: local } = await setUp('<Pause length="600"/>');
    const forged = createTwilioCarrier({
      accountSid: local.accountSid,
      authToken: 'wrong',
      apiUrl: local.url,
    });
    await expect(forged.startRecording(callSid, 'http://127.0.0.1:9/recording')).rejects.toMatchObject({
      status: 401,
    });
    await expect(forged.deleteRecording(callSid, `RE${'0'.repeat(32)}`)).rejects.toMatchObject({
      status: 401,
    });
    await expect(port.startRecording(twilioSid('CA'), 'http://127.0.0.1:9/recording')).rejects.toMatchObject({
      status: 400,
    });
    await port.hangUp(callSid);
  });
});
