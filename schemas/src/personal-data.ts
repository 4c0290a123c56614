/**
 * Fields of event data that hold personal data (names, contact details, what callers said). The event store
 * keeps them encrypted with a key per subject (the stream), so that erasing a person deletes a key while the
 * log stays whole and its hash chains intact. Whole values are encrypted: a nested `customer` object is one
 * field.
 */
export const PERSONAL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  MemberInvited: ['email', 'name'],
  // The billing contact may be a person's own address.
  BillingAccountOpened: ['billingEmail'],
  BillingContactUpdated: ['billingEmail'],
  CallStarted: ['from', 'to'],
  // Reasons and outcomes are free text about the caller's matter, as the AI or a person put it.
  CallTransferred: ['to', 'reason'],
  IvrOptionChosen: ['value'],
  UtteranceRecorded: ['text'],
  AiReplied: ['text'],
  ToolInvoked: ['arguments', 'result'],
  EscalationRequested: ['summary'],
  AiCoached: ['note'],
  ReportSaved: ['delivery'],
  RecordingAvailable: ['url'],
  FeedbackGiven: ['comment'],
  CallSummarized: ['summary', 'followUps', 'outcome'],
  MessageTaken: ['message', 'callerName', 'callbackNumber'],
  CallbackScheduled: ['number', 'reason'],
  VoicemailLeft: ['text'],
  CallWrappedUp: ['note'],
  AppointmentScheduled: ['customer', 'notes'],
  AppointmentCancelled: ['reason'],
  // A subject often names the caller ("Message from +1555…"); resolutions and reasons speak of their matter.
  TicketOpened: ['subject', 'description', 'customer'],
  TicketUpdated: ['comment'],
  TicketResolved: ['resolution'],
  TicketReopened: ['reason'],
  // Leads are people: numbers, names and whatever the tenant's file said about them.
  LeadsStaged: ['leads'],
  CallbackDialScheduled: ['lead', 'reason'],
  DoNotCallAdded: ['numbers'],
  DoNotCallRemoved: ['numbers'],
  ContactCreated: ['name', 'phones', 'emails', 'notes', 'tags'],
  ContactUpdated: ['name', 'phones', 'emails', 'notes', 'tags'],
  ContactDoNotCallChanged: ['phones'],
  // A message says the customer's name and matter; its recipient is their number or address.
  MessageScheduled: ['to', 'subject', 'body'],
  MessageReceived: ['from', 'body'],
  MessageReplyHandled: ['outcome'],
  TimeOffAdded: ['reason'],
  // Staff members are people too; a Google calendar id is usually their address.
  ResourceAdded: ['name', 'email'],
  ResourceRevised: ['name', 'email'],
  ExternalCalendarLinked: ['calendarId'],
  // Providers quote the recipient in their errors ("The 'To' number +1… is not valid").
  MessageDeliveryFailed: ['error'],
  MessageAbandoned: ['error'],
  DeliveryAttemptFailed: ['error'],
  // Where notifications go: staff members' own addresses and numbers, an agent's sign-in address (Zendesk).
  ConnectionCreated: ['settings'],
  ConnectionUpdated: ['settings'],
  // An SMTP server's refusal quotes the address it refused (a staff member's own).
  AlertNotificationFailed: ['error'],
  // Whom an erasure is about; the erasure stream's key is erased once it is done.
  DataSubjectErasureRequested: ['subject'],
  DataSubjectErasurePlanned: ['leads'],
  SubjectAccessExported: ['subject'],
  // Whom or what a legal hold keeps, and why (free text that may name a person).
  LegalHoldPlaced: ['target', 'reason'],
};

/**
 * Personal fields of people who share a stream with others: a campaign's leads live in the campaign's stream.
 * Each element (a lead of `leads`, or the event's one `lead` with its `reason`) is sealed with a key of its own
 * person, named within the stream by `personOf` (their number), so that erasing one person shreds their key
 * and leaves the others readable. `each`: the field is an array and every element is one person's; else the
 * fields listed are all about the one person `personOf` finds in the event's data. The fields stay listed in
 * PERSONAL_FIELDS: whoever only needs to know a field is personal (the audit trail, exports) reads it there.
 */
export interface PersonalElements {
  readonly fields: readonly string[];
  readonly each: boolean;
  /** A name for the person within the stream's subject: `lead:<number>`; undefined: the stream's key. */
  readonly personOf: (value: unknown) => string | undefined;
}

const leadPerson = (lead: unknown): string | undefined => {
  const phone = (lead as { phone?: unknown } | null)?.phone;
  return typeof phone === 'string' && phone !== '' ? leadPersonOf(phone) : undefined;
};

export const PERSONAL_ELEMENTS: Readonly<Record<string, PersonalElements>> = {
  LeadsStaged: { fields: ['leads'], each: true, personOf: leadPerson },
  // The reason of a callback is about the same person's matter: it goes with their lead.
  CallbackDialScheduled: {
    fields: ['lead', 'reason'],
    each: false,
    personOf: (data) => leadPerson((data as { lead?: unknown } | null)?.lead),
  },
};

/** The person naming of a lead within its campaign: what an erasure names to shred that lead's key. */
export const leadPersonOf = (phone: string): string => `lead:${phone}`;

/**
 * The element of an erased field as listed in the metadata: `leads.3` for the fourth lead of `leads`.
 * A whole field is listed by its name alone, as before elements were sealed one by one.
 */
export const erasedElementPath = (field: string, index: number): string => `${field}.${index}`;

/**
 * Fields of event data that hold a tenant's credentials for outside systems. The event store seals them on the
 * way in with the key of the stream's subject, as it does personal fields, but never opens them on the way out:
 * what reads the log (deciders, projections, the audit trail, Kafka) sees `secret:v1:…`, and only the code that
 * calls the outside system opens them (openSecret). Removing the connection erases the key.
 */
export const SECRET_FIELDS: Readonly<Record<string, readonly string[]>> = {
  ConnectionCreated: ['secrets'],
  ConnectionSecretsRotated: ['secrets'],
};

/** What an erased personal field reads as. */
export const ERASED = '[erased]';

/** Stored metadata key listing the fields of an event whose key was erased. */
export const ERASED_FIELDS_KEY = 'erasedFields';

/**
 * Hashes in event data that the audit trail (the audit-log table, its API and CSV export) withholds. An API key's
 * hash is a secret: whoever holds it can test guesses offline and match it to a leaked key. An email hash stands
 * for a person, a request hash for a request's content; both can be matched by hashing guesses, which erasure
 * would not stop. What the event was and who did it stay in the trail.
 */
export const WITHHELD_FIELDS: Readonly<Record<string, readonly string[]>> = {
  ApiKeyIssued: ['keyHash'],
  ApiKeyRotated: ['keyHash'],
  MemberInvited: ['emailHash'],
  MemberRemoved: ['emailHash'],
  LoginClaimed: ['emailHash'],
  CommandAccepted: ['requestHash'],
  // Sealed, but still a credential: ciphertext is kept out of every trail whoever reads it.
  ConnectionCreated: ['secrets', 'secretHints'],
  ConnectionSecretsRotated: ['secrets', 'secretHints'],
};

/** What a withheld field reads as in the audit trail. */
export const WITHHELD = '[withheld]';

/** The event's data with its withheld fields replaced by the marker (absent fields stay absent). */
export const withoutWithheldFields = (type: string, data: unknown): unknown => {
  const fields = WITHHELD_FIELDS[type];
  if (fields === undefined || typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const shown: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const field of fields) if (shown[field] !== undefined) shown[field] = WITHHELD;
  return shown;
};
