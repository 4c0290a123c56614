import { describe, expect, it } from 'vitest';
import {
  expectToHear,
  hangUp,
  press,
  say,
  scripted,
  sendSignedRequest,
  twilioSid,
} from '@ccp/media-gateway/simulator';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import type { CallResult } from '@ccp/media-gateway/simulator';
import { apiClient, login } from '../support/platform.js';
import { call, clean, env, useGatewayPlatform } from '../support/gateway-calls.js';

// Recording consent per tenant, through signed Twilio webhooks from the simulator's callers; the platform's
// Twilio account is the simulator's local carrier (its stand-in of Twilio's REST API, which also makes the
// recordings and serves them).
useGatewayPlatform();

const setConsent = async (recordingConsent: Record<string, unknown>) => {
  const token = await login(env.test.url, 'admin@demo.example', 'demo-password-1');
  return apiClient(env.test.url, token).command('UpdateTenantSettings', {
    tenantId: DEMO_TENANT,
    settings: { recordingConsent },
  });
};

const consentEvents = async (callSid: string) =>
  (await env.callEvents(callSid))
    .filter((e) => e.type.startsWith('RecordingConsent') || e.type === 'RecordingAvailable')
    .map((e) => ({ type: e.type, data: e.data as Record<string, unknown> }));

/** The REST requests about the call's recordings: on the call, and deletions of the recordings it reported. */
const recordingRequests = (result: CallResult) => {
  const reported = new Set(
    result.exchanges.filter((e) => e.url.endsWith('/twilio/recording')).map((e) => e.params['RecordingSid']),
  );
  return env.carrier.requests
    .filter(
      (r) =>
        r.path.includes(`/Calls/${result.callSid}/Recordings`) ||
        [...reported].some((sid) => sid !== undefined && r.path.includes(`/Recordings/${sid}`)),
    )
    .map((r) => `${r.method} ${r.path.replace(/.*\/Accounts\/AC[0-9a-f]+/, '')} ${r.status}`);
};

/** A recording's media as the carrier serves it (the URL names api.twilio.com, whose stand-in it is). */
const fetchRecording = (url: string) => fetch(`${env.carrier.url}${new URL(url).pathname}`);

const agentLines = (result: CallResult) =>
  result.transcript.filter((l) => l.speaker === 'agent').map((l) => l.text);

const goodbye = [say('That is all, goodbye.'), expectToHear(/rate this call/), press('5')];

describe('recording consent', () => {
  it(
    'announce: the caller hears the announcement before the recording starts and the greeting, and the call is recorded',
    { timeout: 40_000 },
    async () => {
      expect((await setConsent({ policy: 'announce' })).status).toBe(200);
      const result = await call(
        DEMO_NUMBER,
        scripted([expectToHear(/recorded for quality/), expectToHear(/Sofia/), ...goodbye]),
      );
      clean(result);
      const lines = agentLines(result);
      const announced = lines.findIndex((l) => /recorded for quality/.test(l));
      expect(announced).toBeGreaterThanOrEqual(0);
      expect(lines[announced]).toMatch(/press 9 or say: do not record/);
      expect(lines.findIndex((l) => /Sofia/.test(l))).toBeGreaterThan(announced);
      // The TwiML says the announcement, then starts the recording, then greets.
      const first = result.exchanges[0]?.body ?? '';
      expect(first.indexOf('recorded for quality')).toBeLessThan(first.indexOf('<Start><Recording'));
      expect(first.indexOf('<Start><Recording')).toBeLessThan(first.indexOf('Sofia'));
      const events = await consentEvents(result.callSid);
      expect(events.map((e) => e.type)).toEqual(['RecordingConsentGiven', 'RecordingAvailable']);
      expect(events[0]?.data).toEqual({ policy: 'announce', method: 'announcement' });
      // The recording is the carrier's, with the caller's words in it.
      const audio = await fetchRecording(String(events[1]?.data['url']));
      expect(audio.status).toBe(200);
      expect(audio.headers.get('content-type')).toBe('audio/x-wav');
    },
  );

  it(
    'announce: the caller presses the opt-out key; the recording is stopped and deleted, the event says so',
    { timeout: 40_000 },
    async () => {
      expect((await setConsent({ policy: 'announce' })).status).toBe(200);
      const result = await call(
        DEMO_NUMBER,
        scripted([expectToHear(/Sofia/), press('9'), expectToHear(/not recorded/), ...goodbye]),
      );
      clean(result);
      const events = await consentEvents(result.callSid);
      expect(events).toEqual([
        { type: 'RecordingConsentGiven', data: { policy: 'announce', method: 'announcement' } },
        { type: 'RecordingConsentRefused', data: { policy: 'announce', method: 'key', key: '9' } },
      ]);
      const sid = result.exchanges.find((e) => e.url.endsWith('/twilio/recording'))?.params['RecordingSid'];
      // Stopped when the caller refused; reported when stopped, then deleted by the gateway.
      expect(recordingRequests(result)).toEqual([
        `POST /Calls/${result.callSid}/Recordings/Twilio.CURRENT.json 200`,
        `DELETE /Recordings/${sid}.json 204`,
      ]);
      // Deleted at the carrier: nothing to fetch, and the call's events never note a recording.
      const media = await fetchRecording(
        `https://api.twilio.com/2010-04-01/Accounts/${env.accountSid}/Recordings/${sid}`,
      );
      expect(media.status).toBe(404);
    },
  );

  it(
    'announce: the caller says the opt-out phrase in Spanish words; nothing is kept',
    { timeout: 40_000 },
    async () => {
      expect((await setConsent({ policy: 'announce' })).status).toBe(200);
      const result = await call(
        DEMO_NUMBER,
        scripted([
          expectToHear(/Sofia/),
          say('Por favor, no grabar.'),
          expectToHear(/not recorded/),
          ...goodbye,
        ]),
      );
      clean(result);
      const events = await consentEvents(result.callSid);
      expect(events.map((e) => e.type)).toEqual(['RecordingConsentGiven', 'RecordingConsentRefused']);
      expect(events[1]?.data).toEqual({ policy: 'announce', method: 'phrase' });
      // The phrase answered the consent question: it is not a line of the conversation.
      const utterances = (await env.callEvents(result.callSid)).filter((e) => e.type === 'UtteranceRecorded');
      expect(utterances.length).toBeGreaterThan(0);
      for (const u of utterances) expect(JSON.stringify(u.data)).not.toMatch(/grabar/);
    },
  );

  it(
    'opt_in: nothing is recorded until the caller presses the opt-in key, then the carrier records the rest',
    { timeout: 40_000 },
    async () => {
      expect((await setConsent({ policy: 'opt_in' })).status).toBe(200);
      const result = await call(
        DEMO_NUMBER,
        scripted([
          expectToHear(/With your permission/),
          expectToHear(/Sofia/),
          press('1'),
          expectToHear(/now recorded/),
          ...goodbye,
        ]),
      );
      clean(result);
      expect(result.exchanges[0]?.body).not.toContain('<Start><Recording');
      const events = await consentEvents(result.callSid);
      expect(events.map((e) => e.type)).toEqual(['RecordingConsentGiven', 'RecordingAvailable']);
      expect(events[0]?.data).toEqual({ policy: 'opt_in', method: 'key', key: '1' });
      expect(recordingRequests(result)).toEqual([`POST /Calls/${result.callSid}/Recordings.json 201`]);
    },
  );

  it(
    'on a Media Stream: the announcement comes before the stream and the recording, and the opt-out phrase is heard on it',
    { timeout: 60_000 },
    async () => {
      expect((await setConsent({ policy: 'announce' })).status).toBe(200);
      const result = await call(
        DEMO_NUMBER,
        scripted([
          expectToHear(/Sofia/),
          say('Please do not record this call.'),
          expectToHear(/not recorded/),
          hangUp(),
        ]),
        { mode: 'stream' },
      );
      expect(result.errors).toEqual([]);
      const first = result.exchanges[0]?.body ?? '';
      expect(first.indexOf('recorded for quality')).toBeLessThan(first.indexOf('<Start><Recording'));
      expect(first.indexOf('<Start><Recording')).toBeLessThan(first.indexOf('<Connect><Stream'));
      const events = await consentEvents(result.callSid);
      expect(events.map((e) => e.type)).toEqual(['RecordingConsentGiven', 'RecordingConsentRefused']);
      expect(events[1]?.data).toEqual({ policy: 'announce', method: 'phrase' });
      const sid = result.exchanges.find((e) => e.url.endsWith('/twilio/recording'))?.params['RecordingSid'];
      expect(recordingRequests(result)).toEqual([
        `POST /Calls/${result.callSid}/Recordings/Twilio.CURRENT.json 200`,
        `DELETE /Recordings/${sid}.json 204`,
      ]);
    },
  );

  it(
    'on a Media Stream under opt_in: the opt-in key is a DTMF message, and the recording starts',
    { timeout: 60_000 },
    async () => {
      expect((await setConsent({ policy: 'opt_in' })).status).toBe(200);
      const result = await call(
        DEMO_NUMBER,
        scripted([expectToHear(/Sofia/), press('1'), expectToHear(/now recorded/), hangUp()]),
        { mode: 'stream' },
      );
      expect(result.errors).toEqual([]);
      const events = await consentEvents(result.callSid);
      expect(events.map((e) => e.type)).toEqual(['RecordingConsentGiven', 'RecordingAvailable']);
      expect(events[0]?.data).toEqual({ policy: 'opt_in', method: 'key', key: '1' });
      expect(recordingRequests(result)).toEqual([`POST /Calls/${result.callSid}/Recordings.json 201`]);
    },
  );

  it(
    'Twilio asking again for the first TwiML gets the announcement and the recording again, and consent once',
    { timeout: 40_000 },
    async () => {
      expect((await setConsent({ policy: 'announce' })).status).toBe(200);
      const callSid = twilioSid('CA');
      const ring = () =>
        sendSignedRequest({
          url: `${env.test.url}/twilio/voice`,
          authToken: env.authToken,
          params: { CallSid: callSid, AccountSid: env.accountSid, From: '+15557654321', To: DEMO_NUMBER },
        });
      const first = await ring();
      const again = await ring();
      for (const answer of [first, again]) {
        expect(answer.status).toBe(200);
        expect(answer.body.indexOf('recorded for quality')).toBeLessThan(
          answer.body.indexOf('<Start><Recording'),
        );
        expect(answer.body).toContain('Sofia');
      }
      expect(await consentEvents(callSid)).toEqual([
        { type: 'RecordingConsentGiven', data: { policy: 'announce', method: 'announcement' } },
      ]);
    },
  );

  it('opt_in: a caller who never agrees is not recorded', { timeout: 40_000 }, async () => {
    expect((await setConsent({ policy: 'opt_in' })).status).toBe(200);
    const result = await call(DEMO_NUMBER, scripted([expectToHear(/Sofia/), ...goodbye]));
    clean(result);
    expect(await consentEvents(result.callSid)).toEqual([]);
    expect(recordingRequests(result)).toEqual([]);
    expect(result.exchanges.filter((e) => e.url.endsWith('/twilio/recording'))).toEqual([]);
  });

  it('bad consent settings are refused with the field at fault, and nothing changes', async () => {
    expect((await setConsent({ policy: 'announce' })).status).toBe(200);
    const before = (await env.test.platform.store.readStream(`tenant-${DEMO_TENANT}.${DEMO_TENANT}`)).length;
    const same = await setConsent({ policy: 'announce', optOutKey: '1', optInKey: '1' });
    expect(same.status).toBe(400);
    expect(JSON.stringify(same.body)).toMatch(/optInKey/);
    const unknown = await setConsent({ policy: 'sometimes' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toMatch(/policy/);
    const longKey = await setConsent({ policy: 'announce', optOutKey: '99' });
    expect(longKey.status).toBe(400);
    expect((await env.test.platform.store.readStream(`tenant-${DEMO_TENANT}.${DEMO_TENANT}`)).length).toBe(
      before,
    );
    // Calls still run under the policy that was set.
    const result = await call(DEMO_NUMBER, scripted([expectToHear(/recorded for quality/), ...goodbye]));
    clean(result);
    await setConsent({ policy: 'off' });
  });
});
