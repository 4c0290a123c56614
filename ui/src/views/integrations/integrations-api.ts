import { ApiError, getJson, postJson } from '../../api/client';
import { command } from '../../api/admin';
import { readTenant } from '../../api/platform-admin';

/**
 * The integrations routes (common contract): connections are created, rotated and tested through the media
 * gateway (it holds the secrets), read through the query API, and updated, switched, removed and replayed
 * through the generic command API. A super admin names the tenant (`tenantId`: 'platform' for the platform's own
 * alert channels); anyone else acts on their own tenant, which the routes take from the credential.
 */
export interface ConnectionTest {
  readonly ok: boolean;
  readonly message: string;
  readonly statusCode?: number;
  readonly latencyMs: number;
}

export interface ConnectionRow {
  readonly connectionId: string;
  readonly kind: string;
  readonly group: string;
  readonly name: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly enabled: boolean;
  readonly secretHints: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly secretsRotatedAt?: string;
  readonly previousValidUntil?: string;
  readonly lastTest?: ConnectionTest & { readonly at: string };
  readonly deliveries: {
    readonly pending: number;
    readonly delivered: number;
    readonly deadLetter: number;
    readonly cancelled: number;
  };
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead_letter', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryRow {
  readonly deliveryId: string;
  readonly connectionId: string;
  readonly kind: string;
  readonly action: string;
  readonly sourceEventType: string;
  readonly sourceEventId: string;
  readonly sourceStreamId: string;
  readonly scheduledAt: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastStatusCode?: number;
  readonly lastErrorKind?: string;
  readonly lastLatencyMs?: number;
  readonly nextAttemptAt?: string;
  readonly deliveredAt?: string;
  readonly externalId?: string;
  readonly updatedAt: string;
}

export interface DeliveryAttempt {
  readonly attempt: number;
  readonly at: string;
  readonly outcome: 'delivered' | 'failed';
  readonly statusCode?: number;
  readonly latencyMs: number;
  readonly errorKind?: string;
  readonly error?: string;
  readonly retryAt?: string;
}

export type DeliveryDetail = Omit<DeliveryRow, 'attempts'> & {
  readonly attempts: readonly DeliveryAttempt[];
  readonly events: readonly { readonly type: string; readonly at: string }[];
};

export interface DeliveryQuery {
  readonly connectionId?: string;
  readonly status?: DeliveryStatus;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface DeliveryPage {
  readonly items: readonly DeliveryRow[];
  readonly nextCursor?: string | null;
}

export interface Created {
  readonly connectionId: string;
  readonly generatedSecrets?: { readonly signingSecret?: string };
}
export interface Rotated extends Created {
  readonly previousValidUntil?: string;
}

const answered = <T>(value: T | undefined): T => {
  if (value === undefined) throw new ApiError(500, 'EMPTY_ANSWER', 'the platform answered nothing');
  return value;
};
const seg = encodeURIComponent;
/** The tenant named in a query or a body, when one is named. */
const named = (tenantId: string | undefined) => (tenantId === undefined ? {} : { tenantId });

export const integrationsApi = {
  /** The console's own tenant's (a super admin's selected one), or, named, another's: 'platform'. */
  connections: async (tenantId?: string): Promise<readonly ConnectionRow[]> =>
    (tenantId === undefined
      ? await getJson<{ connections: ConnectionRow[] }>('/api/integrations/connections')
      : await readTenant<{ connections: ConnectionRow[] }>('/api/integrations/connections', tenantId)
    ).connections,
  deliveries: async (query: DeliveryQuery, signal?: AbortSignal): Promise<DeliveryPage> => {
    const page = await getJson<{ deliveries: DeliveryRow[]; nextCursor?: string }>(
      '/api/integrations/deliveries',
      query,
      signal,
    );
    return { items: page.deliveries, nextCursor: page.nextCursor ?? null };
  },
  delivery: (deliveryId: string): Promise<DeliveryDetail> =>
    getJson<DeliveryDetail>(`/api/integrations/deliveries/${seg(deliveryId)}`),
  create: async (body: {
    tenantId?: string;
    name: string;
    settings: Record<string, unknown>;
    secrets: Record<string, string>;
  }): Promise<Created> => answered(await postJson<Created>('/api/integrations/connections', body)),
  rotate: async (
    connectionId: string,
    body: { tenantId?: string; secrets?: Record<string, string>; overlapSeconds?: number },
  ): Promise<Rotated> =>
    answered(await postJson<Rotated>(`/api/integrations/connections/${seg(connectionId)}/rotate`, body)),
  test: async (connectionId: string, tenantId?: string): Promise<ConnectionTest> =>
    answered(
      await postJson<ConnectionTest>(
        `/api/integrations/connections/${seg(connectionId)}/test`,
        named(tenantId),
      ),
    ),
  update: (tenantId: string, connectionId: string, change: { name?: string; settings?: object }) =>
    command('UpdateConnection', { tenantId, connectionId, ...change }),
  enable: (tenantId: string, connectionId: string) => command('EnableConnection', { tenantId, connectionId }),
  disable: (tenantId: string, connectionId: string) =>
    command('DisableConnection', { tenantId, connectionId }),
  remove: (tenantId: string, connectionId: string) => command('RemoveConnection', { tenantId, connectionId }),
  replay: (tenantId: string, deliveryId: string) => command('ReplayDelivery', { tenantId, deliveryId }),
};
