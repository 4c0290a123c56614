import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { E164, Email, EntityId, IsoDateTime, Name, SingleLine, TenantId } from './primitives.js';

/**
 * Integrations: a tenant's connections to systems outside the platform (`connection-<tenant>.<connectionId>`)
 * and the deliveries made to them from the event log (`delivery-<tenant>.<deliveryId>`).
 *
 * A connection's secrets travel in the command in clear and are sealed by the event store on the way in
 * (SECRET_FIELDS, with a key of the tenant's): the log, Kafka and the read store only ever hold ciphertext, no
 * API returns them, and only the delivery engine and the media gateway open them, at the moment they call out.
 * Deliveries are in delivery.ts.
 */
const connectionCategory = 'connection';

export const CONNECTION_KINDS = [
  'webhook',
  'slack',
  'telegram',
  'email',
  'sms',
  'whatsapp',
  'hubspot',
  'salesforce',
  'zoho',
  'zendesk',
  'freshdesk',
  'twilio',
  'openai',
  'anthropic',
  'openai_compatible',
  'google_speech',
] as const;
export const ConnectionKind = z.enum(CONNECTION_KINDS);
export type ConnectionKind = z.infer<typeof ConnectionKind>;

/** What a connection is for: the delivery engine serves the first four groups, the media gateway the last. */
export const CONNECTION_GROUPS = {
  webhook: 'events',
  slack: 'notify',
  telegram: 'notify',
  email: 'notify',
  sms: 'notify',
  whatsapp: 'notify',
  hubspot: 'crm',
  salesforce: 'crm',
  zoho: 'crm',
  zendesk: 'helpdesk',
  freshdesk: 'helpdesk',
  twilio: 'provider',
  openai: 'provider',
  anthropic: 'provider',
  openai_compatible: 'provider',
  google_speech: 'provider',
} as const satisfies Record<ConnectionKind, string>;
export type ConnectionGroup = (typeof CONNECTION_GROUPS)[ConnectionKind];

/** Events a notification connection may be told about. */
export const NOTIFICATION_TOPICS = [
  'escalation_waiting',
  'sla_breach',
  'usage_cap',
  'negative_sentiment',
  'voicemail',
  'ticket_opened',
  'message_taken',
  'payment_failed',
] as const;
export const NotificationTopic = z.enum(NOTIFICATION_TOPICS);
export type NotificationTopic = z.infer<typeof NotificationTopic>;

/**
 * The topic an event is, if any: a caller waiting in the queue for a person, an SLA breach, a usage cap, an
 * escalation for negative sentiment, a voicemail, a ticket opened, a message taken, a failed payment.
 */
export const topicOf = (event: {
  readonly type: string;
  readonly data: unknown;
}): NotificationTopic | undefined => {
  switch (event.type) {
    case 'CallQueued':
      return 'escalation_waiting';
    case 'SlaBreached':
      return 'sla_breach';
    case 'UsageCapReached':
      return 'usage_cap';
    case 'EscalationRequested':
      return (event.data as { reason?: unknown } | null)?.reason === 'negative_sentiment'
        ? 'negative_sentiment'
        : undefined;
    case 'VoicemailLeft':
      return 'voicemail';
    case 'TicketOpened':
      return 'ticket_opened';
    case 'MessageTaken':
      return 'message_taken';
    case 'PaymentFailed':
      return 'payment_failed';
    default:
      return undefined;
  }
};

const HttpUrl = z.url({ protocol: /^https?$/ }).max(2000);
/**
 * The tenant's events a notification channel is told of. None is a channel that alert rules alone use (they name
 * their channels themselves): the platform's own channels, whose pseudo-tenant has no such events, are all so.
 */
const Topics = z.array(NotificationTopic).max(NOTIFICATION_TOPICS.length);
/** An event type name of the catalog ("CallEnded"), or "*" for every event of the tenant. */
const EventTypeName = z.string().regex(/^(\*|[A-Z][A-Za-z]{2,80})$/, 'an event type like CallEnded, or *');
const Token = z.string().trim().min(8).max(4000);

/** Settings of each kind: nothing here is secret, and every API may show it. */
export const ConnectionSettings = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('webhook'),
    url: HttpUrl,
    eventTypes: z.array(EventTypeName).min(1).max(100),
  }),
  z.object({
    kind: z.literal('slack'),
    /** An incoming webhook (its URL is the secret) or a bot token with chat.postMessage to a channel. */
    mode: z.enum(['incoming_webhook', 'bot']),
    channel: SingleLine(80).optional(),
    topics: Topics,
  }),
  z.object({
    kind: z.literal('telegram'),
    chatId: z.string().regex(/^-?\d{1,20}$|^@\w{5,32}$/),
    topics: Topics,
  }),
  z.object({ kind: z.literal('email'), to: z.array(Email).min(1).max(20), topics: Topics }),
  /**
   * SMS and WhatsApp go out through the platform's messaging from a number of the tenant (`from`), as its
   * appointment reminders do; without one there is nothing to send from. The messaging worker sends only from
   * the tenant's own numbers (ownsNumber), so naming another's number gets the message abandoned, not sent.
   */
  z.object({
    kind: z.literal('sms'),
    to: z.array(E164).min(1).max(10),
    from: E164.optional(),
    topics: Topics,
  }),
  z.object({
    kind: z.literal('whatsapp'),
    to: z.array(E164).min(1).max(10),
    from: E164.optional(),
    topics: Topics,
  }),
  z.object({ kind: z.literal('hubspot') }),
  z.object({ kind: z.literal('salesforce'), instanceUrl: HttpUrl }),
  /** The API domain of the tenant's Zoho data centre (https://www.zohoapis.com, .eu, .in, …). */
  z.object({ kind: z.literal('zoho'), apiDomain: HttpUrl }),
  z.object({
    kind: z.literal('zendesk'),
    subdomain: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'the part before .zendesk.com'),
    email: Email,
  }),
  z.object({
    kind: z.literal('freshdesk'),
    domain: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'the part before .freshdesk.com'),
  }),
  z.object({
    kind: z.literal('twilio'),
    accountSid: z.string().regex(/^AC[0-9a-f]{32}$/, 'an account SID is AC followed by 32 hex digits'),
  }),
  z.object({ kind: z.literal('openai'), model: SingleLine(100).optional() }),
  z.object({ kind: z.literal('anthropic'), model: SingleLine(100).optional() }),
  z.object({ kind: z.literal('openai_compatible'), baseUrl: HttpUrl, model: SingleLine(100) }),
  z.object({ kind: z.literal('google_speech') }),
]);
export type ConnectionSettings = z.infer<typeof ConnectionSettings>;
export type SettingsOf<K extends ConnectionKind> = Extract<ConnectionSettings, { kind: K }>;

/** The named secrets each kind needs (and may have); only these names are accepted. */
export const SECRET_NAMES = {
  webhook: { required: ['signingSecret'], optional: [] },
  slack: { required: [], optional: ['webhookUrl', 'botToken'] },
  telegram: { required: ['botToken'], optional: [] },
  email: { required: [], optional: [] },
  sms: { required: [], optional: [] },
  whatsapp: { required: [], optional: [] },
  hubspot: { required: ['accessToken'], optional: [] },
  salesforce: { required: ['accessToken'], optional: [] },
  zoho: { required: ['accessToken'], optional: [] },
  zendesk: { required: ['apiToken', 'webhookSecret'], optional: [] },
  freshdesk: { required: ['apiKey', 'webhookSecret'], optional: [] },
  twilio: { required: ['authToken'], optional: [] },
  openai: { required: ['apiKey'], optional: [] },
  anthropic: { required: ['apiKey'], optional: [] },
  openai_compatible: { required: [], optional: ['apiKey'] },
  google_speech: { required: ['serviceAccountJson'], optional: [] },
} as const satisfies Record<ConnectionKind, { required: readonly string[]; optional: readonly string[] }>;

/** Standard Webhooks secrets: `whsec_` and the base64 of 24 to 64 random bytes. */
export const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

/** Secrets by name, in clear as a command carries them. */
export const ConnectionSecrets = z.record(z.string().regex(/^[a-zA-Z]{2,40}$/), Token);
export type ConnectionSecrets = z.infer<typeof ConnectionSecrets>;
/** As the log holds them: sealed by the event store (`secret:v1:…`), or in clear on their way in. */
const StoredSecrets = z.union([z.string().startsWith('secret:v1:'), ConnectionSecrets]);

/**
 * The secrets a kind needs, and only those; a Slack connection needs the one its mode uses, a webhook a
 * `whsec_` signing secret. Issues are reported on the secret's own name, never with its value.
 */
export const secretsProblem = (
  settings: ConnectionSettings,
  secrets: ConnectionSecrets,
): { readonly field: string; readonly message: string } | undefined => {
  const names = SECRET_NAMES[settings.kind];
  const allowed: readonly string[] = [...names.required, ...names.optional];
  for (const name of Object.keys(secrets))
    if (!allowed.includes(name))
      return {
        field: `secrets.${name}`,
        message: `a ${settings.kind} connection has no secret called ${name}`,
      };
  const required: string[] = [...names.required];
  if (settings.kind === 'slack') required.push(settings.mode === 'bot' ? 'botToken' : 'webhookUrl');
  for (const name of required)
    if (secrets[name] === undefined)
      return { field: `secrets.${name}`, message: `a ${settings.kind} connection needs ${name}` };
  if (settings.kind === 'webhook' && !WEBHOOK_SECRET.test(secrets.signingSecret ?? ''))
    return {
      field: 'secrets.signingSecret',
      message: 'a signing secret is whsec_ and base64 of 24-64 bytes',
    };
  if (settings.kind === 'slack' && settings.mode === 'bot' && settings.channel === undefined)
    return { field: 'settings.channel', message: 'a Slack bot posts to a channel: name it' };
  return undefined;
};

/** How secrets are shown once stored: the last four characters of each, never more. */
export const SecretHints = z.record(z.string(), z.string().max(8));
export const hintsOf = (secrets: ConnectionSecrets): Record<string, string> =>
  Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, `…${value.slice(-4)}`]));

const connectionKey = { tenantId: TenantId, connectionId: EntityId };

export const CreateConnection = defineCommand(
  connectionCategory,
  'CreateConnection',
  z.object({
    ...connectionKey,
    name: Name,
    settings: ConnectionSettings,
    secrets: ConnectionSecrets.prefault({}),
  }),
  'Connect the tenant to an outside system (webhook endpoint, CRM, helpdesk, chat, or its own provider account); the secrets are sealed and never shown again.',
);
export const UpdateConnection = defineCommand(
  connectionCategory,
  'UpdateConnection',
  z
    .object({ ...connectionKey, name: Name.optional(), settings: ConnectionSettings.optional() })
    .refine((c) => c.name !== undefined || c.settings !== undefined, {
      message: 'say what changes: name or settings',
      path: ['name'],
    }),
  'Rename a connection or change its settings (same kind); its secrets stay as they are.',
);
export const RotateConnectionSecrets = defineCommand(
  connectionCategory,
  'RotateConnectionSecrets',
  z.object({
    ...connectionKey,
    secrets: ConnectionSecrets,
    /** How long the previous secrets stay in use beside the new ones (webhooks sign with both meanwhile). */
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(0),
  }),
  'Replace a connection’s secrets; a webhook keeps signing with the previous secret as well for the overlap.',
);
export const EnableConnection = defineCommand(
  connectionCategory,
  'EnableConnection',
  z.object(connectionKey),
  'Turn a disabled connection back on: deliveries resume from events after this moment.',
);
export const DisableConnection = defineCommand(
  connectionCategory,
  'DisableConnection',
  z.object(connectionKey),
  'Turn a connection off: nothing more is delivered to it and its pending deliveries are cancelled.',
);
export const RemoveConnection = defineCommand(
  connectionCategory,
  'RemoveConnection',
  z.object(connectionKey),
  'Disconnect for good: pending deliveries are cancelled and the secrets can no longer be opened.',
);
export const RecordConnectionTest = defineCommand(
  connectionCategory,
  'RecordConnectionTest',
  z.object({
    ...connectionKey,
    ok: z.boolean(),
    message: z.string().trim().min(1).max(500),
    statusCode: z.number().int().min(100).max(599).optional(),
    latencyMs: z.number().nonnegative(),
  }),
  'Internal: the result of testing a connection with its stored secrets.',
);

const StoredSettings = ConnectionSettings;
export const ConnectionCreated = defineEvent(
  connectionCategory,
  'ConnectionCreated',
  1,
  z.object({ name: Name, settings: StoredSettings, secrets: StoredSecrets, secretHints: SecretHints }),
);
export const ConnectionUpdated = defineEvent(
  connectionCategory,
  'ConnectionUpdated',
  1,
  z.object({ name: Name.optional(), settings: StoredSettings.optional() }),
);
export const ConnectionSecretsRotated = defineEvent(
  connectionCategory,
  'ConnectionSecretsRotated',
  1,
  z.object({
    secrets: StoredSecrets,
    secretHints: SecretHints,
    /** Until when the previous secrets are still used beside these; absent when they stopped at once. */
    previousValidUntil: IsoDateTime.optional(),
  }),
);
export const ConnectionEnabled = defineEvent(connectionCategory, 'ConnectionEnabled', 1, z.object({}));
export const ConnectionDisabled = defineEvent(connectionCategory, 'ConnectionDisabled', 1, z.object({}));
export const ConnectionRemoved = defineEvent(connectionCategory, 'ConnectionRemoved', 1, z.object({}));
export const ConnectionTested = defineEvent(
  connectionCategory,
  'ConnectionTested',
  1,
  z.object({
    ok: z.boolean(),
    message: z.string(),
    statusCode: z.number().int().optional(),
    latencyMs: z.number().nonnegative(),
  }),
);

export const connectionCommands = [
  CreateConnection,
  UpdateConnection,
  RotateConnectionSecrets,
  EnableConnection,
  DisableConnection,
  RemoveConnection,
  RecordConnectionTest,
] as const;
export const connectionEvents = [
  ConnectionCreated,
  ConnectionUpdated,
  ConnectionSecretsRotated,
  ConnectionEnabled,
  ConnectionDisabled,
  ConnectionRemoved,
  ConnectionTested,
] as const;
