import type { Context } from 'koa';
import { z } from 'zod';
import { formParams } from '../twilio-signature.js';

/** Reading a webhook's parameters (a malformed one is a 400 from the router) and answering it with TwiML. */

export const CallSid = z.string().regex(/^CA[0-9a-f]{32}$/, 'CallSid is CA followed by 32 hex digits');
export const GatherParams = z.object({
  CallSid,
  SpeechResult: z.string().max(5000).optional(),
  Confidence: z.coerce.number().min(0).max(1).optional(),
  Digits: z.string().max(64).optional(),
});

export class BadWebhook extends Error {}

export const parse = <S extends z.ZodType>(schema: S, ctx: Context): z.output<S> => {
  const parsed = schema.safeParse(formParams(ctx));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadWebhook(`${issue?.path.join('.') ?? 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
};

export const parseQuery = <S extends z.ZodType>(schema: S, ctx: Context): z.output<S> => {
  const parsed = schema.safeParse(ctx.query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadWebhook(`${issue?.path.join('.') ?? 'query'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
};

export const twiml = (ctx: Context, body: string): void => {
  ctx.type = 'text/xml';
  ctx.body = body;
};
