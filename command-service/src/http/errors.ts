import type { Middleware } from 'koa';
import { CommandRejected } from '../application/errors.js';

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

const httpStatusOf = (error: unknown): number | undefined => {
  const status = (error as { status?: unknown; statusCode?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
};

/** Every refusal leaves the API in one shape: `{ error: { code, message, field? } }`. */
export const errorBodies =
  (log: (message: string) => void = console.error): Middleware =>
  async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = {
          error: { code: 'NOT_FOUND', message: `no route ${ctx.method} ${ctx.path}` },
        } satisfies ErrorBody;
      }
    } catch (error) {
      if (error instanceof CommandRejected) {
        ctx.status = error.status;
        ctx.body = {
          error: {
            code: error.code,
            message: error.message,
            ...(error.field !== undefined && { field: error.field }),
          },
        } satisfies ErrorBody;
        return;
      }
      const status = httpStatusOf(error);
      if (status === 413) {
        ctx.status = 413;
        ctx.body = { error: { code: 'PAYLOAD_TOO_LARGE', message: 'the request body is too large' } };
      } else if (status === 415) {
        ctx.status = 415;
        ctx.body = { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send application/json' } };
      } else if (status !== undefined && status >= 400 && status < 500) {
        ctx.status = status;
        ctx.body = {
          error: {
            code: 'INVALID_REQUEST',
            message: error instanceof Error ? error.message : 'invalid request',
          },
        };
      } else {
        log(
          `${ctx.method} ${ctx.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        ctx.status = 500;
        ctx.body = { error: { code: 'INTERNAL', message: 'something went wrong on our side' } };
      }
    }
  };
