import type { CallEvent, CommandOf, callCommands } from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type CallCommand = CommandOf<(typeof callCommands)[number]>;
export type { CallEvent };

type SupervisionMode = Extract<CallEvent, { type: 'HumanJoined' }>['data']['mode'];
type Feedback = Extract<CallEvent, { type: 'FeedbackGiven' }>['data'];
type WrapUp = Extract<CallEvent, { type: 'CallWrappedUp' }>['data'];
type SlaMetric = Extract<CallEvent, { type: 'SlaBreached' }>['data']['metric'];

export type CallState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active' | 'ended';
      /** When the call started, to compute its duration at the end. */
      readonly startedAt: string;
      readonly escalated: boolean;
      /** Humans on the call and how they take part. */
      readonly joined: ReadonlyMap<string, SupervisionMode>;
      /** The human who took the conversation over from the AI, if any. */
      readonly humanInControl: string | undefined;
      readonly feedback: Feedback | undefined;
      /** Ids already recorded, so that the media gateway's retries record nothing twice. */
      readonly seen: Readonly<Record<SeenKind, ReadonlySet<string>>>;
      /** Metrics already flagged, so that a replaying SLA processor flags each once. */
      readonly slaBreaches: ReadonlySet<SlaMetric>;
      readonly answered: boolean;
      readonly language: string | undefined;
      /** The latest wrap-up, so that the same one sent again records nothing. */
      readonly wrapUp: WrapUp | undefined;
      /** The caller's consent to recording, when the tenant's policy asked for it; a refusal is final. */
      readonly consent: 'given' | 'refused' | undefined;
    };

type SeenKind = 'utterances' | 'replies' | 'toolCalls' | 'recordings' | 'callbacks';
type ExistingCall = Exclude<CallState, { status: 'none' }>;

const existing = (state: CallState): ExistingCall => {
  if (state.status === 'none') throw new DomainError('CALL_NOT_FOUND', 'the call does not exist', 'callId');
  return state;
};

const active = (state: CallState): ExistingCall => {
  const call = existing(state);
  if (call.status === 'ended') throw new DomainError('CALL_ENDED', 'the call has ended', 'callId');
  return call;
};

const escalatedCall = (state: CallState): ExistingCall => {
  const call = active(state);
  if (!call.escalated) {
    throw new DomainError('NOT_ESCALATED', 'no escalation to a human was requested on this call', 'callId');
  }
  return call;
};

const joinedBy = (call: ExistingCall, userId: string, before: string): ExistingCall => {
  if (!call.joined.has(userId)) {
    throw new DomainError('HUMAN_NOT_JOINED', `${userId} must join the call before ${before}`, 'userId');
  }
  return call;
};

const aiInControl = (call: ExistingCall, field: string): void => {
  if (call.humanInControl !== undefined) {
    throw new DomainError(
      'AI_NOT_IN_CONTROL',
      `${call.humanInControl} took the call over from the AI`,
      field,
    );
  }
};

const alreadySeen = (state: CallState, kind: SeenKind, id: string | undefined): boolean =>
  state.status !== 'none' && id !== undefined && state.seen[kind].has(id);

const sameFeedback = (a: Feedback, b: Feedback): boolean => a.score === b.score && a.comment === b.comment;

const elapsedSeconds = (from: string, to: Date): number =>
  // Clocks of different command-service instances may disagree by a little.
  Math.max(0, Math.round((to.getTime() - Date.parse(from)) / 1000));

/** The command's data without the stream key, which the event's envelope already carries. */
const payload = <D extends { tenantId: string; callId: string }>({
  tenantId: _tenantId,
  callId: _callId,
  ...rest
}: D): Omit<D, 'tenantId' | 'callId'> => rest;

const withSeen = (call: ExistingCall, kind: SeenKind, id: string | undefined): ExistingCall =>
  id === undefined ? call : { ...call, seen: { ...call.seen, [kind]: new Set([...call.seen[kind], id]) } };

export const decide = (command: CallCommand, state: CallState): CallEvent[] => {
  switch (command.type) {
    case 'StartCall': {
      if (state.status !== 'none') {
        throw new DomainError('CALL_EXISTS', `call ${command.data.callId} already exists`, 'callId');
      }
      const startedAt = command.metadata.now.toISOString();
      return [{ type: 'CallStarted', data: { ...payload(command.data), startedAt } }];
    }
    case 'ChooseIvrOption': {
      active(state);
      return [{ type: 'IvrOptionChosen', data: payload(command.data) }];
    }
    case 'RecordUtterance': {
      // A retry of what is already stored succeeds, even once the call has ended.
      if (alreadySeen(existing(state), 'utterances', command.data.utteranceId)) return [];
      const call = active(state);
      if (command.data.speaker === 'ai') aiInControl(call, 'speaker');
      return [{ type: 'UtteranceRecorded', data: payload(command.data) }];
    }
    case 'RecordAiReply': {
      if (alreadySeen(existing(state), 'replies', command.data.utteranceId)) return [];
      aiInControl(active(state), 'callId');
      return [{ type: 'AiReplied', data: payload(command.data) }];
    }
    case 'InvokeTool': {
      if (alreadySeen(existing(state), 'toolCalls', command.data.toolCallId)) return [];
      active(state);
      return [{ type: 'ToolInvoked', data: payload(command.data) }];
    }
    case 'RequestEscalation': {
      if (active(state).escalated) return [];
      return [{ type: 'EscalationRequested', data: payload(command.data) }];
    }
    case 'QueueCall': {
      escalatedCall(state);
      return [{ type: 'CallQueued', data: payload(command.data) }];
    }
    case 'JoinHuman': {
      const call = escalatedCall(state);
      const { userId, mode } = command.data;
      if (call.joined.get(userId) === mode) return [];
      return [{ type: 'HumanJoined', data: { userId, mode } }];
    }
    case 'CoachAi': {
      const call = joinedBy(escalatedCall(state), command.data.userId, 'coaching the AI');
      aiInControl(call, 'callId');
      return [{ type: 'AiCoached', data: payload(command.data) }];
    }
    case 'TakeOverCall': {
      const { userId } = command.data;
      const call = joinedBy(escalatedCall(state), userId, 'taking it over');
      if (call.humanInControl === userId) return [];
      return [{ type: 'HumanTookOver', data: { userId } }];
    }
    case 'TransferCall': {
      active(state);
      return [{ type: 'CallTransferred', data: payload(command.data) }];
    }
    case 'MarkRecordingAvailable': {
      if (alreadySeen(existing(state), 'recordings', command.data.recordingId)) return [];
      if (existing(state).consent === 'refused') {
        throw new DomainError('RECORDING_REFUSED', 'the caller refused to be recorded', 'recordingId');
      }
      return [{ type: 'RecordingAvailable', data: payload(command.data) }];
    }
    case 'GiveFeedback': {
      const call = existing(state);
      const feedback = payload(command.data);
      if (call.feedback) {
        if (sameFeedback(call.feedback, feedback)) return [];
        throw new DomainError('FEEDBACK_ALREADY_GIVEN', 'feedback on this call was already given', 'score');
      }
      return [{ type: 'FeedbackGiven', data: feedback }];
    }
    case 'SummarizeCall': {
      existing(state);
      return [{ type: 'CallSummarized', data: payload(command.data) }];
    }
    case 'EndCall': {
      const call = existing(state);
      if (call.status === 'ended') return [];
      const durationSeconds = elapsedSeconds(call.startedAt, command.metadata.now);
      return [{ type: 'CallEnded', data: { ...payload(command.data), durationSeconds } }];
    }
    case 'AnswerCall': {
      if (active(state).answered) return [];
      const answeredAt = command.metadata.now.toISOString();
      return [{ type: 'CallAnswered', data: { answeredBy: command.data.answeredBy, answeredAt } }];
    }
    case 'ChangeCallLanguage': {
      const call = active(state);
      if (call.language === command.data.language) return [];
      return [
        {
          type: 'CallLanguageChanged',
          data: {
            language: command.data.language,
            ...(call.language !== undefined && { previous: call.language }),
          },
        },
      ];
    }
    case 'TakeMessage': {
      active(state);
      return [{ type: 'MessageTaken', data: payload(command.data) }];
    }
    case 'ScheduleCallback': {
      if (alreadySeen(existing(state), 'callbacks', command.data.callbackId)) return [];
      active(state);
      if (Date.parse(command.data.at) <= command.metadata.now.getTime()) {
        throw new DomainError('CALLBACK_IN_PAST', 'a callback is scheduled in the future', 'at');
      }
      return [{ type: 'CallbackScheduled', data: payload(command.data) }];
    }
    case 'LeaveVoicemail': {
      aiInControl(active(state), 'callId');
      return [{ type: 'VoicemailLeft', data: payload(command.data) }];
    }
    case 'WrapUpCall': {
      const call = existing(state);
      if (call.status !== 'ended') {
        throw new DomainError('CALL_NOT_ENDED', 'a call is wrapped up after it has ended', 'callId');
      }
      const wrapUp = payload(command.data);
      // Both come from the same schema, so their keys are in the same order: equal JSON is an equal wrap-up.
      if (call.wrapUp && JSON.stringify(call.wrapUp) === JSON.stringify(wrapUp)) return [];
      return [{ type: 'CallWrappedUp', data: wrapUp }];
    }
    case 'RecordRecordingConsent': {
      const call = active(state);
      const { outcome, policy, method, key } = command.data;
      if (call.consent === 'refused') {
        if (outcome === 'refused') return [];
        throw new DomainError('RECORDING_REFUSED', 'the caller already refused to be recorded', 'outcome');
      }
      if (call.consent === outcome) return [];
      const data = { policy, method, ...(key !== undefined && { key }) };
      return [{ type: outcome === 'given' ? 'RecordingConsentGiven' : 'RecordingConsentRefused', data }];
    }
    case 'FlagSlaBreach': {
      // Measured after the fact, so accepted on an ended call; the first breach of a metric is the one kept.
      if (existing(state).slaBreaches.has(command.data.metric)) return [];
      return [{ type: 'SlaBreached', data: payload(command.data) }];
    }
  }
};

export const evolve = (state: CallState, event: CallEvent): CallState => {
  if (event.type === 'CallStarted') {
    return {
      status: 'active',
      startedAt: event.data.startedAt,
      escalated: false,
      joined: new Map(),
      humanInControl: undefined,
      feedback: undefined,
      seen: {
        utterances: new Set(),
        replies: new Set(),
        toolCalls: new Set(),
        recordings: new Set(),
        callbacks: new Set(),
      },
      slaBreaches: new Set(),
      // Inbound calls are answered by the platform itself as they start.
      answered: event.data.direction === 'inbound',
      language: event.data.language,
      wrapUp: undefined,
      consent: undefined,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'UtteranceRecorded':
      return withSeen(state, 'utterances', event.data.utteranceId);
    case 'AiReplied':
      return withSeen(state, 'replies', event.data.utteranceId);
    case 'ToolInvoked':
      return withSeen(state, 'toolCalls', event.data.toolCallId);
    case 'RecordingAvailable':
      return withSeen(state, 'recordings', event.data.recordingId);
    case 'EscalationRequested':
      return { ...state, escalated: true };
    case 'HumanJoined':
      return { ...state, joined: new Map([...state.joined, [event.data.userId, event.data.mode]]) };
    case 'HumanTookOver':
      return { ...state, humanInControl: event.data.userId };
    case 'CallTransferred':
      // Handed to another AI agent, the call starts over with the AI in control and may be escalated again.
      return event.data.to.kind === 'agent'
        ? { ...state, escalated: false, humanInControl: undefined }
        : state;
    case 'FeedbackGiven':
      return { ...state, feedback: event.data };
    case 'CallEnded':
      return { ...state, status: 'ended' };
    case 'SlaBreached':
      return { ...state, slaBreaches: new Set([...state.slaBreaches, event.data.metric]) };
    case 'CallAnswered':
      return { ...state, answered: true };
    case 'CallLanguageChanged':
      return { ...state, language: event.data.language };
    case 'CallbackScheduled':
      return withSeen(state, 'callbacks', event.data.callbackId);
    case 'CallWrappedUp':
      return { ...state, wrapUp: event.data };
    case 'RecordingConsentGiven':
      return { ...state, consent: 'given' };
    case 'RecordingConsentRefused':
      return { ...state, consent: 'refused' };
    case 'IvrOptionChosen':
    case 'AiCoached':
    case 'CallQueued':
    case 'CallSummarized':
    case 'MessageTaken':
    case 'VoicemailLeft':
      return state;
  }
};

export const callDecider: Decider<CallCommand, CallEvent, CallState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
