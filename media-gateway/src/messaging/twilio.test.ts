import { describe, expect, it } from 'vitest';
import { startLocalCarrier } from '../simulator/local-carrier.js';
import { twilioSid } from '../simulator/signed-request.js';
import { ProviderUnavailable } from './port.js';
import { senderContract } from './sender-contract.js';
import { createTwilioSender } from './twilio.js';

const authToken = 'messaging-auth-token-0123456789abcdef';

for (const channel of ['sms', 'whatsapp'] as const) {
  senderContract(
    `Twilio ${channel} → the local carrier's stand-in of the Messages API`,
    async () => {
      const carrier = await startLocalCarrier({ accountSid: twilioSid('AC'), authToken });
      const prefix = channel === 'whatsapp' ? 'whatsapp:' : '';
      return {
        sender: createTwilioSender({ accountSid: carrier.accountSid, authToken, apiUrl: carrier.url }),
        channel,
        recipient: (i) => `+1555020${String(i).padStart(4, '0')}`,
        from: '+15550200000',
        arrived: async () =>
          carrier.messages.sent.map((m) => ({
            // The stand-in keeps what Twilio was given: WhatsApp numbers carry their prefix on both ends.
            to: m.to.startsWith(prefix) ? m.to.slice(prefix.length) : `unprefixed:${m.to}`,
            body: m.body,
            id: m.sid,
          })),
        setProviderDown: (down) => carrier.messages.failWith(down ? { status: 503 } : undefined),
        refusedRecipient: '+1234',
        close: () => carrier.stop(),
      };
    },
    { findsSent: true, refusesChannel: 'email' },
  );
}

describe('Twilio messaging: what the provider says beyond the contract', () => {
  it('carries Retry-After of a 429 as the wait, and an unreachable API as ProviderUnavailable', async () => {
    const carrier = await startLocalCarrier({ accountSid: twilioSid('AC'), authToken });
    try {
      const sender = createTwilioSender({ accountSid: carrier.accountSid, authToken, apiUrl: carrier.url });
      carrier.messages.failWith({ status: 429, retryAfterSeconds: 7, times: 1 });
      const message = {
        messageId: 'm-429',
        channel: 'sms' as const,
        to: '+15550300001',
        from: '+15550300000',
        body: 'Rate limited once.',
      };
      const refused = await sender.send(message).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ProviderUnavailable);
      expect((refused as ProviderUnavailable).retryAfterMs).toBe(7000);
      // Only once: the next send goes through.
      expect((await sender.send(message)).providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    } finally {
      await carrier.stop();
    }
    const gone = createTwilioSender({ accountSid: carrier.accountSid, authToken, apiUrl: carrier.url });
    await expect(
      gone.send({ messageId: 'm-gone', channel: 'sms', to: '+15550300002', from: '+15550300000', body: 'x' }),
    ).rejects.toBeInstanceOf(ProviderUnavailable);
  });

  it('uses the default sender number when a message names none, and refuses when there is none', async () => {
    const carrier = await startLocalCarrier({ accountSid: twilioSid('AC'), authToken });
    try {
      const options = { accountSid: carrier.accountSid, authToken, apiUrl: carrier.url };
      const message = { messageId: 'm-from', channel: 'sms' as const, to: '+15550300003', body: 'Hello.' };
      await createTwilioSender({ ...options, defaultFrom: '+15550309999' }).send(message);
      expect(carrier.messages.sent.at(-1)?.from).toBe('+15550309999');
      await expect(createTwilioSender(options).send(message)).rejects.toThrow(/no number to send from/);
    } finally {
      await carrier.stop();
    }
  });

  it('answers a wrong auth token (401) as ProviderUnavailable; the stand-in lists by To and DateSent>', async () => {
    const carrier = await startLocalCarrier({ accountSid: twilioSid('AC'), authToken });
    try {
      const options = { accountSid: carrier.accountSid, apiUrl: carrier.url };
      const message = {
        messageId: 'm-auth',
        channel: 'sms' as const,
        to: '+15550300004',
        from: '+15550300000',
        body: 'Hi.',
      };
      await expect(
        createTwilioSender({ ...options, authToken: 'x'.repeat(32) }).send(message),
      ).rejects.toBeInstanceOf(ProviderUnavailable);
      expect(carrier.messages.sent).toHaveLength(0);
      await createTwilioSender({ ...options, authToken }).send(message);
      const list = async (after: Date) => {
        const query = new URLSearchParams({ To: message.to, 'DateSent>': after.toISOString() });
        const response = await fetch(
          `${carrier.url}/2010-04-01/Accounts/${carrier.accountSid}/Messages.json?${query}`,
          {
            headers: {
              authorization: `Basic ${Buffer.from(`${carrier.accountSid}:${authToken}`).toString('base64')}`,
            },
          },
        );
        return ((await response.json()) as { messages: { to: string }[] }).messages;
      };
      expect(await list(new Date(Date.now() - 60_000))).toMatchObject([{ to: message.to }]);
      expect(await list(new Date(Date.now() + 60_000))).toEqual([]);
    } finally {
      await carrier.stop();
    }
  });
});
