import {
  decodeEvent,
  topicOf,
  type DeliveryAction,
  type DeliverySource,
  type EventEnvelope,
  type NotificationTopic,
} from '@ccp/schemas';
import type { EventStore } from '@ccp/command-service';
import type { DeliveryContent } from './port.js';

type Line = { readonly speaker: string; readonly text: string };
type Priority = 'low' | 'normal' | 'high' | 'urgent';

const readEvents = async (
  store: Pick<EventStore, 'readStream'>,
  streamId: string,
): Promise<EventEnvelope[]> =>
  (await store.readStream(streamId)).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    return decoded.ok ? [decoded.value] : [];
  });

const callIdOf = (streamId: string): string => streamId.slice(streamId.indexOf('.') + 1);

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** What a call's stream says, folded: who called whom, how it ended, what was said. */
interface CallFacts {
  readonly started?: EventEnvelope;
  readonly ended?: EventEnvelope;
  readonly summary?: { readonly summary?: string; readonly outcome?: string };
  readonly transcript: Line[];
}

const foldCall = (events: readonly EventEnvelope[]): CallFacts => {
  let started: EventEnvelope | undefined;
  let ended: EventEnvelope | undefined;
  let summary: CallFacts['summary'];
  const transcript: Line[] = [];
  for (const event of events) {
    const data = event.data as Record<string, unknown>;
    if (event.type === 'CallStarted') started = event;
    else if (event.type === 'CallEnded') ended = event;
    else if (event.type === 'CallSummarized')
      summary = {
        ...(str(data['summary']) !== undefined && { summary: str(data['summary']) }),
        ...(str(data['outcome']) !== undefined && { outcome: str(data['outcome']) }),
      };
    else if (event.type === 'UtteranceRecorded')
      transcript.push({ speaker: str(data['speaker']) ?? 'caller', text: str(data['text']) ?? '' });
    else if (event.type === 'AiReplied') transcript.push({ speaker: 'ai', text: str(data['text']) ?? '' });
  }
  return { ...(started && { started }), ...(ended && { ended }), ...(summary && { summary }), transcript };
};

const TOPIC_TITLES: Record<NotificationTopic, string> = {
  escalation_waiting: 'A caller is waiting for a person',
  sla_breach: 'A call missed its service level target',
  usage_cap: 'The usage cap is reached',
  negative_sentiment: 'A call was escalated for negative sentiment',
  voicemail: 'A new voicemail',
  ticket_opened: 'A ticket was opened',
  message_taken: 'A message was taken for you',
  payment_failed: 'A payment failed',
};

/** The few lines a notification carries: what the event says, never the whole record. */
const notificationText = (event: EventEnvelope): string => {
  const data = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'CallQueued':
      return `Queue: ${str(data['queue']) ?? 'default'}`;
    case 'SlaBreached':
      return `${String(data['metric'])}: ${String(data['actual'])} s against a target of ${String(data['target'])} s`;
    case 'EscalationRequested':
      return str(data['summary']) ?? '';
    case 'VoicemailLeft':
      return str(data['text']) ?? '';
    case 'TicketOpened':
      return [str(data['subject']), `Priority: ${String(data['priority'])}`].filter(Boolean).join('\n');
    case 'MessageTaken':
      return [str(data['callerName']), str(data['message'])].filter(Boolean).join(': ');
    default:
      return event.type;
  }
};

const linkOf = (event: EventEnvelope, consoleUrl: string): string | undefined => {
  const base = consoleUrl.replace(/\/$/, '');
  if (event.streamId.startsWith('call-')) return `${base}/calls/${callIdOf(event.streamId)}`;
  if (event.streamId.startsWith('ticket-')) return `${base}/tickets/${callIdOf(event.streamId)}`;
  if (event.type === 'PaymentFailed' || event.type === 'UsageCapReached') return `${base}/billing`;
  return undefined;
};

const renderCall = (callId: string, facts: CallFacts): DeliveryContent => {
  const start = (facts.started?.data ?? {}) as Record<string, unknown>;
  const end = (facts.ended?.data ?? {}) as Record<string, unknown>;
  const direction = start['direction'] === 'outbound' ? 'outbound' : 'inbound';
  const customer = str(direction === 'inbound' ? start['from'] : start['to']) ?? '';
  const businessNumber = str(direction === 'inbound' ? start['to'] : start['from']) ?? '';
  return {
    kind: 'call',
    callId,
    direction,
    customer,
    businessNumber,
    startedAt: str(start['startedAt']) ?? facts.started?.occurredAt ?? '',
    endedAt: facts.ended?.occurredAt ?? '',
    durationSeconds: typeof end['durationSeconds'] === 'number' ? end['durationSeconds'] : 0,
    disposition: str(end['outcome']) ?? 'completed',
    ...(facts.summary?.outcome !== undefined && { outcome: facts.summary.outcome }),
    ...(facts.summary?.summary !== undefined && { summary: facts.summary.summary }),
    transcript: facts.transcript,
  };
};

const renderTicket = async (
  store: Pick<EventStore, 'readStream'>,
  event: EventEnvelope,
  callEvents: readonly EventEnvelope[] | undefined,
): Promise<DeliveryContent> => {
  const data = event.data as Record<string, unknown>;
  if (event.type === 'EscalationRequested') {
    const callId = callIdOf(event.streamId);
    const facts = foldCall(callEvents ?? []);
    const from = str((facts.started?.data as Record<string, unknown> | undefined)?.['from']);
    const summary = str(data['summary']) ?? '';
    return {
      kind: 'ticket',
      externalRef: `call:${callId}`,
      subject: `Escalation: ${String(data['reason'])}`,
      description: summary,
      priority: 'high',
      ...(from !== undefined && { customer: { phone: from } }),
      summary: facts.summary?.summary ?? summary,
      transcript: facts.transcript,
      callId,
    };
  }
  const callId = str(data['callId']);
  const facts = callId
    ? foldCall(await readEvents(store, `call-${event.tenantId}.${callId}`))
    : { transcript: [] as Line[] };
  const customer = data['customer'] as { name?: string; phone?: string; email?: string } | undefined;
  return {
    kind: 'ticket',
    externalRef: callIdOf(event.streamId),
    subject: str(data['subject']) ?? '',
    description: str(data['description']) ?? '',
    priority: (str(data['priority']) ?? 'normal') as Priority,
    ...(customer && { customer }),
    ...(facts.summary?.summary !== undefined && { summary: facts.summary.summary }),
    transcript: facts.transcript,
    ...(callId !== undefined && { callId }),
  };
};

const readAt = async (
  store: Pick<EventStore, 'readStream' | 'readAll'>,
  source: DeliverySource,
): Promise<EventEnvelope[]> => {
  const [recorded] = await store.readAll({ after: source.position - 1, maxCount: 1 });
  const decoded = recorded?.id === source.eventId ? decodeEvent(recorded) : undefined;
  return decoded?.ok ? [decoded.value] : readEvents(store, source.streamId);
};

/**
 * The content of a delivery, rendered from its source event as the log holds it now (store reads open personal
 * data; a customer erased since renders without it). Undefined when the source event is gone.
 */
export const renderContent = async (
  store: Pick<EventStore, 'readStream' | 'readAll'>,
  consoleUrl: string,
  action: DeliveryAction,
  source: DeliverySource,
): Promise<DeliveryContent | undefined> => {
  // Webhooks and notifications need the event alone: read it at its position, not its whole (call) stream.
  const whole = action === 'log_call' || action === 'open_ticket';
  const events = whole ? await readEvents(store, source.streamId) : await readAt(store, source);
  const event = events.find((e) => e.id === source.eventId);
  if (!event) return undefined;
  switch (action) {
    case 'send_webhook':
      // Thin: where to read what happened, never the personal data itself.
      return {
        kind: 'event',
        type: event.type,
        timestamp: event.occurredAt,
        data: {
          tenantId: event.tenantId,
          eventId: event.id,
          eventType: event.type,
          streamId: event.streamId,
          position: source.position,
          occurredAt: event.occurredAt,
          correlationId: event.correlationId,
        },
      };
    case 'notify': {
      const topic = topicOf(event);
      if (!topic) return undefined;
      const link = linkOf(event, consoleUrl);
      return {
        kind: 'notification',
        topic,
        title: TOPIC_TITLES[topic],
        text: notificationText(event),
        ...(link !== undefined && { link }),
      };
    }
    case 'log_call':
      return renderCall(callIdOf(event.streamId), foldCall(events));
    case 'open_ticket':
      return renderTicket(store, event, event.streamId.startsWith('call-') ? events : undefined);
  }
};
