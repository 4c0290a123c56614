export {
  appointmentMessageId,
  derivedMessageId,
  planAppointmentMessages,
  planCancellationNotice,
  type AppointmentToPlan,
  type BusinessToPlan,
  type ContactToPlan,
  type PlanInput,
  type PlannedMessage,
  type ServiceToPlan,
} from './plan.js';
export { replyIntentOf, replyLanguageOf } from './reply-intent.js';
export { replyText, type ReplyAnswer } from './default-templates.js';
export { insideQuietHours, outsideQuietHours, type QuietHours } from './quiet-hours.js';
export { localDateTimeAt, instantOfLocal } from './local-time.js';
