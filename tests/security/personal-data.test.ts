import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeEvent,
  E164,
  ERASED,
  eventDefinitions,
  PERSONAL_ELEMENTS,
  PERSONAL_FIELDS,
  streamName,
  type EventDefinition,
} from '@ccp/schemas';
import { subjectOf } from '@ccp/command-service';
import { DEMO_TENANT } from '@ccp/infra';
import type { apiClient, TestPlatform } from '../support/platform.js';
import { demoUser, startReadSidePlatform } from '../support/read-side.js';

/*
 * Issue 11, item 11: every event field that can hold personal data is encrypted per subject, so erasing the
 * subject reaches it. The audit walks every event schema for free text and addresses; each one found is either
 * listed in PERSONAL_FIELDS or named below as not personal, with the reason.
 */

/**
 * Free-text and address fields that are not personal data, as `Type.path` (arrays as `[]`). Each says why: most
 * are the tenant's own configuration (what its agents say, how its departments are called), written by its
 * staff about the business, not about a caller.
 */
const NOT_PERSONAL: Readonly<Record<string, string>> = {
  // Integrations: the tenant's label for a connection, its credentials (sealed apart as SECRET_FIELDS and never
  // opened on read) and their last four characters, and the platform's own words about a connection test.
  'ConnectionCreated.name': "the tenant's label for a connection",
  'ConnectionUpdated.name': "the tenant's label for a connection",
  'ConnectionCreated.secrets.{}': 'a credential, sealed as a secret (SECRET_FIELDS) and never opened on read',
  'ConnectionSecretsRotated.secrets.{}': 'a credential, sealed as a secret (SECRET_FIELDS)',
  'ConnectionCreated.secretHints.{}': "a credential's last four characters, to recognise it by",
  'ConnectionSecretsRotated.secretHints.{}': "a credential's last four characters, to recognise it by",
  'ConnectionTested.message': "the platform's own words on whether a connection's credentials work",
  'DeliveryScheduled.source.eventId': 'the id of the event delivered',
  'DeliveryScheduled.source.eventType': 'the type of the event delivered',
  'DeliveryScheduled.source.streamId':
    "the stream of the event delivered (entity ids, as in every event's own)",
  'DeliverySucceeded.externalId': 'the id of the record the target made (a ticket, a message)',
  // GDPR erasures: who asked is a member's or API key's id, as in every event's actor; whom the erasure was about
  // is sealed (PERSONAL_FIELDS) and its key erased with it.
  'DataSubjectErased.certificate.requestedBy.id':
    "the id of the member or API key that asked (as an event's actor)",
  // Billing: the business's name on its invoices, the provider's ids and pages, and invoice text the platform
  // writes (plan names, usage quantities, prices) or the provider's decline codes: none is about a person.
  'BillingAccountOpened.companyName': "the business's name on its invoices",
  'BillingContactUpdated.companyName': "the business's name on its invoices",
  'BillingCustomerLinked.customerId': "the payment provider's customer id",
  'SubscriptionRecorded.subscription.subscriptionId': "the payment provider's subscription id",
  'SubscriptionRecorded.source.eventId': "the payment provider's webhook event id",
  'SubscriptionRecorded.source.requestEventId': 'the id of the event that asked for the change',
  'SubscriptionRequestFailed.requestEventId': 'the id of the event that asked for the change',
  'SubscriptionRequestFailed.reason': "the payment provider's refusal, about the request, not a person",
  'InvoiceRecorded.invoice.invoiceId': "the payment provider's invoice id",
  'InvoiceRecorded.invoice.number': 'the invoice number',
  'InvoiceRecorded.invoice.lines.[].description':
    'a line the platform or the provider wrote: plan, usage, price',
  'InvoiceRecorded.invoice.hostedUrl': "the payment provider's invoice page",
  'InvoiceRecorded.invoice.pdfUrl': "the payment provider's invoice PDF",
  'InvoiceRecorded.source.eventId': "the payment provider's webhook event id",
  'InvoiceRecorded.source.requestEventId': 'the id of the event that asked for the change',
  'PaymentReceived.invoiceId': "the payment provider's invoice id",
  'PaymentFailed.invoiceId': "the payment provider's invoice id",
  'PaymentFailed.reason': "the payment provider's decline message, about the card, not a person",
  'DunningStarted.invoiceId': "the payment provider's invoice id",
  'DunningGraceExpired.invoiceId': "the payment provider's invoice id",
  'DunningEnded.invoiceId': "the payment provider's invoice id",
  // Appointment types are the tenant's catalogue; languages, provider ids and statuses are codes.
  'AppointmentScheduled.language': 'a language code',
  'ServiceDefined.name': "the tenant's name for a service",
  'ServiceDefined.description': "the tenant's description of a service",
  'ServiceRevised.name': "the tenant's name for a service",
  'ServiceRevised.description': "the tenant's description of a service",
  'ExternalEventRecorded.externalEventId': 'an id in the external calendar, made by it',
  'MessageScheduled.from': "the tenant's own number",
  'MessageDeliveryStarted.account':
    'the Twilio account SID the message was sent through (the platform’s or the tenant’s)',
  'MessageScheduled.language': 'a language code',
  'MessageCancelled.reason': 'why the platform cancelled it (rescheduled, expired), its own words',
  'MessageSent.providerMessageId': "the provider's id for the message",
  'MessageStatusChanged.detail': "the provider's status code",
  'MessageReceived.to': "the tenant's own number or address",
  'MessageReceived.providerMessageId': "the provider's id for the message",
  // The tenant's configuration of its AI agents, departments, knowledge, scripts and numbers.
  'AgentCreated.name': "an AI agent's name",
  'AgentCreated.systemPrompt': "the tenant's instructions to its agent",
  'AgentCreated.personality.greeting': "an agent's configured greeting: the tenant's text",
  'AgentCreated.personality.traits.[]': "an agent's configured traits",
  'AgentCreated.escalationRules.keywords.[]': 'words that escalate a call, configured by the tenant',
  'DepartmentCreated.name': "a department's name",
  'DepartmentCreated.description': "a department's description",
  'DepartmentCreated.systemPrompt': "the tenant's instructions for a department",
  'ArticleCreated.title': 'a published knowledge article',
  'ArticleCreated.body': 'a published knowledge article',
  'ArticleCreated.tags.[]': "a knowledge article's tags",
  'CallScriptCreated.name': "a call script, the tenant's text",
  'CallScriptCreated.opening': "a call script, the tenant's text",
  'CallScriptCreated.closing': "a call script, the tenant's text",
  'CallScriptCreated.steps.[].prompt': "a call script, the tenant's text",
  'CallScriptCreated.steps.[].expectedIntent': "a call script, the tenant's text",
  'CallScriptCreated.objections.[].objection': "a call script, the tenant's text",
  'CallScriptCreated.objections.[].response': "a call script, the tenant's text",
  'NumberProvisioned.label': "the tenant's label for its number",
  'TenantCreated.name': "the business's name",
  'TenantCreated.settings.systemPrompt': "the tenant's instructions to every agent",
  'TenantCreated.settings.branding.displayName': "the business's display name",
  'TenantCreated.settings.branding.logoUrl': "the business's logo",
  'TenantCreated.settings.ivrMenus.[].greeting': "the IVR menu's greeting: the tenant's text",
  'TenantCreated.settings.ivrMenus.[].options.[].phrases.[]': 'phrases that pick an IVR option',
  'TenantCreated.settings.recordingConsent.announcements.{}': "the recording announcement: the tenant's text",
  'TenantCreated.settings.recordingConsent.optOutPhrases.[]': 'phrases a caller says to refuse recording',
  'TenantCreated.settings.recordingConsent.optInPhrases.[]': 'phrases a caller says to allow recording',
  'TenantCreated.settings.sso.[].name': "the tenant's identity provider",
  'TenantCreated.settings.sso.[].issuer': "the identity provider's URL",
  'TenantCreated.settings.sso.[].audience': "the identity provider's client id",
  'TenantCreated.settings.sso.[].jwksUri': "the identity provider's key URL",
  'TenantDisabled.reason': 'a super admin on a business account',
  'TenantSuspended.reason': 'a super admin on a business account',
  'ApiKeyIssued.name': "the tenant's label for an API key",
  'ReportSaved.name': "a saved report's name",
  'AlertRuleSet.name': "an alert rule's name, the admin's label for it",
  'ReportSaved.filters.outcome': 'a call outcome filter',
  'TicketOpened.category': "the tenant's ticket category",
  'AnnouncementPublished.title': 'a platform announcement to every tenant',
  'AnnouncementPublished.body': 'a platform announcement to every tenant',
  'CampaignCreated.name': "a campaign's name",
  'CampaignCreated.callerIds.[]': "the tenant's own numbers a campaign calls from",
  'CampaignCreated.voicemail.message':
    "the campaign's voicemail template (leads' values fill it only in the call)",
  'CampaignPaused.reason': 'why a person or the platform paused a campaign (operations, not a lead)',
  'CampaignCancelled.reason': 'why a campaign was cancelled (operations, not a lead)',
  'LeadsImported.fileName': "the uploaded file's name; its rows are the encrypted LeadsStaged",
  'DialStarted.callerId':
    "the tenant's own number the dial comes from (the lead's is in the encrypted leads)",
  'DialEnded.reason': "the dialer's or the carrier's reason an attempt ended",
  // What the platform itself writes: models, carriers' ids, menus and queues of the configuration, reasons the
  // gateway gives (hang-up, no agent), delivery results, idempotency records.
  'AiReplied.model': 'the language model that answered',
  'CallStarted.providerCallId': "the carrier's call id",
  'CallEnded.reason': "the gateway's reason a call ended (hung up in the menu, no agent)",
  'CallQueued.queue': "a department's queue",
  'IvrOptionChosen.menu': 'the id of a configured IVR menu',
  'AppointmentScheduled.service':
    "a service of the tenant's catalogue; who booked it is the encrypted customer",
  'CallWrappedUp.followUp.reason':
    'a short follow-up label (the note carries the detail, encrypted); nested in followUp, whose dueAt the read side needs in clear',
  'ReportDelivered.detail': 'where a report went, as the scheduler says (status, no content)',
  'ReportDeliveryFailed.detail': "the delivery's error message",
  'CommandAccepted.commandType': 'an idempotency record of the platform',
  'CommandAccepted.result.streamId': 'an idempotency record of the platform',
  'CommandAccepted.result.commandId': 'an idempotency record of the platform',
  'CommandAccepted.result.events.[].id': 'an idempotency record of the platform',
  'CommandAccepted.result.events.[].type': 'an idempotency record of the platform',
  'QuotaReserved.key': "a plan quota's key",
  'QuotaReleased.key': "a plan quota's key",
  'ReportDelivered.slot': 'the schedule slot a delivery was for (a time)',
  'ReportDeliveryFailed.slot': 'the schedule slot a delivery was for (a time)',
  // Hashes, not text: secrets the audit log withholds (item 14d, tests/security/exports.test.ts).
  'ApiKeyIssued.keyHash': 'SHA-256 of an API key: a secret, withheld from the audit log',
  'ApiKeyRotated.keyHash': 'SHA-256 of an API key: a secret, withheld from the audit log',
  'CommandAccepted.requestHash': 'SHA-256 of an idempotent request, withheld from the audit log',
};

/** Field names that say a string holds what someone said or wrote, or a way to reach them. */
const SUSPECT_NAME =
  /name|subject|description|note|summary|text|message|comment|reason|resolution|email|phone|from|to|number|address|url|uri|caller|customer|detail|body|title|greeting|prompt|answer|question/i;

type Def = { readonly type: string } & Record<string, unknown>;
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;
const checksOf = (def: Def): Def[] =>
  ((def['checks'] as { _zod: { def: Def } }[] | undefined) ?? []).map((c) => c._zod.def);
const E164_PATTERN = String(checksOf(defOf(E164)).find((c) => c['pattern'] !== undefined)?.['pattern']);

interface Leaf {
  readonly path: readonly string[];
  readonly why: string;
}

/**
 * The fields of a schema that can hold free text or an address: strings that no pattern or format restricts to
 * ids, times or codes; E.164 numbers, emails and URLs; free JSON. Enums, numbers and booleans cannot.
 */
const suspectLeaves = (schema: unknown, path: readonly string[] = []): Leaf[] => {
  const def = defOf(schema);
  const inner = (next: unknown, segment?: string) =>
    suspectLeaves(next, segment === undefined ? path : [...path, segment]);
  switch (def.type) {
    case 'object':
      return Object.entries(def['shape'] as Record<string, unknown>).flatMap(([key, value]) =>
        inner(value, key),
      );
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return inner(def['innerType']);
    case 'array':
      return inner(def['element'], '[]');
    case 'record':
      return inner(def['valueType'], '{}');
    case 'pipe':
      return inner(def['in']);
    case 'union':
      return (def['options'] as unknown[]).flatMap((option) => inner(option));
    case 'lazy':
    case 'unknown':
    case 'any':
      return [{ path, why: 'free JSON' }];
    case 'string': {
      const checks = checksOf(def);
      // A character deny-list (^[^…]*$: names keep control characters out) still leaves room for any text.
      const denyList = (c: Def) =>
        c['format'] === 'regex' && /^\/\^\[\^.*\]\*\$\/\w*$/.test(String(c['pattern']));
      const format = [def['format'], ...checks.filter((c) => !denyList(c)).map((c) => c['format'])].find(
        (f) => typeof f === 'string',
      );
      const last = path[path.length - 1] ?? '';
      if (checks.some((c) => c['pattern'] !== undefined && String(c['pattern']) === E164_PATTERN)) {
        return [{ path, why: 'a phone number' }];
      }
      if (format === 'email' || format === 'url') return [{ path, why: `an ${format}` }];
      // A pattern or a format (ids, hashes, times, languages, colours, domains) leaves no room for free text.
      if (format !== undefined) return [];
      // Refinements (a time zone that must exist) leave none either.
      if (checks.some((c) => c['check'] === 'custom')) return [];
      return [{ path, why: SUSPECT_NAME.test(last) ? 'free text, by its name' : 'free text' }];
    }
    default:
      return [];
  }
};

/** `Type.path`, an update's `changes` (or the tenant's `settings`) read as the field its create event set. */
const keyOf = (definition: EventDefinition, path: readonly string[]): string => {
  if (definition.type === 'TenantSettingsUpdated') return `TenantCreated.${path.join('.')}`;
  if (definition.type.endsWith('Updated') && path[0] === 'changes') {
    return `${definition.type.replace(/Updated$/, 'Created')}.${path.slice(1).join('.')}`;
  }
  return `${definition.type}.${path.join('.')}`;
};

const unlisted = (): string[] =>
  eventDefinitions.flatMap((definition) => {
    const personal = PERSONAL_FIELDS[definition.type] ?? [];
    return suspectLeaves(definition.data)
      .filter((leaf) => !personal.includes(leaf.path[0] ?? ''))
      .filter((leaf) => NOT_PERSONAL[keyOf(definition, leaf.path)] === undefined)
      .map((leaf) => `${definition.type}.${leaf.path.join('.')} (${leaf.why})`);
  });

describe('personal data in events', () => {
  it('finds free text and addresses in event schemas (the audit itself sees what it must)', () => {
    const ticketOpened = eventDefinitions.find((d) => d.type === 'TicketOpened');
    const found = suspectLeaves(ticketOpened?.data).map((leaf) => leaf.path.join('.'));
    expect(found).toEqual(
      expect.arrayContaining(['subject', 'description', 'customer.name', 'customer.phone', 'customer.email']),
    );
    expect(found).not.toContain('callId');
    expect(found).not.toContain('priority');
  });

  it('lists every free-text or address field of every event as personal, or says why it is not', () => {
    expect(unlisted()).toEqual([]);
  });

  it('names only fields that exist in the allow-list and the personal list', () => {
    const known = new Set(
      eventDefinitions.flatMap((d) => suspectLeaves(d.data).map((leaf) => keyOf(d, leaf.path))),
    );
    expect(Object.keys(NOT_PERSONAL).filter((key) => !known.has(key))).toEqual([]);
    const types = new Set(eventDefinitions.map((d) => d.type));
    for (const [type, fields] of Object.entries(PERSONAL_FIELDS)) {
      expect(types, type).toContain(type);
      const definition = eventDefinitions.find((d) => d.type === type);
      const shape = defOf(definition?.data)['shape'] as Record<string, unknown>;
      for (const field of fields) expect(Object.keys(shape), `${type}.${field}`).toContain(field);
    }
  });

  it('seals one by one only fields listed as personal: arrays element by element, with their person named', () => {
    for (const [type, elements] of Object.entries(PERSONAL_ELEMENTS)) {
      const definition = eventDefinitions.find((d) => d.type === type);
      const shape = defOf(definition?.data)['shape'] as Record<string, unknown>;
      for (const field of elements.fields) {
        // Listed as personal too: the audit trail and exports withhold it whatever its sealing.
        expect(PERSONAL_FIELDS[type] ?? [], `${type}.${field}`).toContain(field);
        if (elements.each) expect(defOf(shape[field])['type'], `${type}.${field}`).toBe('array');
      }
    }
    // A lead is named by its number, so that an erasure of that number finds its key.
    expect(PERSONAL_ELEMENTS['LeadsStaged']?.personOf({ phone: '+15550001111' })).toBe('lead:+15550001111');
    expect(PERSONAL_ELEMENTS['CallbackDialScheduled']?.personOf({ lead: { phone: '+15550001111' } })).toBe(
      'lead:+15550001111',
    );
  });
});

describe('a ticket subject with a caller in it', () => {
  const CALLER = '+15557654321';
  const TICKET = 'tkt-personal-1';
  const ticketStream = streamName('ticket', DEMO_TENANT, TICKET);
  let test: TestPlatform;
  let admin: ReturnType<typeof apiClient>;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    test = await startReadSidePlatform();
    admin = await demoUser(test, 'tenant_admin');
  });
  afterAll(async () => {
    await test.stop();
  });

  const listedSubject = async (): Promise<string | undefined> => {
    for (let i = 0; i < 100; i++) {
      const response = await admin.request<{ tickets: { ticketId: string; subject: string }[] }>(
        'GET',
        '/api/tickets',
      );
      expect(response.status).toBe(200);
      const ticket = response.body.tickets.find((t) => t.ticketId === TICKET);
      if (ticket) return ticket.subject;
      await sleep(100);
    }
    return undefined;
  };

  it('is stored encrypted, reads in clear, and reads [erased] once its subject is erased', async () => {
    const opened = await admin.command('OpenTicket', {
      tenantId: DEMO_TENANT,
      ticketId: TICKET,
      subject: `Message from ${CALLER}`,
      description: 'Please call back about the invoice.',
    });
    expect(opened.status).toBe(200);

    const [stored] = await test.platform.rawStore.readStream(ticketStream);
    expect(JSON.stringify(stored?.data)).not.toContain(CALLER);
    expect(await listedSubject()).toBe(`Message from ${CALLER}`);
    const audit = await admin.request<{ items: { data: { subject?: string } }[] }>(
      'GET',
      `/api/audit/events?streamId=${ticketStream}`,
    );
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).not.toContain(CALLER);

    expect(test.platform.keys.erase(subjectOf(DEMO_TENANT, ticketStream))).toBe(1);
    const [erased] = await test.platform.store.readStream(ticketStream);
    const decoded = erased && decodeEvent(erased);
    expect(decoded?.ok && (decoded.value.data as { subject: string }).subject).toBe(ERASED);
    expect(await listedSubject()).toBe(ERASED);
  });
});
