/**
 * Fields of event data that hold personal data (names, contact details, what callers said). The event store
 * keeps them encrypted with a key per subject (the stream), so that erasing a person deletes a key while the
 * log stays whole and its hash chains intact. Whole values are encrypted: a nested `customer` object is one
 * field.
 */
export const PERSONAL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  MemberInvited: ['email', 'name'],
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
};

/** What an erased personal field reads as. */
export const ERASED = '[erased]';

/** Stored metadata key listing the fields of an event whose key was erased. */
export const ERASED_FIELDS_KEY = 'erasedFields';
