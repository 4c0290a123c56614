import twilio from 'twilio';
import type { Context, Middleware } from 'koa';

/**
 * Refuses any webhook whose X-Twilio-Signature does not match: Twilio signs the full URL it called plus the
 * sorted form parameters with the account's auth token. Nothing is recorded for a refused request.
 */
export const requireTwilioSignature =
  (authToken: string, publicUrl: string | undefined): Middleware =>
  async (ctx, next) => {
    const signature = ctx.get('x-twilio-signature');
    const params = formParams(ctx);
    const url = webhookUrl(ctx, publicUrl);
    if (signature === '' || !twilio.validateRequest(authToken, signature, url, params)) {
      ctx.status = 403;
      ctx.type = 'text/plain';
      ctx.body = signature === '' ? 'missing X-Twilio-Signature' : 'X-Twilio-Signature does not match';
      return;
    }
    await next();
  };

/** The URL Twilio called: behind a tunnel or proxy only the configured public URL says what it was. */
export const webhookUrl = (ctx: Context, publicUrl: string | undefined): string =>
  `${publicUrl?.replace(/\/$/, '') ?? `${ctx.protocol}://${ctx.host}`}${ctx.originalUrl}`;

export const formParams = (ctx: Context): Record<string, string> => {
  const body: unknown = ctx.request.body;
  if (typeof body !== 'object' || body === null) return {};
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') params[key] = value;
    else if (Array.isArray(value) && typeof value[0] === 'string') params[key] = value[0];
  }
  return params;
};
