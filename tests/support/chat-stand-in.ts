import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: { model: string; messages: { role: string; content: unknown }[] };
}

/** What the stand-in answers a request: the assistant's text, or an error status with OpenAI's error body. */
export type ChatAnswer =
  string | { readonly status: number; readonly error: { message: string; type: string } };

/**
 * A stand-in of the OpenAI chat completions API (POST /v1/chat/completions, its documented request and response
 * bodies), on 127.0.0.1: every request is recorded and answered by `answer`, never streamed.
 */
export const startChatStandIn = async (answer: (request: ChatRequest) => ChatAnswer) => {
  const received: ChatRequest[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res
          .writeHead(404)
          .end(JSON.stringify({ error: { message: 'no route', type: 'invalid_request_error' } }));
        return;
      }
      const request: ChatRequest = { headers: req.headers, body: JSON.parse(text) as ChatRequest['body'] };
      received.push(request);
      const reply = answer(request);
      if (typeof reply !== 'string') {
        res.writeHead(reply.status).end(JSON.stringify({ error: { ...reply.error, code: null } }));
        return;
      }
      res.writeHead(200).end(
        JSON.stringify({
          id: `chatcmpl-standin-${String(received.length)}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: request.body.model,
          choices: [
            {
              index: 0,
              finish_reason: 'stop',
              message: { role: 'assistant', content: reply, refusal: null },
            },
          ],
          usage: { prompt_tokens: 50, completion_tokens: 12, total_tokens: 62 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${String(port)}/v1`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
