import type { MessageSender } from '../messaging/port.js';
import type { Carrier } from '../telephony/carrier.js';
import type { ConnectionOf } from './connections.js';
import type { LiveConnections } from './live-connections.js';

/** A tenant's own Twilio account, from its enabled `twilio` connection. */
export interface TenantTwilioAccount {
  readonly tenantId: string;
  readonly connectionId: string;
  /** The connection's version: a client made for an older one is stale. */
  readonly version: number;
  readonly accountSid: string;
  readonly authToken: string;
}

/** Which Twilio account a request or a tenant's call goes through: the tenant's own, else the platform's. */
export interface TenantTwilio {
  /**
   * The tenants whose own account has this SID (never the platform's SID); none: the platform's account. More
   * than one only when a tenant typed another's SID: the signature tells which of them Twilio signed for.
   */
  byAccountSid(accountSid: string): Promise<readonly TenantTwilioAccount[]>;
  /**
   * The tenants' own accounts with this SID as last caught up, without catching up: for the Media Streams
   * upgrade, which cannot wait (the call's voice webhook caught up moments before). Only those are opened, so an
   * unauthenticated upgrade costs no other tenant's token.
   */
  knownAccounts(accountSid: string): readonly TenantTwilioAccount[];
  /** The tenant's own account, when it has an enabled one whose token opens. */
  accountOf(tenantId: string): Promise<TenantTwilioAccount | undefined>;
  /** The tenant's own carrier, cached per connection version; undefined: the platform's. */
  carrierOf(tenantId: string): Promise<Carrier | undefined>;
  /** The tenant's own SMS and WhatsApp sender, cached likewise; undefined: the platform's. */
  senderOf(tenantId: string): Promise<MessageSender | undefined>;
}

/**
 * Reads the live connections on every use (a catch-up reads only what was appended since the last one), so a
 * disabled or removed connection sends the tenant back to the platform's account on the next request.
 */
export const tenantTwilio = (deps: {
  readonly connections: LiveConnections;
  /** The platform's own account SID: a connection naming it never takes the platform's webhooks over. */
  readonly platformAccountSid: string;
  /** Makes a carrier on a tenant's credentials (same API base URL as the platform's). */
  readonly carrierFor: (account: { accountSid: string; authToken: string }) => Carrier;
  /** Makes a messages sender on a tenant's credentials. */
  readonly senderFor: (account: { accountSid: string; authToken: string }) => MessageSender;
}): TenantTwilio => {
  const { connections } = deps;
  const carriers = perVersion((account: TenantTwilioAccount) => deps.carrierFor(account));
  const senders = perVersion((account: TenantTwilioAccount) => deps.senderFor(account));

  // Opened once per connection version (a rotation, a disable or a removal makes a new one): a webhook or an
  // upgrade does not decrypt the token again, and a removed connection is never looked up (it is not enabled).
  const tokens = perVersion(
    (connection: ConnectionOf<'twilio'>) => connections.view.secretsOf(connection)?.['authToken'],
  );
  const openedOf = (connection: ConnectionOf<'twilio'> | undefined): TenantTwilioAccount | undefined => {
    if (!connection || connection.settings.accountSid === deps.platformAccountSid) return undefined;
    // Kept open per version, but never past an erasure (of the tenant) that no connection event announced.
    if (!connections.view.secretsAvailable(connection)) return undefined;
    const authToken = tokens(connection);
    if (authToken === undefined) return undefined;
    return {
      tenantId: connection.tenantId,
      connectionId: connection.connectionId,
      version: connection.version,
      accountSid: connection.settings.accountSid,
      authToken,
    };
  };

  // A tenant's calls go through its first (oldest) enabled account.
  const opened = (tenantId: string) => openedOf(connections.view.enabled(tenantId, 'twilio')[0]);
  const accountOf = async (tenantId: string) => {
    await connections.catchUp();
    return opened(tenantId);
  };

  return {
    byAccountSid: async (accountSid) => {
      if (accountSid === deps.platformAccountSid) return [];
      await connections.catchUp();
      return connections.view
        .allEnabled('twilio')
        .filter((c) => c.settings.accountSid === accountSid)
        .flatMap((c) => openedOf(c) ?? []);
    },
    knownAccounts: (accountSid) =>
      connections.view
        .allEnabled('twilio')
        .filter((c) => c.settings.accountSid === accountSid)
        .flatMap((c) => openedOf(c) ?? []),
    accountOf,
    carrierOf: async (tenantId) => {
      const account = await accountOf(tenantId);
      return account && carriers(account);
    },
    senderOf: async (tenantId) => {
      const account = await accountOf(tenantId);
      return account && senders(account);
    },
  };
};

/** A client per connection, made again when the connection changed (a rotated token, a new SID). */
const perVersion = <A extends { tenantId: string; connectionId: string; version: number }, T>(
  make: (account: A) => T,
) => {
  const made = new Map<string, { version: number; client: T }>();
  return (account: A): T => {
    const key = `${account.tenantId}/${account.connectionId}`;
    const cached = made.get(key);
    if (cached?.version === account.version) return cached.client;
    const client = make(account);
    made.set(key, { version: account.version, client });
    return client;
  };
};

/**
 * The carrier the gateway is given: each request goes through the account of the tenant it is for (a call's
 * tenant by its number or its id), the platform's when that tenant has none of its own.
 */
export const tenantRoutedCarrier = (deps: {
  readonly platform: Carrier;
  readonly twilio: TenantTwilio;
  readonly tenantOfNumber: (number: string) => Promise<string | undefined>;
  readonly tenantOfCall: (callId: string) => Promise<string | undefined>;
}): Carrier => {
  const { platform, twilio } = deps;
  const byTenant = async (tenantId: string | undefined): Promise<Carrier> =>
    (tenantId !== undefined ? await twilio.carrierOf(tenantId) : undefined) ?? platform;
  return {
    placeCall: async (request) =>
      (await byTenant(await deps.tenantOfNumber(request.from))).placeCall(request),
    redirect: async (callId, twiml) =>
      (await byTenant(await deps.tenantOfCall(callId))).redirect(callId, twiml),
    hangUp: async (callId) => (await byTenant(await deps.tenantOfCall(callId))).hangUp(callId),
    startRecording: async (callId, statusCallback) =>
      (await byTenant(await deps.tenantOfCall(callId))).startRecording(callId, statusCallback),
    stopRecording: async (callId) => (await byTenant(await deps.tenantOfCall(callId))).stopRecording(callId),
    deleteRecording: async (callId, recordingId) =>
      (await byTenant(await deps.tenantOfCall(callId))).deleteRecording(callId, recordingId),
    findCalls: async (query) => (await byTenant(await deps.tenantOfNumber(query.from))).findCalls(query),
  };
};
