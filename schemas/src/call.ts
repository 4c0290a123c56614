import { z } from 'zod';
import { defineCommand, defineEvent, type EventOf } from './define.js';
import { E164, EntityId, IsoDateTime, LanguageTag, LongText, Name, TenantId } from './primitives.js';
import type { Upcaster } from './upcasting.js';
import { consentCommands, consentEvents } from './recording-consent.js';

const category = 'call';

/**
 * Looser than a provisioned NumberAddress: these are what the provider reports (a caller's SIP URI may carry
 * parameters such as ;transport=tls), and a call is not to be refused over the spelling of its caller.
 */
const SipUri = z.string().regex(/^sips?:[^\s]{1,200}$/, 'a SIP address is like sip:alice@example.com');
/** Where a call comes from or goes to: a phone number or a SIP address. */
export const CallAddress = z.union([E164, SipUri], {
  error: 'an address is an E.164 number like +15551234567 or a SIP address like sip:alice@example.com',
});

export const CallDirection = z.enum(['inbound', 'outbound']);
export const CallProvider = z.enum(['twilio', 'asterisk', 'simulator']);
export const CallSpeaker = z.enum(['caller', 'ai', 'human']);
export const IvrInput = z.enum(['dtmf', 'speech']);
export const CallEscalationReason = z.enum([
  'caller_request',
  'low_confidence',
  'negative_sentiment',
  'agent_rule',
  'keyword',
  'supervisor',
]);
/** listen: hears the call; whisper: speaks to the AI or agent only; barge: speaks to everyone. */
export const SupervisionMode = z.enum(['listen', 'whisper', 'barge']);
export const ToolCallStatus = z.enum(['succeeded', 'failed']);
/** busy and no_answer: an outbound call the callee did not pick up, as the carrier reported it. */
export const CallOutcome = z.enum([
  'resolved',
  'escalated',
  'abandoned',
  'voicemail',
  'failed',
  'busy',
  'no_answer',
]);
export type CallOutcome = z.infer<typeof CallOutcome>;
/**
 * Per-call service levels that can be breached (the tenant's SlaTargets): time to the first answer, time waiting
 * for a human in queues, and the whole call. Rates (abandonment, first-contact resolution) are over many calls
 * and are reported by the SLA processor, not flagged on a call.
 */
export const SlaMetric = z.enum(['time_to_answer', 'queue_wait', 'handle_time']);
export type SlaMetric = z.infer<typeof SlaMetric>;

/** Who a call is handed to: an external party is dialled, everyone else is inside the tenant. */
export const CallTransferTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.enum(['department', 'agent', 'human']), id: EntityId }),
  z.object({ kind: z.literal('external'), id: CallAddress }),
]);
export type CallTransferTarget = z.infer<typeof CallTransferTarget>;

const Confidence = z.number().min(0).max(1);
const Milliseconds = z.number().int().nonnegative();
const TokenCount = z.number().int().nonnegative();
const ShortText = z.string().trim().min(1).max(500);
const Transcript = LongText.min(1);
/** OpenAI and Anthropic both limit tool names to this shape. */
const ToolName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a tool name is 1-64 letters, digits, "_" or "-"');

const spokenInOrder = (u: { startedAt?: string | undefined; endedAt?: string | undefined }): boolean =>
  u.startedAt === undefined || u.endedAt === undefined || Date.parse(u.startedAt) <= Date.parse(u.endedAt);
const SPOKEN_IN_ORDER = { message: 'endedAt must not be before startedAt', path: ['endedAt'] };

const Utterance = z.object({
  utteranceId: EntityId,
  speaker: CallSpeaker,
  text: Transcript,
  confidence: Confidence,
  language: LanguageTag,
  startedAt: IsoDateTime.optional(),
  endedAt: IsoDateTime.optional(),
});

const AiReply = z.object({
  /** The id of the reply itself, so a retried reply is recorded once. */
  utteranceId: EntityId,
  text: Transcript,
  language: LanguageTag,
  model: z.string().min(1).max(200),
  promptTokens: TokenCount,
  completionTokens: TokenCount,
  latencyMs: Milliseconds,
});

const ToolInvocation = z.object({
  toolCallId: EntityId,
  name: ToolName,
  arguments: z.record(z.string(), z.json()),
  /** What the tool returned, or its error when it failed; null when it returned nothing. */
  result: z.json(),
  status: ToolCallStatus,
  durationMs: Milliseconds,
});

const CallStart = z.object({
  direction: CallDirection,
  from: CallAddress,
  to: CallAddress,
  provider: CallProvider,
  /** The provider's own id when it differs from callId, e.g. an Asterisk channel id. */
  providerCallId: z.string().min(1).max(200).optional(),
  agentId: EntityId.optional(),
  departmentId: EntityId.optional(),
  /** The language the call starts in (the answering agent's first), when known. */
  language: LanguageTag.optional(),
  /** Outbound: the lead (a campaign's or a CRM's contact) the call is placed for. */
  leadId: EntityId.optional(),
  /** Outbound: the campaign the call is placed for, for conversion and ROI analytics. */
  campaignId: EntityId.optional(),
  /** Outbound: the campaign's dial attempt the call is, so its outcome reaches the dialer. */
  attemptId: EntityId.optional(),
});

const IvrChoice = z.object({
  menu: Name.optional(),
  input: IvrInput,
  /** The key(s) pressed for dtmf, the recognised words for speech. */
  value: z.string().trim().min(1).max(500),
  departmentId: EntityId.optional(),
});
const keysForDtmf = (c: { input: string; value: string }): boolean =>
  c.input !== 'dtmf' || /^[0-9*#]{1,32}$/.test(c.value);
const KEYS_FOR_DTMF = { message: 'dtmf input is 1-32 of the keys 0-9, * and #', path: ['value'] };

const Escalation = z.object({
  reason: CallEscalationReason,
  /** What the AI tells the human who picks the call up (warm handoff). */
  summary: Transcript,
  departmentId: EntityId.optional(),
});

const Recording = z.object({
  recordingId: EntityId,
  url: z.url().max(2000),
  durationSeconds: z.number().nonnegative(),
});

const Feedback = z.object({
  score: z.number().int().min(1).max(5),
  comment: z.string().trim().max(2000).optional(),
});

const Summary = z.object({
  summary: Transcript,
  /** The business result in words ("appointment booked"), beside the telephony outcome of CallEnded. */
  outcome: ShortText.optional(),
  followUps: z.array(ShortText).max(50),
});

const SlaBreach = z.object({
  metric: SlaMetric,
  /** Seconds, as the tenant's target said when the call was measured. */
  target: z.number().nonnegative(),
  /** Seconds the call took for that metric. */
  actual: z.number().nonnegative(),
});
const overTarget = (b: { target: number; actual: number }): boolean => b.actual > b.target;
const OVER_TARGET = { message: 'a breach is an actual above its target', path: ['actual'] };

/** Who picked up, as the carrier's answering machine detection reports it ('unknown' when it was not asked). */
export const AnsweredBy = z.enum(['human', 'machine', 'unknown']);

const Message = z.object({
  message: Transcript,
  callerName: Name.optional(),
  /** Where to call back when it is not the number the call came from. */
  callbackNumber: CallAddress.optional(),
  /** The ticket the message was filed as, so a human finds it in the queue. */
  ticketId: EntityId.optional(),
});

const Callback = z.object({
  callbackId: EntityId,
  at: IsoDateTime,
  number: CallAddress,
  reason: ShortText,
});

const CallKey = { tenantId: TenantId, callId: EntityId };

// Commands

export const StartCall = defineCommand(
  category,
  'StartCall',
  z.object({ ...CallKey, ...CallStart.shape }),
  'Open a call when the provider reports it ringing (inbound) or dialled (outbound).',
);
export const ChooseIvrOption = defineCommand(
  category,
  'ChooseIvrOption',
  z.object({ ...CallKey, ...IvrChoice.shape }).refine(keysForDtmf, KEYS_FOR_DTMF),
  'Record what the caller chose in an IVR menu, by keypad or by voice.',
);
export const RecordUtterance = defineCommand(
  category,
  'RecordUtterance',
  z.object({ ...CallKey, ...Utterance.shape }).refine(spokenInOrder, SPOKEN_IN_ORDER),
  'Add one transcribed utterance of the caller, the AI or a human; a repeated utteranceId is ignored.',
);
export const RecordAiReply = defineCommand(
  category,
  'RecordAiReply',
  z.object({ ...CallKey, ...AiReply.shape }),
  "Record the AI's reply with its model, token usage and latency; refused once a human took over.",
);
export const InvokeTool = defineCommand(
  category,
  'InvokeTool',
  z.object({ ...CallKey, ...ToolInvocation.shape }),
  'Record a tool the AI called during the call and what it returned; a repeated toolCallId is ignored.',
);
export const RequestEscalation = defineCommand(
  category,
  'RequestEscalation',
  z.object({ ...CallKey, ...Escalation.shape }),
  'Ask for a human to take the call, with a summary for the handoff; ignored when already escalated.',
);
export const QueueCall = defineCommand(
  category,
  'QueueCall',
  z.object({ ...CallKey, departmentId: EntityId, queue: Name }),
  "Put an escalated call in a department's queue to wait for a human.",
);
export const JoinHuman = defineCommand(
  category,
  'JoinHuman',
  z.object({ ...CallKey, userId: EntityId, mode: SupervisionMode }),
  'A human joins an escalated call to listen, whisper or barge in; joining again changes the mode.',
);
export const CoachAi = defineCommand(
  category,
  'CoachAi',
  z.object({ ...CallKey, userId: EntityId, note: z.string().trim().min(1).max(1000) }),
  'A person who joined the call whispers guidance to the AI while it still holds the call; the caller never hears it.',
);
export const TakeOverCall = defineCommand(
  category,
  'TakeOverCall',
  z.object({ ...CallKey, userId: EntityId }),
  'A human who joined takes the conversation over from the AI.',
);
export const TransferCall = defineCommand(
  category,
  'TransferCall',
  z.object({ ...CallKey, to: CallTransferTarget, reason: ShortText.optional() }),
  'Hand the call to a department, an AI agent, a person or an outside number.',
);
export const MarkRecordingAvailable = defineCommand(
  category,
  'MarkRecordingAvailable',
  z.object({ ...CallKey, ...Recording.shape }),
  "Note that the provider's recording of the call can be fetched; accepted after the call ended.",
);
export const GiveFeedback = defineCommand(
  category,
  'GiveFeedback',
  z.object({ ...CallKey, ...Feedback.shape }),
  "Record the caller's rating of the call, once; accepted after the call ended.",
);
export const SummarizeCall = defineCommand(
  category,
  'SummarizeCall',
  z.object({ ...CallKey, ...Summary.shape }),
  'Record the summary of the call and its follow-ups; accepted after the call ended.',
);
export const EndCall = defineCommand(
  category,
  'EndCall',
  z.object({ ...CallKey, outcome: CallOutcome, reason: ShortText.optional() }),
  'End the call with its outcome; ending an ended call changes nothing.',
);
export const AnswerCall = defineCommand(
  category,
  'AnswerCall',
  z.object({ ...CallKey, answeredBy: AnsweredBy }),
  'The far end picked up (an outbound call answered, by a person or a machine); answering again changes nothing.',
);
export const ChangeCallLanguage = defineCommand(
  category,
  'ChangeCallLanguage',
  z.object({ ...CallKey, language: LanguageTag }),
  'The caller switched language; the AI speaks it from now on. The same language again changes nothing.',
);
export const TakeMessage = defineCommand(
  category,
  'TakeMessage',
  z.object({ ...CallKey, ...Message.shape }),
  'Record a message the caller left for the business, when no person could take the call.',
);
export const ScheduleCallback = defineCommand(
  category,
  'ScheduleCallback',
  z.object({ ...CallKey, ...Callback.shape }),
  'Promise the caller a call back at a time; a repeated callbackId is ignored.',
);
export const LeaveVoicemail = defineCommand(
  category,
  'LeaveVoicemail',
  z.object({ ...CallKey, text: Transcript }),
  'Record the voicemail the AI left on an answering machine (outbound calls).',
);
const CallTag = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _-]{0,39}$/u, 'a tag is 1-40 letters, digits, spaces, "_" or "-"');
const WrapUp = z.object({
  /** The person wrapping the call up. */
  userId: EntityId,
  tags: z.array(CallTag).max(10),
  /** Whether the caller's matter was settled on the call. */
  resolved: z.boolean(),
  /** Someone must get back to the caller by then. */
  followUp: z.object({ dueAt: IsoDateTime, reason: ShortText }).optional(),
  note: z.string().trim().min(1).max(2000).optional(),
});
export const WrapUpCall = defineCommand(
  category,
  'WrapUpCall',
  z.object({ ...CallKey, ...WrapUp.shape }),
  'After the call, the person who handled it tags it, says whether it was resolved, asks for a follow-up and leaves a note; a later wrap-up corrects an earlier one.',
);
export const FlagSlaBreach = defineCommand(
  category,
  'FlagSlaBreach',
  z.object({ ...CallKey, ...SlaBreach.shape }).refine(overTarget, OVER_TARGET),
  'Internal: the SLA processor found the call over a target of its tenant; once per metric and call.',
);

// Events

export const CallStarted = defineEvent(
  category,
  'CallStarted',
  1,
  CallStart.extend({ startedAt: IsoDateTime }),
);
export const IvrOptionChosen = defineEvent(category, 'IvrOptionChosen', 1, IvrChoice);
/** Superseded by v2; kept so that utterances stored as v1 can still be read. */
export const UtteranceRecordedV1 = defineEvent(
  category,
  'UtteranceRecorded',
  1,
  z.object({ speaker: CallSpeaker, text: Transcript, confidence: Confidence }),
);
export const UtteranceRecorded = defineEvent(
  category,
  'UtteranceRecorded',
  2,
  Utterance.extend({
    /** Absent only on utterances upcast from v1, which were stored before the media gateway sent ids. */
    utteranceId: EntityId.optional(),
  }),
);
export const AiReplied = defineEvent(category, 'AiReplied', 1, AiReply);
export const ToolInvoked = defineEvent(category, 'ToolInvoked', 1, ToolInvocation);
export const EscalationRequested = defineEvent(category, 'EscalationRequested', 1, Escalation);
export const CallQueued = defineEvent(
  category,
  'CallQueued',
  1,
  z.object({ departmentId: EntityId, queue: Name }),
);
export const HumanJoined = defineEvent(
  category,
  'HumanJoined',
  1,
  z.object({ userId: EntityId, mode: SupervisionMode }),
);
export const AiCoached = defineEvent(
  category,
  'AiCoached',
  1,
  z.object({ userId: EntityId, note: z.string().min(1).max(1000) }),
);
export const HumanTookOver = defineEvent(category, 'HumanTookOver', 1, z.object({ userId: EntityId }));
export const CallTransferred = defineEvent(
  category,
  'CallTransferred',
  1,
  z.object({ to: CallTransferTarget, reason: ShortText.optional() }),
);
export const RecordingAvailable = defineEvent(category, 'RecordingAvailable', 1, Recording);
export const FeedbackGiven = defineEvent(category, 'FeedbackGiven', 1, Feedback);
export const CallSummarized = defineEvent(category, 'CallSummarized', 1, Summary);
export const CallEnded = defineEvent(
  category,
  'CallEnded',
  1,
  z.object({
    outcome: CallOutcome,
    reason: ShortText.optional(),
    durationSeconds: z.number().int().nonnegative(),
  }),
);
export const SlaBreached = defineEvent(category, 'SlaBreached', 1, SlaBreach);
export const CallAnswered = defineEvent(
  category,
  'CallAnswered',
  1,
  z.object({ answeredBy: AnsweredBy, answeredAt: IsoDateTime }),
);
export const CallLanguageChanged = defineEvent(
  category,
  'CallLanguageChanged',
  1,
  z.object({ language: LanguageTag, previous: LanguageTag.optional() }),
);
export const MessageTaken = defineEvent(category, 'MessageTaken', 1, Message);
export const CallbackScheduled = defineEvent(category, 'CallbackScheduled', 1, Callback);
export const VoicemailLeft = defineEvent(category, 'VoicemailLeft', 1, z.object({ text: Transcript }));

/**
 * v1 utterances carried no language. They are read as 'und' (BCP 47 "undetermined", which LanguageTag accepts)
 * rather than a guess such as 'en': tenants take calls in many languages, and a wrong language would skew
 * language analytics and pick the wrong models on replay, while 'und' says plainly that it is unknown.
 */
export const UNDETERMINED_LANGUAGE = 'und';

export const callUpcasters: Upcaster[] = [
  {
    type: 'UtteranceRecorded',
    fromVersion: 1,
    up: (data) => ({
      ...UtteranceRecordedV1.data.parse(data),
      language: UNDETERMINED_LANGUAGE,
    }),
  },
];

export const CallWrappedUp = defineEvent(category, 'CallWrappedUp', 1, WrapUp);

export const callCommands = [
  StartCall,
  ChooseIvrOption,
  RecordUtterance,
  RecordAiReply,
  InvokeTool,
  RequestEscalation,
  QueueCall,
  JoinHuman,
  CoachAi,
  TakeOverCall,
  TransferCall,
  MarkRecordingAvailable,
  GiveFeedback,
  SummarizeCall,
  EndCall,
  FlagSlaBreach,
  AnswerCall,
  ChangeCallLanguage,
  TakeMessage,
  ScheduleCallback,
  LeaveVoicemail,
  WrapUpCall,
  ...consentCommands,
] as const;

/** The current version of every call event: what deciders write and read. */
export const callEventsLatest = [
  CallStarted,
  IvrOptionChosen,
  UtteranceRecorded,
  AiReplied,
  ToolInvoked,
  EscalationRequested,
  CallQueued,
  HumanJoined,
  AiCoached,
  HumanTookOver,
  CallTransferred,
  RecordingAvailable,
  FeedbackGiven,
  CallSummarized,
  CallEnded,
  SlaBreached,
  CallAnswered,
  CallLanguageChanged,
  MessageTaken,
  CallbackScheduled,
  VoicemailLeft,
  CallWrappedUp,
  ...consentEvents,
] as const;

export const callEvents = [...callEventsLatest, UtteranceRecordedV1] as const;
/** A call event at its latest version: older versions are upcast before deciders and processors see them. */
export type CallEvent = EventOf<(typeof callEventsLatest)[number]>;
