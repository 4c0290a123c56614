import {
  CancelMessage,
  ReceiveMessage,
  RecordMessageFailure,
  RecordMessageSent,
  RecordMessageStatus,
  RecordReplyHandling,
  ScheduleMessage,
  StartMessageDelivery,
} from '@ccp/schemas';
import { messageDecider } from '../domain/message.js';
import { route, type CommandRoute, type Reactions } from './route.js';

export const messageStream = (data: { tenantId: string; messageId: string }) => ({
  category: 'message',
  tenantId: data.tenantId,
  id: data.messageId,
});

// A message is a timer: no decision depends on what the sender saw, so a conflict is decided again.
const staff = {
  stream: messageStream,
  roles: ['tenant_admin', 'supervisor', 'agent'],
  retryOnConflict: true,
} as const;
// The delivery worker, the provider callbacks and the reply handler send these, after their own checks.
const platform = { stream: messageStream, roles: [], retryOnConflict: true } as const;

export const messageRoutes: readonly CommandRoute[] = [
  route(ScheduleMessage, messageDecider, staff),
  route(CancelMessage, messageDecider, staff),
  route(StartMessageDelivery, messageDecider, platform),
  route(RecordMessageSent, messageDecider, platform),
  route(RecordMessageFailure, messageDecider, platform),
  route(RecordMessageStatus, messageDecider, platform),
  route(ReceiveMessage, messageDecider, platform),
  route(RecordReplyHandling, messageDecider, platform),
];
export const messageReactions: Reactions = {};
