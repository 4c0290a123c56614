import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createSmtpSender } from './smtp.js';
import { senderContract } from './sender-contract.js';

/** A real SMTP server on loopback (smtp-server), keeping every mail it accepts. */
const startMailServer = async () => {
  const mails: ParsedMail[] = [];
  let down = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo: (address, _session, callback) => {
      if (down) return callback(Object.assign(new Error('Try again later'), { responseCode: 421 }));
      if (address.address.endsWith('@refused.example')) {
        return callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
      }
      callback();
    },
    onData: (stream, _session, callback) => {
      simpleParser(stream).then((mail) => {
        mails.push(mail);
        callback();
      }, callback);
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    setDown: (value: boolean) => (down = value),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

senderContract(
  'SMTP → a local smtp-server',
  async () => {
    const server = await startMailServer();
    const sender = createSmtpSender({ url: server.url, from: 'appointments@clinic.example' });
    return {
      sender,
      channel: 'email',
      recipient: (i) => `patient${i}@example.com`,
      arrived: async () =>
        server.mails.map((mail) => ({
          to: mail.to && !Array.isArray(mail.to) ? (mail.to.value[0]?.address ?? '') : '',
          body: mail.text ?? '',
          ...(mail.subject !== undefined && { subject: mail.subject }),
          id: mail.messageId ?? '',
        })),
      setProviderDown: server.setDown,
      refusedRecipient: 'nobody@refused.example',
      close: async () => {
        sender.close();
        await server.close();
      },
    };
  },
  { findsSent: false, refusesChannel: 'sms' },
);
