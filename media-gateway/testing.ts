export * from './src/speech/testing/signals.js';
