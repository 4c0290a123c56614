import { decodeMachineVoice } from './machine-voice.js';
import { createMachineVoiceTextToSpeech } from './tts-machine-voice.js';
import { ttsContract } from './tts-contract.js';

ttsContract(
  'machine voice (embedded)',
  async () => ({
    tts: createMachineVoiceTextToSpeech(),
    hear: (audio) => decodeMachineVoice(audio)?.text,
    close: async () => {},
  }),
  { providerCanFail: false },
);
