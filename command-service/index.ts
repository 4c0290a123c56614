/**
 * @ccp/command-service: the write side. What other packages may use: the event store port and its adapters,
 * the command handler, routes and reactor, identity (sign-in, sessions, API keys, SSO), the one authorization
 * function, the HTTP command API, the outbound-request guard, and the platform plug-in contract (PlatformModule,
 * PlatformContext, the settings types) that every service implements and the composition root (infra) wires.
 */
export * from './src/platform/module.js';
export * from './src/platform/settings.js';

export * from './src/event-store/index.js';
export * from './src/event-store/port.js';
export * from './src/event-store/sqlite.js';
export * from './src/event-store/hash-chain.js';
export * from './src/event-store/log-follower.js';
export * from './src/event-store/personal-data.js';

export * from './src/application/checkpoints.js';
export * from './src/application/command-handler.js';
export * from './src/application/errors.js';
export * from './src/application/reactor.js';
export * from './src/commands/index.js';
export { fold, type Decider } from './src/domain/decider.js';
export { agentDecider } from './src/domain/agent.js';
export { tenantDecider } from './src/domain/tenant.js';
export { alertDecider, type AlertEvent, type AlertState } from './src/domain/alert.js';
export { deliveryDecider, type DeliveryState } from './src/domain/integration/delivery.js';
export * from './src/domain/campaign/index.js';
export { doNotCallDecider, isOnDoNotCallList, type DoNotCallState } from './src/domain/do-not-call.js';
export { serviceDecider, type ServiceEvent, type ServiceState } from './src/domain/service.js';
export {
  checkTemplates,
  scheduleDecider,
  TENANT_FEED,
  type ScheduleEvent,
  type ScheduleState,
} from './src/domain/schedule.js';
export { contactDecider, hasConsent, type ContactEvent, type ContactState } from './src/domain/contact.js';
export {
  MAX_RETRY_MS,
  messageDecider,
  messageStatusOf,
  nextDeliveryAt,
  retryAtOf,
  type DeliveryStatus,
  type InboundState,
  type MessageEvent,
  type MessageState,
  type OutboundState,
  type OutboundStatus,
} from './src/domain/message.js';
export * from './src/domain/scheduling/index.js';
export {
  calendarDecider,
  calendarViewOf,
  type CalendarCommand,
  type CalendarEvent,
  type CalendarState,
  type TimeOffEntry,
} from './src/domain/calendar.js';
export * from './src/domain/reminders/index.js';
export {
  accountDecider,
  isLiveSubscription,
  meterDecider,
  monthInvoiceOf,
  segmentsUntil,
  tierAt,
  unpaidInvoiceIds,
  type AccountCommand,
  type AccountEvent,
  type AccountState,
  type Dunning,
  type MeterCommand,
  type MeterEvent,
  type MeterState,
  type MeterTotals,
  type OpenAccount,
} from './src/domain/billing/index.js';

export * from './src/http/authorize.js';
export * from './src/http/command-api.js';
export * from './src/http/errors.js';
export * from './src/http/http-metrics.js';
export * from './src/http/http-tracing.js';
export * from './src/http/metrics-endpoint.js';
export * from './src/http/lead-import/api.js';
export * from './src/http/lead-import/numbers.js';
export * from './src/http/rate-limit.js';

export * from './src/identity/auth.js';
export * from './src/identity/identity-store.js';
export * from './src/identity/oidc.js';
export * from './src/identity/passwords.js';
export * from './src/identity/totp.js';

export * from './src/net/outbound-guard.js';
export { tracedFetch } from './src/net/outbound-tracing.js';

export * from './src/observability/metrics.js';
export * from './src/observability/command-metrics.js';
export * from './src/observability/event-store-metrics.js';
export * from './src/observability/delivery-metrics.js';
export * from './src/observability/tracing.js';
export * from './src/observability/command-tracing.js';

export * from './src/payments/index.js';
