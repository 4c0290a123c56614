import {
  AnswerCall,
  ChangeCallLanguage,
  LeaveVoicemail,
  ScheduleCallback,
  TakeMessage,
  ChooseIvrOption,
  EndCall,
  FlagSlaBreach,
  CoachAi,
  GiveFeedback,
  InvokeTool,
  JoinHuman,
  MarkRecordingAvailable,
  QueueCall,
  RecordAiReply,
  RecordUtterance,
  RequestEscalation,
  StartCall,
  SummarizeCall,
  TakeOverCall,
  TransferCall,
  WrapUpCall,
  RecordRecordingConsent,
  type Role,
} from '@ccp/schemas';
import { callDecider } from '../domain/call.js';
import { route, type CommandRoute, type Reactions } from './route.js';

export const callStream = (data: { tenantId: string; callId: string }) => ({
  category: 'call',
  tenantId: data.tenantId,
  id: data.callId,
});

/** Reported by the media gateway as the call goes; appending them does not depend on what the sender saw. */
const fromMediaGateway = { stream: callStream, roles: [], retryOnConflict: true } as const;
const handlers: readonly Role[] = ['tenant_admin', 'supervisor', 'agent'];
/** A person acting on the call as they saw it: after a conflict they must look again. */
const byHandler = { stream: callStream, roles: handlers, retryOnConflict: false } as const;

export const callRoutes: readonly CommandRoute[] = [
  route(StartCall, callDecider, fromMediaGateway),
  route(ChooseIvrOption, callDecider, fromMediaGateway),
  route(RecordUtterance, callDecider, fromMediaGateway),
  route(RecordAiReply, callDecider, fromMediaGateway),
  route(InvokeTool, callDecider, fromMediaGateway),
  route(MarkRecordingAvailable, callDecider, fromMediaGateway),
  route(SummarizeCall, callDecider, fromMediaGateway),
  route(GiveFeedback, callDecider, fromMediaGateway),
  route(QueueCall, callDecider, fromMediaGateway),
  route(AnswerCall, callDecider, fromMediaGateway),
  route(ChangeCallLanguage, callDecider, fromMediaGateway),
  route(LeaveVoicemail, callDecider, fromMediaGateway),
  route(RecordRecordingConsent, callDecider, fromMediaGateway),
  // A person may also take a message or promise a call back on a call they handle.
  route(TakeMessage, callDecider, { stream: callStream, roles: handlers, retryOnConflict: true }),
  route(ScheduleCallback, callDecider, { stream: callStream, roles: handlers, retryOnConflict: true }),
  // Escalating is idempotent, so a retry after a conflict cannot do anything the sender did not mean.
  route(RequestEscalation, callDecider, { stream: callStream, roles: handlers, retryOnConflict: true }),
  route(JoinHuman, callDecider, byHandler),
  route(CoachAi, callDecider, byHandler),
  route(TakeOverCall, callDecider, byHandler),
  route(TransferCall, callDecider, byHandler),
  route(WrapUpCall, callDecider, byHandler),
  // Mostly the gateway reporting a hang-up, which races with the last utterances; ending is idempotent.
  route(EndCall, callDecider, { stream: callStream, roles: handlers, retryOnConflict: true }),
  // Sent by the SLA processor only; flagging is idempotent per metric, so a retry cannot flag twice.
  route(FlagSlaBreach, callDecider, { stream: callStream, roles: [], retryOnConflict: true }),
];

export const callReactions: Reactions = {};
