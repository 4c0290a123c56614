import { describe, expect, it } from 'vitest';
import { streamTokens } from './stream-token.js';

const CALL = 'CA' + '1'.repeat(32);
const OTHER = 'CA' + '2'.repeat(32);
const AUTH_TOKEN = 'auth-token-0123456789abcdef0123';

describe('stream tokens', () => {
  it('a token is good once, for its own call', () => {
    const tokens = streamTokens({ authToken: AUTH_TOKEN });
    const token = tokens.issue(CALL);
    expect(tokens.redeem(OTHER, token)).toEqual({ ok: false, reason: 'wrong_call' });
    expect(tokens.redeem(CALL, token)).toEqual({ ok: true });
    expect(tokens.redeem(CALL, token)).toEqual({ ok: false, reason: 'reused' });
  });

  it('refuses a missing, malformed or altered token', () => {
    const tokens = streamTokens({ authToken: AUTH_TOKEN });
    const token = tokens.issue(CALL);
    expect(tokens.redeem(CALL, undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(tokens.redeem(CALL, '')).toEqual({ ok: false, reason: 'missing' });
    expect(tokens.redeem(CALL, 'callId')).toEqual({ ok: false, reason: 'malformed' });
    const [nonce, expires, mac] = token.split('.');
    // A later expiry with the same MAC: the MAC covers the expiry.
    expect(tokens.redeem(CALL, `${nonce}.${Number(expires) + 3600}.${mac}`)).toEqual({
      ok: false,
      reason: 'wrong_call',
    });
    // A token made with another account's key.
    const foreign = streamTokens({ authToken: 'another-auth-token-0123456789ab' }).issue(CALL);
    expect(tokens.redeem(CALL, foreign)).toEqual({ ok: false, reason: 'wrong_call' });
    expect(tokens.redeem(CALL, token)).toEqual({ ok: true });
  });

  it('refuses a MAC written another way that decodes to the same bytes (only the canonical text is good)', () => {
    const tokens = streamTokens({ authToken: AUTH_TOKEN });
    const token = tokens.issue(CALL);
    // The MAC's last base64url character carries 2 padding bits a decoder ignores: flipping one changes the text.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.slice(-1));
    const altered = token.slice(0, -1) + alphabet.charAt(last ^ 1);
    expect(Buffer.from(altered.split('.')[2] ?? '', 'base64url')).toEqual(
      Buffer.from(token.split('.')[2] ?? '', 'base64url'),
    );
    expect(tokens.redeem(CALL, altered)).toEqual({ ok: false, reason: 'wrong_call' });
    expect(tokens.redeem(CALL, token)).toEqual({ ok: true });
  });

  it('expires', () => {
    let now = 1_700_000_000_000;
    const tokens = streamTokens({ authToken: AUTH_TOKEN, ttlMs: 60_000, now: () => now });
    const token = tokens.issue(CALL);
    now += 61_000;
    expect(tokens.redeem(CALL, token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('needs no memory of issuing: a restarted gateway with the same auth token accepts it', () => {
    const token = streamTokens({ authToken: AUTH_TOKEN }).issue(CALL);
    expect(streamTokens({ authToken: AUTH_TOKEN }).redeem(CALL, token)).toEqual({ ok: true });
  });

  it('remembers redeemed nonces until they expire, within a bound', () => {
    let now = 1_700_000_000_000;
    const tokens = streamTokens({ authToken: AUTH_TOKEN, ttlMs: 60_000, now: () => now, maxRemembered: 3 });
    const issued = [1, 2, 3, 4].map(() => tokens.issue(CALL));
    for (const token of issued) expect(tokens.redeem(CALL, token)).toEqual({ ok: true });
    // The newest are still remembered; the oldest made room for the fourth.
    expect(tokens.redeem(CALL, issued[3])).toEqual({ ok: false, reason: 'reused' });
    expect(tokens.redeem(CALL, issued[2])).toEqual({ ok: false, reason: 'reused' });
    now += 61_000;
    // Forgotten once expired, and refused as expired all the same.
    expect(tokens.redeem(CALL, issued[3])).toEqual({ ok: false, reason: 'expired' });
  });
});
