import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageChannel } from '@ccp/schemas';
import { MessageRejected, ProviderUnavailable, type MessageSender, type OutgoingMessage } from './port.js';

/** A message as it arrived at the far side of the provider (the stand-in's record, the SMTP server's mail). */
export interface Arrived {
  readonly to: string;
  readonly body: string;
  readonly subject?: string;
  /** What the far side knows the message by (Twilio's SID, the Message-ID header, the outbox id). */
  readonly id: string;
}

export interface SenderFixture {
  readonly sender: MessageSender;
  readonly channel: MessageChannel;
  /** The i-th distinct recipient for this channel. */
  recipient(i: number): string;
  readonly from?: string;
  /** Everything that reached the far side so far. */
  arrived(): Promise<readonly Arrived[]>;
  /** Takes the provider down (it answers "try later") or brings it back; absent when it cannot fail. */
  setProviderDown?(down: boolean): void;
  /** A recipient the provider refuses for good; absent when it refuses nobody. */
  readonly refusedRecipient?: string;
  close(): Promise<void>;
}

export interface SenderCapabilities {
  /** `find` can tell that a send reached the provider (false: email, at least once). */
  readonly findsSent: boolean;
  /** Channels it refuses to carry. */
  readonly refusesChannel?: MessageChannel;
}

let sequence = 0;
const messageId = () => `contract-${process.pid}-${Date.now()}-${(sequence += 1)}`;

/** The one contract every messaging adapter honours. */
export const senderContract = (
  adapter: string,
  setup: () => Promise<SenderFixture>,
  capabilities: SenderCapabilities,
): void => {
  describe(`message sender contract: ${adapter}`, () => {
    let fixture: SenderFixture;
    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(() => fixture.close());

    const message = (i: number, body: string): OutgoingMessage => ({
      messageId: messageId(),
      channel: fixture.channel,
      to: fixture.recipient(i),
      ...(fixture.from !== undefined && { from: fixture.from }),
      ...(fixture.channel === 'email' && { subject: 'Your appointment' }),
      body,
    });
    const arrivedTo = async (to: string) => (await fixture.arrived()).filter((a) => a.to === to);

    it('hands the message over once and answers its provider id', async () => {
      const outgoing = message(1, 'Reminder: cleaning tomorrow at 10:00. Reply C to confirm.');
      const sent = await fixture.sender.send(outgoing);
      expect(sent.provider).toBe(fixture.sender.provider);
      expect(sent.providerMessageId).not.toBe('');
      await expect.poll(() => arrivedTo(outgoing.to)).toHaveLength(1);
      const [arrived] = await arrivedTo(outgoing.to);
      expect(arrived?.body.trim()).toBe(outgoing.body);
      expect(arrived?.id).toBe(sent.providerMessageId);
      if (fixture.channel === 'email') expect(arrived?.subject).toBe('Your appointment');
    });

    it('gives two messages two provider ids', async () => {
      const a = await fixture.sender.send(message(2, 'First message.'));
      const b = await fixture.sender.send(message(2, 'Second message.'));
      expect(a.providerMessageId).not.toBe(b.providerMessageId);
      await expect.poll(() => arrivedTo(fixture.recipient(2))).toHaveLength(2);
    });

    it(
      capabilities.findsSent
        ? 'finds a message it handed over, by its id, and not one it never sent'
        : 'cannot ask the provider what it accepted: find answers nothing (delivery is at least once)',
      async () => {
        const after = new Date(Date.now() - 1000);
        const outgoing = message(3, 'Your appointment was moved to Friday at 9:00.');
        const sent = await fixture.sender.send(outgoing);
        const hint = {
          channel: outgoing.channel,
          to: outgoing.to,
          ...(outgoing.from !== undefined && { from: outgoing.from }),
          after,
          body: outgoing.body,
        };
        const found = await fixture.sender.find(outgoing.messageId, hint);
        if (capabilities.findsSent) expect(found).toEqual({ providerMessageId: sent.providerMessageId });
        else expect(found).toBeUndefined();
        const never = await fixture.sender.find(messageId(), { ...hint, body: 'A message never sent.' });
        expect(never).toBeUndefined();
        const elsewhere = await fixture.sender.find(messageId(), { ...hint, to: fixture.recipient(4) });
        expect(elsewhere).toBeUndefined();
      },
    );

    it.runIf(capabilities.refusesChannel !== undefined)('refuses a channel it does not carry', async () => {
      const channel = capabilities.refusesChannel as MessageChannel;
      const to = channel === 'email' ? 'someone@example.com' : '+15550001111';
      await expect(
        fixture.sender.send({ messageId: messageId(), channel, to, body: 'Wrong channel.' }),
      ).rejects.toBeInstanceOf(MessageRejected);
    });

    it('refuses a recipient the provider refuses for good, as MessageRejected', async (context) => {
      if (fixture.refusedRecipient === undefined) return context.skip();
      const outgoing = { ...message(5, 'Nobody gets this.'), to: fixture.refusedRecipient };
      await expect(fixture.sender.send(outgoing)).rejects.toBeInstanceOf(MessageRejected);
      expect(await arrivedTo(fixture.refusedRecipient)).toEqual([]);
    });

    it('answers ProviderUnavailable while the provider is down, and sends again once it is back', async (context) => {
      if (!fixture.setProviderDown) return context.skip();
      fixture.setProviderDown(true);
      const outgoing = message(6, 'Sent when the provider is back.');
      try {
        await expect(fixture.sender.send(outgoing)).rejects.toBeInstanceOf(ProviderUnavailable);
      } finally {
        fixture.setProviderDown(false);
      }
      expect(await arrivedTo(outgoing.to)).toEqual([]);
      await fixture.sender.send(outgoing);
      await expect.poll(() => arrivedTo(outgoing.to)).toHaveLength(1);
    });
  });
};
