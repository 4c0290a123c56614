/**
 * @ccp/media-gateway: the telephony service as a platform module (Twilio webhooks, Media Streams, routing, the
 * conversation engine), plus what the composition root and tests need from it: business hours, provider failures,
 * call control, Twilio signatures, audio codecs and the machine voice.
 */
export * from './src/command-sender.js';
export * from './src/dialer/dialer.js';
export * from './src/dialer/campaign-view.js';
export * from './src/dialer/callbacks.js';
export * from './src/embeddings/sentence-encoder.js';
export * from './src/llm/port.js';
export * from './src/llm/provider-failures.js';
// A real OpenAI-compatible server (llama.cpp) is tested through the adapter itself, not only the gateway.
export { createOpenAiModel, type OpenAiModelOptions } from './src/llm/openai.js';
export * from './src/module.js';
export * from './src/routing/business-hours.js';
export * from './src/speech/machine-voice.js';
export * from './src/speech/mulaw.js';
export * from './src/speech/wav.js';
export * from './src/telephony/call-control.js';
export * from './src/telephony/carrier.js';
export * from './src/telephony/twilio-signature.js';
export { startBilling, type BillingHooks, type RunningBilling } from './src/billing/start.js';
export { BILLING_CHECKPOINT, type BillingWorker, type BillingWorkerStats } from './src/billing/worker.js';
export { METER_RELAY_CHECKPOINT, type MeterRelay, type MeterRelayStats } from './src/billing/relay.js';
export { STRIPE_WEBHOOK_PATH } from './src/billing/webhook.js';
export { noticeMessageId } from './src/billing/notices.js';
export { CONNECTIONS_ROUTES } from './src/integrations/connections-api.js';
export { CRM_RECORD_ROUTES } from './src/integrations/crm-record-api.js';
// The platform's alerts (infra/alerts) notify through the same Slack and Telegram targets, with the sealed
// secrets of a connection the rule names.
export { ConnectionsView, type Connection, type Secrets } from './src/integrations/connections.js';
export { createTargets, type TargetDeps } from './src/integrations/targets/index.js';
export type { AttemptResult, IntegrationTarget } from './src/integrations/port.js';
export { complianceModule, COMPLIANCE_ROUTES, type ComplianceModule } from './src/compliance/module.js';
export {
  twilioRecordingDeleter,
  type RecordingDeleter,
  type RecordingOutcome,
} from './src/compliance/recordings.js';
