import {
  ConnectionSecrets,
  parseStreamName,
  type ConnectionKind,
  type ConnectionSettings,
  type EventEnvelope,
  type SettingsOf,
} from '@ccp/schemas';
import { openSecret, subjectOf, type SubjectKeys } from '@ccp/command-service';

/** A tenant's connection as the media gateway holds it: settings in clear, secrets still sealed. */
export interface Connection {
  readonly tenantId: string;
  readonly connectionId: string;
  /** The connection's stream, the subject its secrets are sealed for. */
  readonly streamId: string;
  readonly kind: ConnectionKind;
  readonly name: string;
  readonly settings: ConnectionSettings;
  readonly enabled: boolean;
  /** Changes with every event of the connection: a client cached for an older version is stale. */
  readonly version: number;
  readonly sealedSecrets: string;
  /** The secrets before the last rotation, still used until `previousValidUntil`. */
  readonly previous?: { readonly sealedSecrets: string; readonly validUntil: Date };
}

export type ConnectionOf<K extends ConnectionKind> = Connection & { readonly settings: SettingsOf<K> };

/** Opened secrets of a connection; undefined when they cannot be opened (the connection's key was erased). */
export type Secrets = Readonly<Record<string, string>>;

const sealedOf = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * Every tenant's connections folded from the log (connection-* streams). Secrets stay sealed here and are opened
 * only by `secretsOf`, at the moment a caller needs them: nothing keeps them in clear.
 */
export class ConnectionsView {
  private readonly byTenant = new Map<string, Map<string, Connection>>();
  private changes = 0;

  constructor(private readonly keys: SubjectKeys) {}

  static folds(streamId: string): boolean {
    return streamId.startsWith('connection-');
  }

  apply(event: EventEnvelope): void {
    if (!ConnectionsView.folds(event.streamId)) return;
    const parts = parseStreamName(event.streamId);
    if (!parts) return;
    const { tenantId, id: connectionId } = parts;
    const connections = this.byTenant.get(tenantId) ?? new Map<string, Connection>();
    this.byTenant.set(tenantId, connections);
    const current = connections.get(connectionId);
    const version = ++this.changes;
    switch (event.type) {
      case 'ConnectionCreated': {
        const data = event.data as { name: string; settings: ConnectionSettings; secrets: unknown };
        connections.set(connectionId, {
          tenantId,
          connectionId,
          streamId: event.streamId,
          kind: data.settings.kind,
          name: data.name,
          settings: data.settings,
          enabled: true,
          version,
          sealedSecrets: sealedOf(data.secrets),
        });
        return;
      }
      case 'ConnectionUpdated': {
        if (!current) return;
        const data = event.data as { name?: string; settings?: ConnectionSettings };
        connections.set(connectionId, {
          ...current,
          ...(data.name !== undefined && { name: data.name }),
          ...(data.settings !== undefined && { settings: data.settings }),
          version,
        });
        return;
      }
      case 'ConnectionSecretsRotated': {
        if (!current) return;
        const data = event.data as { secrets: unknown; previousValidUntil?: string };
        const { previous: _dropped, ...rest } = current;
        connections.set(connectionId, {
          ...rest,
          sealedSecrets: sealedOf(data.secrets),
          ...(data.previousValidUntil !== undefined && {
            previous: { sealedSecrets: current.sealedSecrets, validUntil: new Date(data.previousValidUntil) },
          }),
          version,
        });
        return;
      }
      case 'ConnectionEnabled':
      case 'ConnectionDisabled':
        if (current)
          connections.set(connectionId, { ...current, enabled: event.type === 'ConnectionEnabled', version });
        return;
      case 'ConnectionRemoved':
        connections.delete(connectionId);
        return;
    }
  }

  connection(tenantId: string, connectionId: string): Connection | undefined {
    return this.byTenant.get(tenantId)?.get(connectionId);
  }

  /** The tenant's connections (removed ones are gone), enabled or not. */
  connections(tenantId: string): Connection[] {
    return [...(this.byTenant.get(tenantId)?.values() ?? [])];
  }

  /** The tenant's enabled connections of one kind, oldest first. */
  enabled<K extends ConnectionKind>(tenantId: string, kind: K): ConnectionOf<K>[] {
    return this.connections(tenantId).filter((c): c is ConnectionOf<K> => c.enabled && c.kind === kind);
  }

  /** Every tenant's enabled connections of a kind (a Twilio account SID names its tenant). */
  allEnabled<K extends ConnectionKind>(kind: K): ConnectionOf<K>[] {
    return [...this.byTenant.keys()].flatMap((tenantId) => this.enabled(tenantId, kind));
  }

  /** Whether the connection's secrets can still be opened (its key, or its tenant's, was not erased). */
  secretsAvailable(connection: Connection): boolean {
    return this.keys.existingKey(subjectOf(connection.tenantId, connection.streamId)) !== undefined;
  }

  /** The connection's current secrets, opened; undefined once its key was erased. */
  secretsOf(connection: Connection): Secrets | undefined {
    return this.open(connection, connection.sealedSecrets);
  }

  /** The secrets before the last rotation while they are still valid at `now` (webhooks sign with both). */
  previousSecretsOf(connection: Connection, now: Date): Secrets | undefined {
    const previous = connection.previous;
    return previous && previous.validUntil > now ? this.open(connection, previous.sealedSecrets) : undefined;
  }

  private open(connection: Connection, sealed: string): Secrets | undefined {
    const opened = openSecret(this.keys, connection.tenantId, connection.streamId, sealed);
    const parsed = ConnectionSecrets.safeParse(opened);
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * Erases the key a removed connection's secrets were sealed with: what was stored can no longer be opened by
   * anyone, whatever copy of the log they hold. Idempotent.
   */
  eraseSecretsOf(tenantId: string, streamId: string): void {
    this.keys.erase(subjectOf(tenantId, streamId));
  }
}
