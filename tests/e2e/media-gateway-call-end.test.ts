import { describe, expect, it } from 'vitest';
import {
  expectToHear,
  press,
  say,
  scripted,
  sendSignedRequest,
  twilioSid,
} from '@ccp/media-gateway/simulator';
import { DEMO_NUMBER } from '@ccp/infra';
import { call, clean, env, eventOf, typesOf, useGatewayPlatform } from '../support/gateway-calls.js';

// How a call ends: the feedback question, the recording that arrives after, a caller who says nothing.
useGatewayPlatform();

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
