import { z } from 'zod';
import type { SettingsOf } from '@ccp/schemas';
import {
  excerpt,
  MAX_JSON_ANSWER_BYTES,
  MAX_RETRY_AFTER_MS,
  readBounded,
  resultOfError,
  resultOfResponse,
  retryAfterMs,
  testResultOf,
} from '../http-result.js';
import type { AttemptResult, DeliveryContent, IntegrationTarget, TestResult } from '../port.js';
import type { TargetDeps } from './index.js';

/** The Bot API's limit on a message's text (after entity parsing; plain text here). */
export const TELEGRAM_TEXT_LIMIT = 4096;
const TELEGRAM_API = 'https://api.telegram.org';
const NO_TOKEN =
  'the connection has no usable Telegram bot token (digits, a colon, then letters, digits, _ or -)';

type Notification = Extract<DeliveryContent, { kind: 'notification' }>;

/** Title, detail and link as plain text (no parse_mode: nothing to escape), cut with an ellipsis at the limit. */
export const telegramText = (content: Notification): string => {
  const text = [content.title, content.text, ...(content.link !== undefined ? [content.link] : [])]
    .filter((line) => line !== '')
    .join('\n\n');
  // Counted in UTF-16 code units, as Telegram counts; a surrogate pair is not split.
  if (text.length <= TELEGRAM_TEXT_LIMIT) return text;
  let head = text.slice(0, TELEGRAM_TEXT_LIMIT - 1);
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return `${head}…`;
};

/** Every Bot API answer: `{ok:true, result}` or `{ok:false, error_code, description, parameters}`. */
const BotAnswer = z.looseObject({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().int().optional(),
  description: z.string().optional(),
  parameters: z.looseObject({ retry_after: z.number().nonnegative().optional() }).optional(),
});
const SentMessage = z.looseObject({ message_id: z.number().int() });

/** The token is in the path: nothing that could quote a URL leaves here without it cut out. */
const withoutToken = (text: string, token: string): string =>
  excerpt(
    text
      .split(token)
      .join('<token>')
      .replace(/\/bot[^/\s]+/g, '/bot<token>'),
  );

/** A Bot API answer as an attempt's result. */
export const resultOfBotAnswer = async (
  response: Response,
  now: Date,
  token: string,
): Promise<AttemptResult> => {
  // sendMessage echoes the message sent (up to 4096 characters with its entities).
  const body = await readBounded(response, MAX_JSON_ANSWER_BYTES);
  const status = response.status;
  if (status >= 300 && status < 400) {
    const redirected = resultOfResponse(status, '', response.headers, now);
    return redirected.ok ? redirected : { ...redirected, error: withoutToken(redirected.error, token) };
  }
  let answer;
  try {
    const parsed = BotAnswer.safeParse(JSON.parse(body));
    answer = parsed.success ? parsed.data : undefined;
  } catch {
    answer = undefined;
  }
  if (answer?.ok === true) {
    const sent = SentMessage.safeParse(answer.result);
    return {
      ok: true,
      statusCode: status,
      ...(sent.success && { externalId: String(sent.data.message_id) }),
    };
  }
  const code = answer?.error_code ?? status;
  const error = withoutToken(`${code}: ${answer?.description ?? body}`, token);
  const statusCode = { statusCode: status };
  if (code === 429) {
    const given = answer?.parameters?.retry_after;
    const after =
      given !== undefined
        ? Math.min(MAX_RETRY_AFTER_MS, given * 1000)
        : retryAfterMs(response.headers.get('retry-after'), now);
    return {
      ok: false,
      errorKind: 'rate_limited',
      ...statusCode,
      error,
      retryable: true,
      ...(after !== undefined && { retryAfterMs: after }),
    };
  }
  if (code >= 500 || answer === undefined)
    return { ok: false, errorKind: 'server_error', ...statusCode, error, retryable: true };
  // 401: the token is wrong or revoked; 404 is how the Bot API answers a malformed token.
  if (code === 401 || code === 404)
    return { ok: false, errorKind: 'auth_failed', ...statusCode, error, retryable: false };
  // 403: the bot was blocked, kicked or never added to the chat; 400: chat not found, text too long, …
  return { ok: false, errorKind: 'client_error', ...statusCode, error, retryable: false };
};

/** Sends a chat message through the tenant's own Telegram bot (Bot API sendMessage). */
export const createTelegramTarget = (deps: TargetDeps): IntegrationTarget => {
  const api = () => (deps.apiUrls.telegram ?? TELEGRAM_API).replace(/\/+$/, '');

  const call = async (
    token: string,
    method: string,
    body: Record<string, unknown> | undefined,
    signal: AbortSignal,
    now: Date,
  ): Promise<AttemptResult> => {
    try {
      // Never logged: the URL holds the token.
      const response = await deps.fetch(`${api()}/bot${token}/${method}`, {
        ...(body === undefined
          ? { method: 'GET' }
          : {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(body),
              redirect: 'manual' as const,
            }),
        signal,
      });
      return await resultOfBotAnswer(response, now, token);
    } catch (error) {
      const result = resultOfError(error, signal);
      return result.ok ? result : { ...result, error: withoutToken(result.error, token) };
    }
  };

  const noToken: AttemptResult = {
    ok: false,
    errorKind: 'auth_failed',
    error: NO_TOKEN,
    retryable: false,
  };
  /** BotFather's tokens look like 123456:ABC-def; anything else could step out of the path it is put in. */
  const tokenOf = (secrets: Readonly<Record<string, string>>): string | undefined => {
    const token = secrets.botToken;
    return token !== undefined && /^\d{1,20}:[A-Za-z0-9_-]{20,200}$/.test(token) ? token : undefined;
  };

  return {
    kinds: ['telegram'],
    actions: ['notify'],
    deliver: async (request) => {
      if (request.content.kind !== 'notification')
        return {
          ok: false,
          errorKind: 'client_error',
          error: 'Telegram takes notifications',
          retryable: false,
        };
      const token = tokenOf(request.secrets);
      if (token === undefined) return noToken;
      const settings = request.connection.settings as SettingsOf<'telegram'>;
      return call(
        token,
        'sendMessage',
        {
          chat_id: settings.chatId,
          text: telegramText(request.content),
          link_preview_options: { is_disabled: true },
        },
        request.signal,
        request.now,
      );
    },
    test: async (_connection, secrets, signal): Promise<TestResult> => {
      const token = tokenOf(secrets);
      if (token === undefined) return { ok: false, message: NO_TOKEN };
      const result = await call(token, 'getMe', undefined, signal, new Date());
      return testResultOf(result, 'Telegram accepted the bot token');
    },
  };
};
