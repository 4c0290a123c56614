import type {
  ConnectionKind,
  DeliveryAction,
  DeliveryErrorKind,
  DeliverySource,
  NotificationTopic,
} from '@ccp/schemas';
import type { Connection, Secrets } from './connections.js';

/**
 * What is delivered, rendered once from the source event (and, for calls and tickets, the call's stream) by the
 * delivery engine, then shaped by each target into its own wire format.
 */
export type DeliveryContent =
  | {
      /** A Standard Webhooks thin payload: what happened and where to read it, no personal data. */
      readonly kind: 'event';
      readonly type: string;
      readonly timestamp: string;
      readonly data: {
        readonly tenantId: string;
        readonly eventId: string;
        readonly eventType: string;
        readonly streamId: string;
        readonly position: number;
        readonly occurredAt: string;
        readonly correlationId: string;
      };
    }
  | {
      readonly kind: 'notification';
      /** What the tenant subscribed the connection to; absent for the platform's own alerts (infra/alerts). */
      readonly topic?: NotificationTopic;
      /** One line: "A caller is waiting for a person (Sales)". */
      readonly title: string;
      /** A few lines of detail, plain text. */
      readonly text: string;
      /** The console page to open, absolute when the platform's public URL is known. */
      readonly link?: string;
    }
  | {
      /** A finished call, for a CRM's call log. */
      readonly kind: 'call';
      readonly callId: string;
      readonly direction: 'inbound' | 'outbound';
      /** The customer's number (E.164 or a SIP address), the tenant's number. */
      readonly customer: string;
      readonly businessNumber: string;
      readonly startedAt: string;
      readonly endedAt: string;
      readonly durationSeconds: number;
      /** The telephony outcome ("completed", "no_answer", …), and the business one when the summary says it. */
      readonly disposition: string;
      readonly outcome?: string;
      readonly summary?: string;
      readonly transcript: readonly { readonly speaker: string; readonly text: string }[];
      readonly agentName?: string;
    }
  | {
      /** A ticket for a helpdesk: one the platform opened, or an AI escalation. */
      readonly kind: 'ticket';
      /** The platform's ticket, or `call:<callId>` for an escalation: the helpdesk's external id. */
      readonly externalRef: string;
      readonly subject: string;
      readonly description: string;
      readonly priority: 'low' | 'normal' | 'high' | 'urgent';
      readonly customer?: { readonly name?: string; readonly phone?: string; readonly email?: string };
      readonly summary?: string;
      readonly transcript: readonly { readonly speaker: string; readonly text: string }[];
      readonly callId?: string;
    };

export interface DeliveryRequest {
  /** Stable over every attempt and replay: the target's idempotency key or message id where it takes one. */
  readonly deliveryId: string;
  readonly attempt: number;
  readonly connection: Connection;
  readonly secrets: Secrets;
  /** The secrets before a rotation, while they are still valid (webhooks sign with both). */
  readonly previousSecrets?: Secrets;
  readonly action: DeliveryAction;
  readonly source: DeliverySource;
  readonly content: DeliveryContent;
  /** Aborted when the attempt's time is up. */
  readonly signal: AbortSignal;
  readonly now: Date;
}

export type AttemptResult =
  | { readonly ok: true; readonly statusCode?: number; readonly externalId?: string }
  | {
      readonly ok: false;
      readonly errorKind: DeliveryErrorKind;
      readonly statusCode?: number;
      /** What the target said, short; may quote personal data (it is stored encrypted). */
      readonly error: string;
      /** False when trying again cannot help (bad credentials, a refused URL, a payload over the limit). */
      readonly retryable: boolean;
      /** The target's own Retry-After, in milliseconds from now. */
      readonly retryAfterMs?: number;
    };

export interface TestResult {
  readonly ok: boolean;
  /** For the person who pressed "test": what worked, or what to fix ("the token was refused (401)"). */
  readonly message: string;
  readonly statusCode?: number;
}

/** A contact record in a CRM, as the AI's caller-history tool and the agent workspace show it. */
export interface CrmRecord {
  readonly system: ConnectionKind;
  readonly id: string;
  readonly name?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly company?: string;
  /** Where a person opens the record in the CRM. */
  readonly url?: string;
  /** The latest activities the CRM holds (calls, notes), newest first, at most five. */
  readonly recent: readonly { readonly at?: string; readonly text: string }[];
}

/** One outside system's wire format: the integration port. Each adapter serves one or more kinds. */
export interface IntegrationTarget {
  readonly kinds: readonly ConnectionKind[];
  /** The actions it can take; the engine schedules only these for its kinds. */
  readonly actions: readonly DeliveryAction[];
  deliver(request: DeliveryRequest): Promise<AttemptResult>;
  /** Checks the connection's credentials with a harmless request. */
  test(connection: Connection, secrets: Secrets, signal: AbortSignal): Promise<TestResult>;
  /** CRMs: the contact with this number, if any. */
  lookupContact?(
    connection: Connection,
    secrets: Secrets,
    phone: string,
    signal: AbortSignal,
  ): Promise<CrmRecord | undefined>;
}
