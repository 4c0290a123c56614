import { z } from 'zod';
import type { SettingsOf } from '@ccp/schemas';
import {
  excerpt,
  MAX_JSON_ANSWER_BYTES,
  readBounded,
  resultOfError,
  resultOfResponse,
  retryAfterMs,
  testResultOf,
} from '../http-result.js';
import type { AttemptResult, DeliveryContent, IntegrationTarget, TestResult } from '../port.js';
import type { TargetDeps } from './index.js';

/** Slack's documented limit on a message's `text`: longer text is truncated by Slack, so it is cut here. */
export const SLACK_TEXT_LIMIT = 40_000;
/** A section block's text may hold at most 3,000 characters. */
const SECTION_LIMIT = 3_000;
const SLACK_API = 'https://slack.com/api';

const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Slack's mrkdwn treats &, < and > as control characters. */
const escapeMrkdwn = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

type Notification = Extract<DeliveryContent, { kind: 'notification' }>;

/** The message: plain `text` (what notifications and screen readers show) and blocks for the channel. */
export const slackMessage = (content: Notification) => {
  const lines = [content.title, content.text, ...(content.link !== undefined ? [content.link] : [])];
  const text = cut(lines.filter((l) => l !== '').join('\n'), SLACK_TEXT_LIMIT);
  const detail = cut(escapeMrkdwn(content.text), SECTION_LIMIT);
  const blocks = [
    { type: 'header', text: { type: 'plain_text', text: cut(content.title, 150), emoji: false } },
    ...(detail !== '' ? [{ type: 'section', text: { type: 'mrkdwn', text: detail } }] : []),
    ...(content.link !== undefined
      ? [
          {
            type: 'actions',
            elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open' }, url: content.link }],
          },
        ]
      : []),
  ];
  return { text, blocks };
};

/** The Web API's answer: HTTP 200 with `ok:false` and an error code when it refuses. */
const WebApiAnswer = z.looseObject({
  ok: z.boolean(),
  error: z.string().optional(),
  ts: z.string().optional(),
});

const AUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked']);
/** Slack's own trouble, worth another attempt. */
const SLACK_TROUBLE = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

const headersOf = (response: Response) => ({ get: (name: string) => response.headers.get(name) });

/** A Web API answer as an attempt's result: Slack says most failures in the body of a 200. */
export const resultOfWebApi = async (response: Response, now: Date): Promise<AttemptResult> => {
  // The Web API echoes the posted message: its answer may be larger than an error's.
  const body = await readBounded(response, MAX_JSON_ANSWER_BYTES);
  if (response.status !== 200) return resultOfResponse(response.status, body, headersOf(response), now);
  let parsed;
  try {
    parsed = WebApiAnswer.safeParse(JSON.parse(body));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success)
    return {
      ok: false,
      errorKind: 'server_error',
      statusCode: 200,
      error: excerpt(`not a Slack Web API answer: ${body}`),
      retryable: true,
    };
  const answer = parsed.data;
  if (answer.ok)
    return { ok: true, statusCode: 200, ...(answer.ts !== undefined && { externalId: answer.ts }) };
  const code = answer.error ?? 'unknown_error';
  if (AUTH_ERRORS.has(code))
    return { ok: false, errorKind: 'auth_failed', statusCode: 200, error: code, retryable: false };
  if (code === 'ratelimited') {
    const after = retryAfterMs(response.headers.get('retry-after'), now);
    return {
      ok: false,
      errorKind: 'rate_limited',
      statusCode: 200,
      error: code,
      retryable: true,
      ...(after !== undefined && { retryAfterMs: after }),
    };
  }
  if (code === 'msg_too_long')
    return { ok: false, errorKind: 'payload_too_large', statusCode: 200, error: code, retryable: false };
  if (SLACK_TROUBLE.has(code))
    return { ok: false, errorKind: 'server_error', statusCode: 200, error: code, retryable: true };
  // channel_not_found, not_in_channel, is_archived, invalid_blocks, …: a setting to fix, not worth repeating.
  return { ok: false, errorKind: 'client_error', statusCode: 200, error: code, retryable: false };
};

/** Posts to a Slack channel: through an incoming webhook (its URL is the secret) or a bot's chat.postMessage. */
export const createSlackTarget = (deps: TargetDeps): IntegrationTarget => {
  const api = () => (deps.apiUrls.slack ?? SLACK_API).replace(/\/+$/, '');

  const callWebApi = async (
    method: string,
    token: string,
    body: Record<string, unknown>,
    signal: AbortSignal,
    now: Date,
  ): Promise<AttemptResult> => {
    try {
      const response = await deps.fetch(`${api()}/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        redirect: 'manual',
        signal,
      });
      return await resultOfWebApi(response, now);
    } catch (error) {
      return resultOfError(error, signal);
    }
  };

  /** An incoming webhook answers "ok" or an HTTP error with a short text ("invalid_token", "no_service"). */
  const postToWebhook = async (
    url: string,
    body: Record<string, unknown>,
    signal: AbortSignal,
    now: Date,
  ): Promise<AttemptResult> => {
    try {
      const response = await deps.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        redirect: 'manual',
        signal,
      });
      // 403 invalid_token (auth_failed), 404 no_service, 410 channel_is_archived, 400 invalid_payload.
      return resultOfResponse(response.status, await readBounded(response), headersOf(response), now);
    } catch (error) {
      // The URL is the secret: the guard's refusal names its host, never the path.
      const result = resultOfError(error, signal);
      return result.ok ? result : { ...result, error: result.error.replace(/https?:\/\/\S+/g, '<webhook>') };
    }
  };

  const missing = (name: string): AttemptResult => ({
    ok: false,
    errorKind: 'auth_failed',
    error: `the connection has no ${name}`,
    retryable: false,
  });

  return {
    kinds: ['slack'],
    actions: ['notify'],
    deliver: async (request) => {
      if (request.content.kind !== 'notification')
        return { ok: false, errorKind: 'client_error', error: 'Slack takes notifications', retryable: false };
      const settings = request.connection.settings as SettingsOf<'slack'>;
      const message = slackMessage(request.content);
      if (settings.mode === 'bot') {
        const token = request.secrets.botToken;
        if (token === undefined) return missing('botToken');
        return callWebApi(
          'chat.postMessage',
          token,
          { channel: settings.channel, ...message, unfurl_links: false },
          request.signal,
          request.now,
        );
      }
      const url = request.secrets.webhookUrl;
      if (url === undefined) return missing('webhookUrl');
      return postToWebhook(url, message, request.signal, request.now);
    },
    test: async (connection, secrets, signal): Promise<TestResult> => {
      const settings = connection.settings as SettingsOf<'slack'>;
      const now = new Date();
      if (settings.mode === 'bot') {
        const token = secrets.botToken;
        if (token === undefined) return testResultOf(missing('botToken'), '');
        const result = await callWebApi('auth.test', token, {}, signal, now);
        return testResultOf(result, 'Slack accepted the bot token');
      }
      const url = secrets.webhookUrl;
      if (url === undefined) return testResultOf(missing('webhookUrl'), '');
      // An incoming webhook cannot be checked without posting: a short message says the connection works.
      const result = await postToWebhook(url, { text: 'CustomerCare Pro connected' }, signal, now);
      return testResultOf(result, 'Slack took a test message: "CustomerCare Pro connected" was posted');
    },
  };
};
