import { encodeMachineVoice } from './machine-voice.js';
import type { TextToSpeech } from './port.js';

/**
 * The embedded voice: the agent speaks machine voice (see machine-voice.ts), which the caller simulator
 * decodes. For simulated callers only — a human would hear modem tones; on the embedded profile human callers
 * hear Twilio's own <Say> instead. Voice and language make no difference to the code.
 */
export const createMachineVoiceTextToSpeech = (): TextToSpeech => ({
  name: 'machine-voice',
  synthesize: async (text) => (text.trim() === '' ? Buffer.alloc(0) : encodeMachineVoice(text)),
});
