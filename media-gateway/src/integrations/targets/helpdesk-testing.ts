import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { outboundGuard } from '@ccp/command-service';
import type { Connection } from '../connections.js';
import type { DeliveryContent, DeliveryRequest } from '../port.js';

/** One request a stand-in received. */
export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What a stand-in answers: a status, a JSON body and headers. */
export interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * A stand-in of a helpdesk's REST API on 127.0.0.1 (tests only): records every request and answers with what
 * the test queued for it, or with `fallback`.
 */
export const startStandIn = async (fallback: (received: Received) => Answer) => {
  const received: Received[] = [];
  const queue: Answer[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      const answer = queue.shift() ?? fallback(request);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    answerNext: (answer: Answer) => queue.push(answer),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** The platform's guarded fetch, allowed to reach the stand-ins on loopback. */
export const loopbackFetch = outboundGuard({ allow: ['127.0.0.1/32'] }).fetch;

export const ticketContent: Extract<DeliveryContent, { kind: 'ticket' }> = {
  kind: 'ticket',
  externalRef: 't-42',
  subject: 'Router keeps rebooting',
  description: 'Since Monday, every hour. <b>urgent</b> & "loud"',
  priority: 'high',
  customer: { name: 'Ana Ruiz', phone: '+34600111222', email: 'ana@example.com' },
  summary: 'Caller reports reboots.',
  transcript: [
    { speaker: 'caller', text: 'My router reboots.' },
    { speaker: 'agent', text: 'I will open a ticket.' },
  ],
  callId: 'CA123',
};

export const requestFor = (
  connection: Connection,
  secrets: Record<string, string>,
  overrides: Partial<DeliveryRequest> = {},
): DeliveryRequest => ({
  deliveryId: 'dlv-1',
  attempt: 1,
  connection,
  secrets,
  action: 'open_ticket',
  source: {
    eventId: 'e1',
    eventType: 'TicketOpened',
    streamId: 'ticket-acme.t-42',
    position: 7,
    occurredAt: '2026-12-07T05:00:00.000Z',
  },
  content: ticketContent,
  signal: new AbortController().signal,
  now: new Date(),
  ...overrides,
});
