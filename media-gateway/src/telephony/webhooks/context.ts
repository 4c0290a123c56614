import type { MediaGateway } from '../../gateway.js';
import type { TwilioWebhookOptions } from '../twilio-webhooks.js';

/**
 * What every webhook endpoint shares, built once by the router (twilio-webhooks.ts): the gateway, the options
 * the webhooks were set up with, and the calls waiting in a queue.
 */
export interface WebhookContext {
  readonly gateway: MediaGateway;
  readonly options: TwilioWebhookOptions;
  /** The department each queued call waits for: the hold loop asks it how long the caller may wait. */
  readonly waiting: Map<string, { departmentId: string }>;
}
