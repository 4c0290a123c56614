import type { AttemptResult, TestResult } from './port.js';

/** The longest Retry-After honoured: a target asking for more is tried again after this anyway. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** Retry-After as seconds or an HTTP date, in milliseconds from `now`; undefined when absent or unreadable. */
export const retryAfterMs = (header: string | null, now: Date): number | undefined => {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now.getTime();
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
};

/** An error answer is read this far: enough for its message, never a page a receiver keeps streaming. */
export const MAX_ANSWER_BYTES = 8192;
/**
 * A JSON API answer the target parses (a created record, search results) is read this far: APIs answer
 * far less, and a body cut here would not parse anyway, so the attempt fails rather than buffering without end.
 */
export const MAX_JSON_ANSWER_BYTES = 256 * 1024;

/**
 * At most `maxBytes` of an answer's body as text, then the rest is cancelled so the connection is let go:
 * a target (or something posing as one) cannot make an attempt buffer an endless body.
 */
export const readBounded = async (
  response: { readonly body: ReadableStream<Uint8Array> | null },
  maxBytes = MAX_ANSWER_BYTES,
): Promise<string> => {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let room = maxBytes;
  try {
    while (room > 0) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      const chunk = value.byteLength > room ? value.subarray(0, room) : value;
      room -= chunk.byteLength;
      text += decoder.decode(chunk, { stream: true });
    }
    return text + decoder.decode();
  } finally {
    await reader.cancel().catch(() => undefined);
  }
};

/** What the target said, one short line: enough to act on, never a whole page of HTML. */
export const excerpt = (text: string, max = 300): string => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/**
 * An HTTP answer as an attempt's result: 2xx delivered; 429 and 5xx tried again (after Retry-After when given);
 * 401/403 a credential to fix, 413 a payload over the target's limit, other 4xx a request it will never take —
 * none of those helps to repeat.
 */
/** A redirect's target as far as a person needs it: origin and path, never a query that may carry a token. */
const whereTo = (location: string | null): string | null => {
  if (location === null) return null;
  try {
    const url = new URL(location, 'http://relative.invalid');
    return url.origin === 'http://relative.invalid' ? url.pathname : `${url.origin}${url.pathname}`;
  } catch {
    return 'an unreadable address';
  }
};

export const resultOfResponse = (
  status: number,
  body: string,
  headers: { get(name: string): string | null },
  now: Date,
  externalId?: string,
): AttemptResult => {
  if (status >= 200 && status < 300)
    return { ok: true, statusCode: status, ...(externalId !== undefined && { externalId }) };
  const error = excerpt(`${status}${body ? `: ${body}` : ''}`);
  const after = retryAfterMs(headers.get('retry-after'), now);
  const retryAfter = after !== undefined ? { retryAfterMs: after } : {};
  if (status >= 300 && status < 400) {
    // Targets send with redirect: 'manual': following would re-send a POST as a bodiless GET, or not at all.
    const location = whereTo(headers.get('location'));
    return {
      ok: false,
      errorKind: 'client_error',
      statusCode: status,
      error: excerpt(
        location !== null
          ? `${status}: the target redirected to ${location}; set the final URL`
          : `${status}: the target redirected without a location; set the final URL`,
      ),
      retryable: false,
    };
  }
  if (status === 429)
    return {
      ok: false,
      errorKind: 'rate_limited',
      statusCode: status,
      error,
      retryable: true,
      ...retryAfter,
    };
  if (status >= 500)
    return {
      ok: false,
      errorKind: 'server_error',
      statusCode: status,
      error,
      retryable: true,
      ...retryAfter,
    };
  if (status === 401 || status === 403)
    return { ok: false, errorKind: 'auth_failed', statusCode: status, error, retryable: false };
  if (status === 413)
    return { ok: false, errorKind: 'payload_too_large', statusCode: status, error, retryable: false };
  return { ok: false, errorKind: 'client_error', statusCode: status, error, retryable: false };
};

/** A request that got no answer: timed out, refused by the outbound guard, or the network failed. */
export const resultOfError = (error: unknown, signal: AbortSignal): AttemptResult => {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'URL_NOT_ALLOWED')
    return {
      ok: false,
      errorKind: 'url_refused',
      error: excerpt(String((error as Error).message)),
      retryable: false,
    };
  if (signal.aborted) return { ok: false, errorKind: 'timeout', error: 'no answer in time', retryable: true };
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return { ok: false, errorKind: 'network', error: excerpt(`network: ${String(detail)}`), retryable: true };
};

/** An attempt's result in the words the "test connection" button shows. */
export const testResultOf = (result: AttemptResult, okMessage: string): TestResult => {
  if (result.ok)
    return {
      ok: true,
      message: okMessage,
      ...(result.statusCode !== undefined && { statusCode: result.statusCode }),
    };
  const code = result.statusCode !== undefined ? { statusCode: result.statusCode } : {};
  switch (result.errorKind) {
    case 'auth_failed':
      return {
        ok: false,
        message: `the credentials were refused (${result.statusCode ?? 'auth'}): check the token or key`,
        ...code,
      };
    case 'url_refused':
      return { ok: false, message: `the address is not allowed: ${result.error}`, ...code };
    case 'timeout':
      return {
        ok: false,
        message: 'no answer in time: check the address and that the service is up',
        ...code,
      };
    case 'network':
      return { ok: false, message: `could not reach the service (${result.error})`, ...code };
    default:
      return { ok: false, message: `the service answered ${result.error}`, ...code };
  }
};
