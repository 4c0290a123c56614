import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Plumbing shared by the local stand-ins for LLM providers (the real ones cannot be reached from tests): an
 * HTTP server on loopback that validates each request against a provider's documented wire format, records
 * it, and answers from a queue the test scripts in provider-neutral terms.
 */

export interface ScriptedUsage {
  readonly input: number;
  readonly output: number;
}

export interface ScriptedToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: Readonly<Record<string, unknown>>;
}

/** What the next request gets, in neutral terms; each stand-in renders it in its provider's format. */
/** How a streamed answer is paced (a stand-in that streams honours it; others answer at once). */
export interface ScriptedPace {
  /** After the first event (the role alone, no token yet), before the first token. */
  readonly firstTokenMs?: number;
  /** Between the following events. */
  readonly chunkMs?: number;
  /** The connection is cut after this many events, as when a server crashes mid-answer. */
  readonly cutAfter?: number;
}

export type ScriptedAnswer =
  | {
      readonly kind: 'reply';
      readonly text: string;
      /** Omitted: no usage in the answer (OpenAI-compatible local servers). */
      readonly usage?: ScriptedUsage;
      /** The model the answer names; the requested one when omitted. */
      readonly model?: string;
      readonly pace?: ScriptedPace;
    }
  | {
      readonly kind: 'tool_calls';
      readonly text?: string;
      readonly calls: readonly ScriptedToolCall[];
      readonly usage?: ScriptedUsage;
      readonly model?: string;
      readonly pace?: ScriptedPace;
    }
  /** A tool call whose arguments are not a JSON object, in the provider's own way of being wrong. */
  | { readonly kind: 'malformed_tool_call'; readonly name: string }
  /** The provider's documented error body with this status. */
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly message: string;
      /** Quotes the key the request carried after the message, as a provider refusing a key may. */
      readonly echoKey?: boolean;
    }
  /** Anything at all, for answers that are not the provider's format. */
  | { readonly kind: 'raw'; readonly status: number; readonly contentType: string; readonly body: string }
  /** No answer for this long (then a 504), to make the client time out. */
  | { readonly kind: 'stall'; readonly ms: number };

export type RenderedAnswer = Extract<
  ScriptedAnswer,
  { kind: 'reply' | 'tool_calls' | 'malformed_tool_call' }
>;

/** What a stand-in understood of a request, the same for every provider, for the contract's checks. */
export interface ReceivedTurn {
  readonly system: string;
  readonly toolNames: readonly string[];
  /** Every user line in the conversation, in order. */
  readonly userTexts: readonly string[];
  /** Every tool call the conversation's assistant turns carry, in order. */
  readonly toolCalls: readonly ScriptedToolCall[];
  /** Every tool result the conversation carries, in order. */
  readonly toolResults: readonly { readonly toolCallId: string; readonly content: string }[];
}

export interface Received<Body> {
  readonly headers: IncomingHttpHeaders;
  readonly body: Body;
  readonly turn: ReceivedTurn;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** One provider's documented HTTP format. */
export interface WireFormat<Body> {
  /** Where the SDK is pointed: the server's origin plus this (e.g. "/v1" for OpenAI, "" for Anthropic). */
  readonly basePath: string;
  /** The one endpoint, e.g. "/v1/chat/completions". */
  readonly path: string;
  /** The provider's answer to missing or wrong headers, or undefined when they are fine. */
  checkHeaders(headers: IncomingHttpHeaders): HttpAnswer | undefined;
  /** The body against the documented schema: the typed body, or the provider's refusal (400 unless said). */
  parse(
    json: unknown,
    headers: IncomingHttpHeaders,
  ): { ok: true; body: Body } | { ok: false; reason: string; status?: number };
  summarize(body: Body): ReceivedTurn;
  render(answer: RenderedAnswer, request: Body, sequence: number): HttpAnswer;
  /**
   * The answer as server-sent events' data, first the one carrying no token yet, when the request asked for a
   * stream; undefined otherwise. The server ends the stream itself.
   */
  renderStream?(answer: RenderedAnswer, request: Body, sequence: number): readonly string[] | undefined;
  /** The data line that ends a stream, e.g. OpenAI's "[DONE]". */
  readonly streamEnd?: string;
  /** The provider's documented error body. */
  error(status: number, message: string): HttpAnswer;
}

export interface ScriptedServer<Body> {
  /** What to give the provider's SDK as baseURL. */
  readonly baseURL: string;
  /** Requests that passed validation, in order. */
  readonly received: readonly Received<Body>[];
  /** Every request that was refused (bad headers or wire format), with the reason: a mapping bug shows here. */
  readonly refused: readonly string[];
  script(...answers: ScriptedAnswer[]): void;
  /** Drops scripted answers nobody asked for. */
  clear(): void;
  close(): Promise<void>;
}

export interface ScriptedServerOptions {
  /** The answer when nothing is scripted; otherwise such a request gets a 500 (and the test should fail). */
  readonly idle?: ScriptedAnswer;
}

const send = (res: ServerResponse, status: number, contentType: string, body: string): void => {
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
};

export const startScriptedServer = async <Body>(
  wire: WireFormat<Body>,
  options: ScriptedServerOptions = {},
): Promise<ScriptedServer<Body>> => {
  const queue: ScriptedAnswer[] = [];
  const received: Received<Body>[] = [];
  const refused: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let sequence = 0;

  const refuse = (res: ServerResponse, answer: HttpAnswer, reason: string): void => {
    refused.push(reason);
    send(res, answer.status, 'application/json', JSON.stringify(answer.body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    if (req.method !== 'POST' || req.url?.split('?')[0] !== wire.path) {
      return refuse(res, wire.error(404, `no route ${req.method} ${req.url}`), `route ${req.url}`);
    }
    const headerProblem = wire.checkHeaders(req.headers);
    if (headerProblem) return refuse(res, headerProblem, `headers: ${JSON.stringify(headerProblem.body)}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return refuse(res, wire.error(400, 'the body is not JSON'), 'body is not JSON');
    }
    const parsed = wire.parse(json, req.headers);
    if (!parsed.ok) return refuse(res, wire.error(parsed.status ?? 400, parsed.reason), parsed.reason);
    received.push({ headers: req.headers, body: parsed.body, turn: wire.summarize(parsed.body) });
    sequence += 1;
    const answer = queue.shift() ?? options.idle;
    if (answer === undefined) {
      const http = wire.error(500, 'the stand-in has no scripted answer for this request');
      return send(res, http.status, 'application/json', JSON.stringify(http.body));
    }
    if (answer.kind === 'raw') return send(res, answer.status, answer.contentType, answer.body);
    if (answer.kind === 'error') {
      const key = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? req.headers['x-api-key'];
      const message = answer.echoKey === true ? `${answer.message}: ${String(key)}` : answer.message;
      const http = wire.error(answer.status, message);
      return send(res, http.status, 'application/json', JSON.stringify(http.body));
    }
    if (answer.kind === 'stall') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        const http = wire.error(504, 'stalled on purpose');
        if (!res.writableEnded) send(res, http.status, 'application/json', JSON.stringify(http.body));
      }, answer.ms);
      timers.add(timer);
      return;
    }
    const events = wire.renderStream?.(answer, parsed.body, sequence);
    if (events !== undefined) {
      const lines = [...events, ...(wire.streamEnd === undefined ? [] : [wire.streamEnd])];
      return streamEvents(res, lines, answer.kind === 'malformed_tool_call' ? undefined : answer.pace);
    }
    const http = wire.render(answer, parsed.body, sequence);
    send(res, http.status, 'application/json', JSON.stringify(http.body));
  };
  /** Server-sent events, paced: the first at once, then the pause before the first token, then one per chunkMs. */
  const streamEvents = (
    res: ServerResponse,
    lines: readonly string[],
    pace: ScriptedPace | undefined,
  ): void => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const next = (index: number): void => {
      if (res.destroyed || res.writableEnded) return;
      const line = lines[index];
      if (index === pace?.cutAfter) {
        // Once what was written has left: a client must see the events, then the connection break.
        res.write('', () => res.destroy());
        return;
      }
      if (line === undefined) {
        res.end();
        return;
      }
      res.write(`data: ${line}\n\n`);
      const wait = index === 0 ? (pace?.firstTokenMs ?? 0) : (pace?.chunkMs ?? 0);
      if (wait === 0) return next(index + 1);
      const timer = setTimeout(() => {
        timers.delete(timer);
        next(index + 1);
      }, wait);
      timers.add(timer);
    };
    next(0);
  };
  // A client that leaves mid-request (a timeout test) rejects the body's iterator: that request is dropped.
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}${wire.basePath}`,
    received,
    refused,
    script: (...answers) => {
      queue.push(...answers);
    },
    clear: () => {
      queue.length = 0;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** A loopback URL nobody listens on: a port the system gave out and that was closed again. */
export const unreachableURL = async (basePath = ''): Promise<string> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${basePath}`;
};
