import { afterEach, describe, expect, it } from 'vitest';
import { createTwilioCarrier } from '../telephony/carrier.js';
import { startLocalCarrier, type LocalCarrier } from './local-carrier.js';
import { twilioSid } from './signed-request.js';
import { startTwimlApp, twimlResponse as r, type TwimlApp } from './testing/twiml-app.js';

const authToken = 'carrier-auth-token-0123456789abcdef';
let app: TwimlApp | undefined;
let carrier: LocalCarrier | undefined;
afterEach(async () => {
  await carrier?.stop();
  await app?.close();
});

describe('local carrier: Calls.json list, read through the Carrier port (findCalls)', () => {
  it('finds the calls from a number to a number started after an instant, and only those', async () => {
    app = await startTwimlApp(authToken, { '/outbound': () => r('<Hangup/>'), '/status': () => '' });
    carrier = await startLocalCarrier({
      accountSid: twilioSid('AC'),
      authToken,
      callee: () => ({ answer: 'busy' }),
    });
    const port = createTwilioCarrier({ accountSid: carrier.accountSid, authToken, apiUrl: carrier.url });
    const dial = (to: string, from: string) =>
      port.placeCall({
        to,
        from,
        url: `${app?.url ?? ''}/outbound`,
        statusCallback: `${app?.url ?? ''}/status`,
        machineDetection: true,
      });
    const before = new Date(Date.now() - 5_000);
    const first = await dial('+15557650001', '+15551230001');
    await dial('+15557650002', '+15551230001');
    await dial('+15557650001', '+15551230002');

    const found = await port.findCalls({ to: '+15557650001', from: '+15551230001', startedAfter: before });
    expect(found.map((c) => c.callId)).toEqual([first.callId]);
    const later = await port.findCalls({
      to: '+15557650001',
      from: '+15551230001',
      startedAfter: new Date(Date.now() + 60_000),
    });
    expect(later).toEqual([]);
    const listed = carrier.requests.filter((q) => q.method === 'GET' && q.path.includes('Calls.json'));
    expect(listed[0]?.path).toContain('StartTime%3E=');
  });
});
