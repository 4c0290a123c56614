/** @ccp/media-gateway/testing: audio signals for speech tests. */
export * from './src/speech/testing/signals.js';
