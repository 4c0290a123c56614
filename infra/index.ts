/**
 * @ccp/infra: the composition root. Starting the one-process platform from its settings, the stream-processing
 * module, bootstrap and demo seed, local credentials, the local Kafka broker the Kafka profile and tests use,
 * Stripe's mock server (stripe-mock) the payments tests run against, and the local llama.cpp server (a real
 * OpenAI-compatible LLM) with its model, and the Prometheus server and promtool the metrics tests run.
 */
export * from './alerts/index.js';
export * from './backup/index.js';
export * from './embeddings/sentence-encoder.js';
export * from './kafka/local-kafka.js';
export * from './llama/llama-server.js';
export * from './llama/model.js';
export * from './platform/bootstrap.js';
export * from './platform/config.js';
export * from './platform/credentials.js';
export * from './platform/demo-seed.js';
export * from './platform/demo-appointments.js';
export * from './platform/demo-billing.js';
export * from './platform/platform.js';
export * from './platform/stream-processing.js';
export * from './prometheus/prometheus.js';
export * from './s3/fake-s3.js';
export * from './stripe/stripe-mock.js';
