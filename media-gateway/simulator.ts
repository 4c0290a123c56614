/** @ccp/media-gateway/simulator: the caller simulator and the local carrier (the embedded stand-in for Twilio). */
export * from './src/simulator/caller.js';
export * from './src/simulator/local-carrier.js';
export * from './src/simulator/local-messages.js';
export * from './src/simulator/media-stream-client.js';
export * from './src/simulator/phone-call.js';
export * from './src/simulator/scenarios.js';
export * from './src/simulator/signed-request.js';
export * from './src/simulator/transcript.js';
export * from './src/simulator/twiml.js';
