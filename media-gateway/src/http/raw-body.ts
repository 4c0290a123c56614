import type { IncomingMessage } from 'node:http';

/** The body is over the route's limit: answer 413 and close the connection (the rest is never read). */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the body is larger than ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/**
 * The body exactly as sent, at most `limit` bytes: for webhooks whose signature is over these bytes, so nothing
 * may parse it first. A declared or actual size over the limit rejects with BodyTooLarge as soon as it shows;
 * the request is paused, not destroyed, so the 413 can still be answered (with `Connection: close`).
 */
export const readRawBody = (request: IncomingMessage, limit: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    if (Number(request.headers['content-length'] ?? '0') > limit) {
      reject(new BodyTooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      request.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      done();
      request.pause();
      reject(new BodyTooLarge(limit));
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const onAborted = () => onError(new Error('the request was aborted'));
    request.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
