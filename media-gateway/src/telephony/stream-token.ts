import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * What binds a Media Stream to its call. Twilio signs the WebSocket upgrade, but over the fixed stream URL only:
 * the call the stream is for comes later, in the `start` message, which anyone holding one signed upgrade could
 * fill in with any live call's id. So the TwiML that starts a stream carries a token for that call as a
 * `<Parameter>`; Twilio echoes it in `start.customParameters`, and the stream is refused unless it is the
 * token of the call it names, unexpired and not used before.
 *
 * The token is `<nonce>.<expires>.<mac>`: HMAC-SHA256 over the call id, a random nonce and the expiry (seconds),
 * keyed by a key derived from the Twilio auth token. Nothing is stored when a token is issued, so a platform
 * restarted between the TwiML and the stream still accepts it; single use is kept by remembering redeemed
 * nonces until they expire (in memory: after a restart a token can be redeemed once more within its expiry,
 * still only for its own call).
 */

/** The `<Parameter>` name the token travels under. */
export const STREAM_TOKEN_PARAMETER = 'token';

/** Twilio opens the stream right after it reads the TwiML: minutes are plenty. */
const DEFAULT_TTL_MS = 5 * 60_000;
/** Redeemed nonces remembered at most (each for at most the TTL): about 300 stream starts a second. */
const DEFAULT_MAX_REMEMBERED = 100_000;

const TOKEN = /^([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export type StreamTokenRefusal = 'missing' | 'malformed' | 'wrong_call' | 'expired' | 'reused';
export type StreamTokenCheck =
  { readonly ok: true } | { readonly ok: false; readonly reason: StreamTokenRefusal };

export interface StreamTokens {
  /** A fresh token for a stream of this call. */
  issue(callId: string): string;
  /** Checks a stream's token for the call it names and, when good, uses it up. */
  redeem(callId: string, token: string | undefined): StreamTokenCheck;
}

export interface StreamTokenOptions {
  /** The Twilio account's auth token, which the signing key is derived from. */
  readonly authToken: string;
  readonly ttlMs?: number;
  readonly now?: () => number;
  readonly maxRemembered?: number;
}

export const streamTokens = (options: StreamTokenOptions): StreamTokens => {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const now = options.now ?? Date.now;
  const maxRemembered = options.maxRemembered ?? DEFAULT_MAX_REMEMBERED;
  // A key of its own: a MAC made here is never a valid Twilio request signature, nor the other way round.
  const key = createHmac('sha256', options.authToken).update('ccp media stream token v1').digest();
  /** Redeemed nonce → when it expires (ms); in insertion order, which is expiry order since the TTL is fixed. */
  const redeemed = new Map<string, number>();

  const mac = (callId: string, nonce: string, expires: string): Buffer =>
    createHmac('sha256', key).update(`${callId}\n${nonce}\n${expires}`).digest();

  const forget = (at: number): void => {
    for (const [nonce, expiresAt] of redeemed) {
      if (expiresAt > at && redeemed.size < maxRemembered) return;
      redeemed.delete(nonce);
    }
  };

  return {
    issue: (callId) => {
      const nonce = randomBytes(16).toString('base64url');
      const expires = String(Math.ceil((now() + ttlMs) / 1000));
      return `${nonce}.${expires}.${mac(callId, nonce, expires).toString('base64url')}`;
    },
    redeem: (callId, token) => {
      if (token === undefined || token === '') return { ok: false, reason: 'missing' };
      const parts = TOKEN.exec(token);
      if (!parts) return { ok: false, reason: 'malformed' };
      const [, nonce = '', expires = '', given = ''] = parts;
      // Made for another call (or made up): the MAC over this call id does not match. Compared as text, since
      // base64url decoding ignores the last character's padding bits: only the text issue() wrote is good.
      const expected = Buffer.from(mac(callId, nonce, expires).toString('base64url'));
      if (!timingSafeEqual(Buffer.from(given), expected)) {
        return { ok: false, reason: 'wrong_call' };
      }
      const at = now();
      const expiresAt = Number(expires) * 1000;
      if (expiresAt <= at) return { ok: false, reason: 'expired' };
      forget(at);
      if (redeemed.has(nonce)) return { ok: false, reason: 'reused' };
      redeemed.set(nonce, expiresAt);
      return { ok: true };
    },
  };
};
