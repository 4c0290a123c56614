import { createOutbox } from './outbox.js';
import { senderContract } from './sender-contract.js';

senderContract(
  'outbox (embedded)',
  async () => {
    const outbox = createOutbox({ now: () => new Date() });
    return {
      sender: outbox,
      channel: 'sms',
      recipient: (i) => `+1555010${String(i).padStart(4, '0')}`,
      from: '+15550100000',
      arrived: async () => outbox.entries().map((e) => ({ to: e.to, body: e.body, id: e.providerMessageId })),
      close: async () => {},
    };
  },
  { findsSent: true },
);
