import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Connection, Secrets } from '../connections.js';
import { readBounded, resultOfError, resultOfResponse, testResultOf } from '../http-result.js';
import type { AttemptResult, DeliveryRequest, IntegrationTarget } from '../port.js';

/** Larger payloads are refused before sending: receivers commonly cap bodies there, and ours are thin anyway. */
export const MAX_WEBHOOK_PAYLOAD_BYTES = 256 * 1024;

const urlOf = (connection: Connection): string =>
  connection.settings.kind === 'webhook' ? connection.settings.url : '';

/**
 * Standard Webhooks signature header: `v1,<sig>` with the current secret, and during a rotation's overlap a
 * second one with the previous secret, so a receiver still holding the old secret keeps verifying.
 */
export const signatureHeader = (
  id: string,
  at: Date,
  payload: string,
  secret: string,
  previous?: string,
): string =>
  [secret, previous]
    .filter((s): s is string => s !== undefined && s !== '')
    .map((s) => new Webhook(s).sign(id, at, payload))
    .join(' ');

const post = async (
  fetcher: typeof fetch,
  url: string,
  id: string,
  payload: string,
  secrets: { readonly current: string; readonly previous?: string | undefined },
  signal: AbortSignal,
  now: Date,
): Promise<AttemptResult> => {
  if (Buffer.byteLength(payload) > MAX_WEBHOOK_PAYLOAD_BYTES)
    return {
      ok: false,
      errorKind: 'payload_too_large',
      error: `payload over ${MAX_WEBHOOK_PAYLOAD_BYTES} bytes`,
      retryable: false,
    };
  try {
    const response = await fetcher(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signatureHeader(id, now, payload, secrets.current, secrets.previous),
      },
      body: payload,
      redirect: 'manual',
      signal,
    });
    const body = await readBounded(response).catch(() => '');
    return resultOfResponse(response.status, body, response.headers, new Date());
  } catch (error) {
    return resultOfError(error, signal);
  }
};

/** Standard Webhooks to a tenant's endpoint, through the outbound guard's fetch. */
export const webhookTarget = (fetcher: typeof fetch): IntegrationTarget => ({
  kinds: ['webhook'],
  actions: ['send_webhook'],
  deliver: async (request: DeliveryRequest) => {
    const { content } = request;
    if (content.kind !== 'event')
      return { ok: false, errorKind: 'client_error', error: 'not an event', retryable: false };
    const payload = JSON.stringify({ type: content.type, timestamp: content.timestamp, data: content.data });
    return post(
      fetcher,
      urlOf(request.connection),
      request.deliveryId,
      payload,
      {
        current: request.secrets['signingSecret'] ?? '',
        previous: request.previousSecrets?.['signingSecret'],
      },
      request.signal,
      request.now,
    );
  },
  test: async (connection: Connection, secrets: Secrets, signal: AbortSignal) => {
    const now = new Date();
    const payload = JSON.stringify({
      type: 'webhook.test',
      timestamp: now.toISOString(),
      data: { tenantId: connection.tenantId, connectionId: connection.connectionId, ping: true },
    });
    const result = await post(
      fetcher,
      urlOf(connection),
      `msg_test_${randomUUID()}`,
      payload,
      { current: secrets['signingSecret'] ?? '' },
      signal,
      now,
    );
    return testResultOf(result, 'the endpoint took a signed test event');
  },
});
