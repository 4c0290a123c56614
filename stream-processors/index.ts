/**
 * @ccp/stream-processors: the bus port (embedded log partitions, Kafka with the schema registry), the processor
 * runtime with checkpoints, projection versions and rebuilds, and the processors (audit, call facts, sentiment,
 * intent, SLA, usage, campaigns) with the NLP they use.
 */
export * from './src/bus/embedded.js';
export * from './src/bus/kafka.js';
export * from './src/bus/kafka-personal-data.js';
export * from './src/bus/partitions.js';
export * from './src/bus/port.js';
export * from './src/nlp/public-intents.js';
export * from './src/nlp/sentiment.js';
export * from './src/nlp/sentiment-trend.js';
export * from './src/processor.js';
export * from './src/processor-metrics.js';
export * from './src/processor-tracing.js';
export * from './src/processors/index.js';
export * from './src/processors/intent.js';
export * from './src/projection-versions.js';
export * from './src/rebuild.js';
export * from './src/runtime.js';
