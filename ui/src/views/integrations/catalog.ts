/**
 * The kinds of connection the console offers, as schemas/src/integration.ts defines them (CONNECTION_KINDS,
 * CONNECTION_GROUPS, SECRET_NAMES, NOTIFICATION_TOPICS). The console does not import @ccp/schemas (it would
 * bring zod and the server's catalog into the bundle), so this table mirrors it; the API checks every value.
 */
export const CONNECTION_GROUPS = ['events', 'notify', 'crm', 'helpdesk', 'provider'] as const;
export type ConnectionGroup = (typeof CONNECTION_GROUPS)[number];

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
export type NotificationTopic = (typeof NOTIFICATION_TOPICS)[number];

/** Event types a webhook commonly wants; "*" is every event of the tenant. */
export const COMMON_EVENT_TYPES = [
  '*',
  'CallStarted',
  'CallEnded',
  'CallQueued',
  'EscalationRequested',
  'VoicemailLeft',
  'TicketOpened',
  'MessageTaken',
  'AppointmentBooked',
] as const;

export const ZOHO_DOMAINS = [
  'https://www.zohoapis.com',
  'https://www.zohoapis.eu',
  'https://www.zohoapis.in',
  'https://www.zohoapis.com.au',
  'https://www.zohoapis.jp',
  'https://www.zohoapis.ca',
] as const;

/**
 * A settings field: text (a single line), list (one value a line, sent as an array), select (from `options`),
 * topics (notification topics as checkboxes), eventTypes (common event types as checkboxes plus a free list).
 */
export interface SettingField {
  readonly name: string;
  readonly type: 'text' | 'url' | 'list' | 'select' | 'topics' | 'eventTypes';
  readonly optional?: boolean;
  readonly options?: readonly string[];
}
/** A secret: a password input, never prefilled; `multiline` for a service account's JSON. */
export interface SecretField {
  readonly name: string;
  readonly optional?: boolean;
  readonly multiline?: boolean;
  /** The gateway makes one when none is given (a webhook's signing secret). */
  readonly generated?: boolean;
}
export interface KindSpec {
  readonly group: ConnectionGroup;
  readonly settings: readonly SettingField[];
  readonly secrets: readonly SecretField[];
}

const topics: SettingField = { name: 'topics', type: 'topics' };

export const KINDS = {
  webhook: {
    group: 'events',
    settings: [
      { name: 'url', type: 'url' },
      { name: 'eventTypes', type: 'eventTypes' },
    ],
    secrets: [{ name: 'signingSecret', optional: true, generated: true }],
  },
  slack: {
    group: 'notify',
    settings: [
      { name: 'mode', type: 'select', options: ['incoming_webhook', 'bot'] },
      { name: 'channel', type: 'text', optional: true },
      topics,
    ],
    secrets: [
      { name: 'webhookUrl', optional: true },
      { name: 'botToken', optional: true },
    ],
  },
  telegram: {
    group: 'notify',
    settings: [{ name: 'chatId', type: 'text' }, topics],
    secrets: [{ name: 'botToken' }],
  },
  email: { group: 'notify', settings: [{ name: 'to', type: 'list' }, topics], secrets: [] },
  sms: { group: 'notify', settings: [{ name: 'to', type: 'list' }, topics], secrets: [] },
  whatsapp: { group: 'notify', settings: [{ name: 'to', type: 'list' }, topics], secrets: [] },
  hubspot: { group: 'crm', settings: [], secrets: [{ name: 'accessToken' }] },
  salesforce: {
    group: 'crm',
    settings: [{ name: 'instanceUrl', type: 'url' }],
    secrets: [{ name: 'accessToken' }],
  },
  zoho: {
    group: 'crm',
    settings: [{ name: 'apiDomain', type: 'select', options: ZOHO_DOMAINS }],
    secrets: [{ name: 'accessToken' }],
  },
  zendesk: {
    group: 'helpdesk',
    settings: [
      { name: 'subdomain', type: 'text' },
      { name: 'email', type: 'text' },
    ],
    secrets: [{ name: 'apiToken' }, { name: 'webhookSecret' }],
  },
  freshdesk: {
    group: 'helpdesk',
    settings: [{ name: 'domain', type: 'text' }],
    secrets: [{ name: 'apiKey' }, { name: 'webhookSecret' }],
  },
  twilio: {
    group: 'provider',
    settings: [{ name: 'accountSid', type: 'text' }],
    secrets: [{ name: 'authToken' }],
  },
  openai: {
    group: 'provider',
    settings: [{ name: 'model', type: 'text', optional: true }],
    secrets: [{ name: 'apiKey' }],
  },
  anthropic: {
    group: 'provider',
    settings: [{ name: 'model', type: 'text', optional: true }],
    secrets: [{ name: 'apiKey' }],
  },
  openai_compatible: {
    group: 'provider',
    settings: [
      { name: 'baseUrl', type: 'url' },
      { name: 'model', type: 'text' },
    ],
    secrets: [{ name: 'apiKey', optional: true }],
  },
  google_speech: {
    group: 'provider',
    settings: [],
    secrets: [{ name: 'serviceAccountJson', multiline: true }],
  },
} as const satisfies Record<string, KindSpec>;

export type ConnectionKind = keyof typeof KINDS;
export const CONNECTION_KINDS = Object.keys(KINDS) as ConnectionKind[];
export const isKind = (kind: string): kind is ConnectionKind => kind in KINDS;
export const specOf = (kind: string): KindSpec | undefined => (isKind(kind) ? KINDS[kind] : undefined);

/** Kinds whose connections are told about notification topics (the rules matrix). */
export const NOTIFY_KINDS = CONNECTION_KINDS.filter((kind) => KINDS[kind].group === 'notify');

/** The form's text for a field of settings (lists one value a line; topics and event types as chosen sets). */
export type Draft = Record<string, string | string[]>;

const lines = (text: string): string[] =>
  text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter((line) => line !== '');

/** The settings the API wants from the form's draft: empty optional fields left out, lists as arrays. */
export const settingsOf = (kind: ConnectionKind, draft: Draft): Record<string, unknown> => {
  const settings: Record<string, unknown> = { kind };
  for (const field of KINDS[kind].settings as readonly SettingField[]) {
    const value = draft[field.name];
    if (field.type === 'topics' || field.type === 'eventTypes') {
      const chosen = Array.isArray(value) ? value : [];
      const extra = field.type === 'eventTypes' ? lines(String(draft.eventTypesOther ?? '')) : [];
      settings[field.name] = [...new Set([...chosen, ...extra])];
    } else if (field.type === 'list') {
      settings[field.name] = lines(typeof value === 'string' ? value : '');
    } else {
      const text = typeof value === 'string' ? value.trim() : '';
      if (text !== '' || field.optional !== true) settings[field.name] = text;
    }
  }
  return settings;
};

/** The draft of stored settings, for editing. */
export const draftOf = (kind: ConnectionKind, settings: Readonly<Record<string, unknown>>): Draft => {
  const draft: Draft = {};
  for (const field of KINDS[kind].settings as readonly SettingField[]) {
    const value = settings[field.name];
    if (field.type === 'topics') draft[field.name] = Array.isArray(value) ? value.map(String) : [];
    else if (field.type === 'eventTypes') {
      const all = Array.isArray(value) ? value.map(String) : [];
      const common: readonly string[] = COMMON_EVENT_TYPES;
      draft[field.name] = all.filter((v) => common.includes(v));
      draft.eventTypesOther = all.filter((v) => !common.includes(v)).join('\n');
    } else if (field.type === 'list') draft[field.name] = Array.isArray(value) ? value.join('\n') : '';
    else if (field.type === 'select')
      draft[field.name] = typeof value === 'string' ? value : (field.options?.[0] ?? '');
    else draft[field.name] = typeof value === 'string' ? value : '';
  }
  return draft;
};

/** The secrets typed in, leaving out the empty ones (the gateway generates or refuses as the kind says). */
export const secretsOf = (values: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(values).filter(([, value]) => value.trim() !== ''));
