import { createHash } from 'node:crypto';
import type { SettingsOf } from '@ccp/schemas';
import { CommandRefusedError } from '../../conversation/commands.js';
import { excerpt } from '../http-result.js';
import type {
  AttemptResult,
  DeliveryContent,
  DeliveryRequest,
  IntegrationTarget,
  TestResult,
} from '../port.js';
import type { TargetDeps } from './index.js';

/** A message's body may hold at most this much (ScheduleMessage; an SMS of ten segments). */
export const NOTICE_BODY_LIMIT = 1600;
const SUBJECT_LIMIT = 200;
/** Message ids are EntityIds: at most 80 characters. */
const ID_LIMIT = 80;

type Notification = Extract<DeliveryContent, { kind: 'notification' }>;
type MessagingSettings = SettingsOf<'email'> | SettingsOf<'sms'> | SettingsOf<'whatsapp'>;

/**
 * The message of one recipient: the same for every attempt and replay of the delivery, so scheduling it again
 * is the same message (the message decider does nothing the second time) and nobody is told twice.
 */
export const noticeMessageId = (deliveryId: string, recipient: number): string => {
  const id = `${deliveryId}:to${recipient}`;
  if (id.length <= ID_LIMIT) return id;
  return `notice-${createHash('sha256').update(deliveryId).digest('hex').slice(0, 48)}:to${recipient}`;
};

const cut = (text: string, max: number): string =>
  max <= 0 ? '' : text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** Title, detail and link within the body limit: the detail is what gives way, the link stays whole. */
export const noticeBody = (content: Notification): string => {
  const title = cut(content.title, 300);
  const tail = content.link !== undefined ? `\n\n${content.link}` : '';
  const room = NOTICE_BODY_LIMIT - title.length - tail.length - 2;
  const text = content.text.trim() === '' ? '' : `\n\n${cut(content.text.trim(), room)}`;
  return cut(`${title}${room > 1 ? text : ''}${tail}`, NOTICE_BODY_LIMIT);
};

const noSender = (kind: string): string =>
  `${kind === 'sms' ? 'an SMS' : 'a WhatsApp'} connection sends from a number of the tenant: set settings.from`;

/**
 * Email, SMS and WhatsApp notifications through the platform's own messaging: one ScheduleMessage per recipient
 * (purpose `integration_notice`, due now), which the messaging worker sends with the platform's configured
 * provider (SMTP, Twilio, or the outbox), retrying and recording as it does for every message.
 */
export const createMessagingNotifyTarget = (deps: TargetDeps): IntegrationTarget => {
  const schedule = async (
    request: DeliveryRequest,
    settings: MessagingSettings,
    content: Notification,
  ): Promise<AttemptResult> => {
    const from = settings.kind === 'email' ? undefined : settings.from;
    if (settings.kind !== 'email' && from === undefined)
      return { ok: false, errorKind: 'client_error', error: noSender(settings.kind), retryable: false };
    const body = noticeBody(content);
    const ids = settings.to.map((_to, index) => noticeMessageId(request.deliveryId, index));
    try {
      for (const [index, to] of settings.to.entries()) {
        await deps.commands.send(
          'ScheduleMessage',
          {
            tenantId: request.connection.tenantId,
            messageId: ids[index],
            channel: settings.kind,
            to,
            ...(from !== undefined && { from }),
            purpose: 'integration_notice',
            language: 'en',
            ...(settings.kind === 'email' && { subject: cut(content.title, SUBJECT_LIMIT) }),
            body,
            dueAt: request.now.toISOString(),
          },
          { correlationId: request.source.eventId },
        );
      }
    } catch (error) {
      // A refusal (a recipient the schema no longer takes, an id taken by a received message) will not change.
      if (error instanceof CommandRefusedError)
        return {
          ok: false,
          errorKind: 'client_error',
          error: excerpt(`${error.code}: ${error.message}`),
          retryable: false,
        };
      return {
        ok: false,
        errorKind: 'server_error',
        error: excerpt(`messaging: ${error instanceof Error ? error.message : String(error)}`),
        retryable: true,
      };
    }
    return { ok: true, ...(ids[0] !== undefined && { externalId: ids[0] }) };
  };

  return {
    kinds: ['email', 'sms', 'whatsapp'],
    actions: ['notify'],
    deliver: async (request) => {
      if (request.content.kind !== 'notification')
        return {
          ok: false,
          errorKind: 'client_error',
          error: 'messaging takes notifications',
          retryable: false,
        };
      return schedule(request, request.connection.settings as MessagingSettings, request.content);
    },
    test: (connection): Promise<TestResult> => {
      const settings = connection.settings as MessagingSettings;
      if (settings.kind !== 'email' && settings.from === undefined)
        return Promise.resolve({ ok: false, message: noSender(settings.kind) });
      const provider = settings.kind === 'email' ? 'email' : 'SMS/WhatsApp';
      return Promise.resolve({
        ok: true,
        message: `notifications go out through the platform's configured ${provider} provider (no message was sent)`,
      });
    },
  };
};
