import { expect, it } from 'vitest';
import { encodeMachineVoice } from './machine-voice.js';
import { toFrames } from './mulaw.js';
import { sttContract } from './stt-contract.js';
import { createMachineVoiceSpeechToText } from './stt-machine-voice.js';
import { toneFrames } from './testing/signals.js';

sttContract(
  'machine voice (embedded)',
  async () => ({ stt: createMachineVoiceSpeechToText(), expectedLanguage: undefined, close: async () => {} }),
  { interim: true, providerCanFail: false },
);

it('machine voice: reports less than full confidence for a garbled utterance', async () => {
  const frames = toFrames(encodeMachineVoice('book a table for two'));
  frames[6] = toneFrames([700, 1800], 20, 12_000)[0] ?? Buffer.alloc(160);
  const session = createMachineVoiceSpeechToText().start({ languages: ['en'] });
  for (const frame of frames) session.write(frame);
  const transcript = await session.finish();
  expect(transcript.confidence).toBeGreaterThan(0);
  expect(transcript.confidence).toBeLessThan(1);
  expect(transcript.language).toBeUndefined();
});

it('machine voice: joins two utterances heard in one stretch of speech', async () => {
  const session = createMachineVoiceSpeechToText().start({ languages: ['en'] });
  for (const frame of toFrames(Buffer.concat([encodeMachineVoice('yes'), encodeMachineVoice('tomorrow')]))) {
    session.write(frame);
  }
  expect(await session.finish()).toEqual({ text: 'yes tomorrow', confidence: 1, isFinal: true });
});
