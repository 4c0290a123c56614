import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeEvent, type EventEnvelope } from '@ccp/schemas';
import type { TestPlatform } from './platform.js';

/*
 * What the alert tests (tests/e2e/alerts*.test.ts) share: the receivers an alert is told to, the alert events
 * of the log, and waiting for something to happen. Telegram's Bot API and Slack cannot run here: one stand-in on
 * loopback answers in their documented wire formats: Telegram's sendMessage (POST /bot<token>/sendMessage, JSON
 * {chat_id, text}; answer {ok, result:{message_id}}) and getMe (a connection's test), and a Slack incoming webhook at /slack/hook (POST of JSON
 * {text, blocks}; answer 200 "ok").
 */

/** A bot token of Telegram's documented shape. */
export const BOT_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

export interface BotMessage {
  readonly path: string;
  readonly chatId: unknown;
  readonly text: string;
}

export interface AlertReceivers {
  /** The stand-in's base URL: INTEGRATION_API_URLS' telegram, and `${url}/slack/hook` for Slack. */
  readonly url: string;
  /** What Telegram delivered, in order (failed requests left out). */
  readonly telegram: BotMessage[];
  /** What Slack's incoming webhook received (its documented body: `text`, and `blocks`). */
  readonly slack: { text: string }[];
  /** Requests to Telegram for chats other than the down ones, the failed first one included. */
  readonly requests: () => number;
  /** Requests for the down chat. */
  readonly downRequests: () => number;
  stop(): Promise<void>;
}

/**
 * Telegram and Slack stand-ins. `failFirst`: Telegram's first request gets a 502 (the retry is exercised);
 * `downChat`: a chat the stand-in always answers with a 500, so every attempt fails.
 */
export const startAlertReceivers = async (
  options: { readonly failFirst?: boolean; readonly downChat?: string } = {},
): Promise<AlertReceivers> => {
  const telegram: BotMessage[] = [];
  const slack: { text: string }[] = [];
  let requests = 0;
  let downRequests = 0;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url === '/slack/hook') {
        slack.push(JSON.parse(body) as { text: string });
        response.end('ok');
        return;
      }
      response.setHeader('content-type', 'application/json');
      // A connection's test: getMe answers who the bot is.
      if (request.url?.endsWith('/getMe') === true) {
        response.end(
          JSON.stringify({ ok: true, result: { id: 123456789, is_bot: true, username: 'ops_bot' } }),
        );
        return;
      }
      const sent = JSON.parse(body) as { chat_id?: unknown; text?: string };
      if (options.downChat !== undefined && sent.chat_id === options.downChat) {
        downRequests += 1;
        response.statusCode = 500;
        response.end(JSON.stringify({ ok: false, error_code: 500, description: 'Internal Server Error' }));
        return;
      }
      requests += 1;
      if (options.failFirst === true && requests === 1) {
        response.statusCode = 502;
        response.end(JSON.stringify({ ok: false, error_code: 502, description: 'Bad Gateway' }));
        return;
      }
      telegram.push({ path: request.url ?? '', chatId: sent.chat_id, text: sent.text ?? '' });
      response.end(JSON.stringify({ ok: true, result: { message_id: telegram.length } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    telegram,
    slack,
    requests: () => requests,
    downRequests: () => downRequests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** The decoded events of every alert stream, in log order. */
export const alertEvents = async (test: TestPlatform): Promise<EventEnvelope[]> =>
  (await test.platform.store.readAll({ maxCount: 1_000_000 })).flatMap((recorded) => {
    if (!recorded.streamId.startsWith('alert-')) return [];
    const decoded = decodeEvent(recorded);
    return decoded.ok ? [decoded.value] : [];
  });

/** The types of one rule's alert events, in log order. */
export const ruleEvents = async (test: TestPlatform, tenantId: string, ruleId: string): Promise<string[]> =>
  (await alertEvents(test)).filter((e) => e.streamId === `alert-${tenantId}.${ruleId}`).map((e) => e.type);

/** Polls `check` until it holds; fails naming `what` after `ms`. */
export const waitFor = async (
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
