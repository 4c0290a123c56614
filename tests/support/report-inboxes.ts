import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * Where scheduled reports are delivered in the end-to-end tests: a local SMTP server for email and a local
 * receiver for webhooks, both on loopback, keeping what arrives.
 */

/** Mail the report scheduler sends, as a local SMTP server receives it. */
export const mails: ParsedMail[] = [];
let smtp: SMTPServer;
/** Webhook deliveries, as a local receiver gets them. */
export const hooks: { headers: IncomingMessage['headers']; body: string }[] = [];
export let receiver: Server;

/** Starts both; answers the SMTP server's URL. */
export const startReportInboxes = async (): Promise<string> => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData: (stream, _session, callback) => {
      void simpleParser(stream).then((mail) => {
        mails.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      hooks.push({ headers: request.headers, body });
      response.statusCode = 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  return `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
};

export const stopReportInboxes = async (): Promise<void> => {
  await new Promise((resolve) => smtp?.close(() => resolve(undefined)));
  await new Promise((resolve) => receiver?.close(() => resolve(undefined)));
};
