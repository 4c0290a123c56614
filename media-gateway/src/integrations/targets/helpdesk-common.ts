import {
  MAX_JSON_ANSWER_BYTES,
  readBounded,
  resultOfError,
  resultOfResponse,
  testResultOf,
} from '../http-result.js';
import type { AttemptResult, DeliveryRequest, TestResult } from '../port.js';

/** A helpdesk's JSON answer, or undefined when it is none (the schemas then refuse it). */
export const json = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** What a search for an earlier attempt's ticket found: its id (or none), or the failed answer. */
export type Lookup = { failed: AttemptResult } | { id: string | undefined };

/** GET a helpdesk's ticket search; `firstId` picks the first ticket's id out of the answer. */
export const searchTicket = async (
  fetchImpl: typeof fetch,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  now: Date,
  firstId: (answer: unknown) => string | undefined,
): Promise<Lookup> => {
  const response = await fetchImpl(url, { headers, signal });
  const body = await readBounded(response, MAX_JSON_ANSWER_BYTES);
  if (!response.ok) return { failed: resultOfResponse(response.status, body, response.headers, now) };
  return { id: firstId(json(body)) };
};

/**
 * Opens a ticket once across attempts: a retry or replay (attempt > 1) first asks `find` for the ticket an
 * earlier attempt opened and answers with it; otherwise POSTs the ticket. Every failure becomes the result.
 */
export const openTicket = async (
  fetchImpl: typeof fetch,
  request: DeliveryRequest,
  create: {
    readonly url: string;
    readonly headers: Record<string, string>;
    readonly body: string;
    readonly find: () => Promise<Lookup>;
    readonly createdId: (answer: unknown) => string | undefined;
  },
): Promise<AttemptResult> => {
  try {
    if (request.attempt > 1) {
      const found = await create.find();
      if ('failed' in found) return found.failed;
      if (found.id !== undefined) return { ok: true, statusCode: 200, externalId: found.id };
    }
    const response = await fetchImpl(create.url, {
      method: 'POST',
      headers: create.headers,
      body: create.body,
      redirect: 'manual',
      signal: request.signal,
    });
    const body = await readBounded(response, MAX_JSON_ANSWER_BYTES);
    const id = create.createdId(json(body));
    return resultOfResponse(response.status, body, response.headers, request.now, id);
  } catch (error) {
    return resultOfError(error, request.signal);
  }
};

/** test(): one GET; a failed answer in the common words, a 2xx judged by `accepted`. */
export const testTicketApi = async (
  fetchImpl: typeof fetch,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  maxBytes: number,
  accepted: (result: AttemptResult, answer: unknown, status: number) => TestResult,
): Promise<TestResult> => {
  try {
    const response = await fetchImpl(url, { headers, signal });
    const body = await readBounded(response, maxBytes);
    const result = resultOfResponse(response.status, body, response.headers, new Date());
    if (!result.ok) return testResultOf(result, '');
    return accepted(result, json(body), response.status);
  } catch (error) {
    return testResultOf(resultOfError(error, signal), '');
  }
};
