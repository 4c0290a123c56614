import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A tiny voice application for the simulator's own tests: it answers TwiML from a route table and checks every
 * X-Twilio-Signature with the twilio library's validator, like a real application would. It stands in for the
 * platform only in these unit tests.
 */

export interface AppRequest {
  readonly method: string;
  readonly path: string;
  readonly url: string;
  readonly params: Record<string, string>;
  readonly signatureValid: boolean;
  readonly signature: string | undefined;
}

export type Answer =
  string | { readonly status: number; readonly body: string; readonly contentType?: string };
export type Route = (request: AppRequest, app: TwimlApp) => Answer | Promise<Answer>;

export interface TwimlApp {
  readonly url: string;
  readonly requests: AppRequest[];
  /** Requests to one path. */
  to(path: string): AppRequest[];
  readonly routes: Map<string, Route>;
  /** Media Streams sockets land here (with the upgrade request and whether its signature was valid). */
  onStream?: (socket: WebSocket, request: IncomingMessage, signatureValid: boolean) => void;
  close(): Promise<void>;
}

export const twimlResponse = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

export const startTwimlApp = async (
  authToken: string,
  routes: Record<string, Route> = {},
): Promise<TwimlApp> => {
  const requests: AppRequest[] = [];
  const wss = new WebSocketServer({ noServer: true });
  // The handlers need the app's own URL, known only once the server listens.
  const self: { app?: TwimlApp } = {};
  const app = (): TwimlApp => {
    if (!self.app) throw new Error('not listening yet');
    return self.app;
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const url = `${app().url}${req.url ?? '/'}`;
    const parsed = new URL(url);
    const params = Object.fromEntries(new URLSearchParams(req.method === 'GET' ? parsed.search : body));
    const signature = req.headers['x-twilio-signature'];
    const signatureValid =
      typeof signature === 'string' &&
      twilio.validateRequest(authToken, signature, url, req.method === 'GET' ? {} : params);
    const request: AppRequest = {
      method: req.method ?? '',
      path: parsed.pathname,
      url,
      params,
      signatureValid,
      signature: typeof signature === 'string' ? signature : undefined,
    };
    requests.push(request);
    const route = app().routes.get(parsed.pathname);
    let answer: Answer;
    if (!signatureValid) answer = { status: 403, body: 'bad signature' };
    else if (!route) answer = { status: 404, body: 'no route' };
    else answer = await route(request, app());
    const {
      status,
      body: text,
      contentType,
    } = typeof answer === 'string' ? { status: 200, body: answer } : answer;
    res.statusCode = status;
    res.setHeader('content-type', contentType ?? 'text/xml');
    res.end(text);
  };
  // A caller that leaves mid-request, or a route that throws, drops that request and nothing else.
  const server: Server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  wss.on('error', () => undefined);
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = `${app().url.replace(/^http/, 'ws')}${req.url ?? '/'}`;
    const signature = req.headers['x-twilio-signature'];
    const valid = typeof signature === 'string' && twilio.validateRequest(authToken, signature, url, {});
    wss.handleUpgrade(req, socket, head, (ws) => {
      // ws closes a socket that broke the protocol itself; the test sees the close.
      ws.on('error', () => undefined);
      app().onStream?.(ws, req, valid);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  self.app = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    to: (path) => requests.filter((r) => r.path === path),
    routes: new Map(Object.entries(routes)),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return self.app;
};
