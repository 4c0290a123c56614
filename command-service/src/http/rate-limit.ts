import { createHash } from 'node:crypto';
import type { Context, Middleware } from 'koa';

export interface RateLimits {
  /** Requests per minute for one credential (session token or API key), with a burst of as many. */
  readonly perCredential: number;
  /** Requests per minute from one client address, whatever credential it sends. */
  readonly perAddress: number;
  /** Paths not limited: health checks, the telephony provider's webhooks. */
  readonly exempt?: (path: string) => boolean;
  readonly now?: () => number;
  /** Buckets kept at most; the least recently used go first (a full bucket is the same as none). */
  readonly maxBuckets?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets per credential and per address. A request takes one token from each; refills are continuous
 * (limit per minute). A refusal is a 429 with Retry-After and changes nothing downstream.
 */
export const rateLimiter = (limits: RateLimits): Middleware => {
  const now = limits.now ?? Date.now;
  const max = limits.maxBuckets ?? 50_000;
  const buckets = new Map<string, Bucket>();

  /** Seconds until a token is there; 0 when one was taken. */
  const take = (key: string, perMinute: number): number => {
    const t = now();
    const rate = perMinute / 60_000;
    const bucket = buckets.get(key) ?? { tokens: perMinute, at: t };
    buckets.delete(key);
    bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * rate);
    bucket.at = t;
    const wait = bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / rate / 1000);
    if (wait === 0) bucket.tokens -= 1;
    buckets.set(key, bucket);
    if (buckets.size > max) {
      const oldest = buckets.keys().next();
      if (oldest.done !== true) buckets.delete(oldest.value);
    }
    return wait;
  };

  const credentialOf = (ctx: Context): string | undefined => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    // The bucket is named by a hash: the map never holds a usable secret.
    return bearer ? createHash('sha256').update(bearer).digest('base64url').slice(0, 22) : undefined;
  };

  return async (ctx, next) => {
    if (limits.exempt?.(ctx.path)) return next();
    const credential = credentialOf(ctx);
    const waits = [
      take(`ip:${ctx.ip}`, limits.perAddress),
      credential !== undefined ? take(`cred:${credential}`, limits.perCredential) : 0,
    ];
    const wait = Math.max(...waits);
    if (wait > 0) {
      ctx.status = 429;
      ctx.set('Retry-After', String(wait));
      ctx.body = {
        error: {
          code: 'RATE_LIMITED',
          message: `too many requests from this ${(waits[0] ?? 0) > 0 ? 'address' : 'credential'}; retry in ${wait} s`,
        },
      };
      return;
    }
    await next();
  };
};
