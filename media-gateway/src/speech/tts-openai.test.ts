import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMachineVoice } from './machine-voice.js';
import { SpeechUnavailableError } from './port.js';
import { startOpenAiAudioStandIn, type OpenAiAudioStandIn } from './testing/stand-ins/openai-audio.js';
import { ttsContract } from './tts-contract.js';
import { OPENAI_VOICES, createOpenAiTextToSpeech, openAiVoiceFor } from './tts-openai.js';

const openAi = (standIn: OpenAiAudioStandIn) =>
  createOpenAiTextToSpeech({ apiKey: 'sk-test', baseURL: standIn.url, maxRetries: 0 });

// Against a local stand-in speaking OpenAI's audio speech wire format; it answers 24 kHz PCM of machine voice,
// so what the adapter makes of it (resampling, μ-law, framing) can be heard back.
ttsContract(
  'openai (local stand-in for the OpenAI speech API)',
  async () => {
    const standIn = await startOpenAiAudioStandIn();
    return {
      tts: openAi(standIn),
      hear: (audio) => decodeMachineVoice(audio)?.text,
      setProviderDown: (down) => {
        standIn.failing = down ? 503 : undefined;
      },
      close: () => standIn.close(),
    };
  },
  { providerCanFail: true },
);

describe('OpenAI TTS adapter (local stand-in for the OpenAI speech API)', () => {
  let standIn: OpenAiAudioStandIn;
  beforeAll(async () => {
    standIn = await startOpenAiAudioStandIn();
  });
  afterAll(() => standIn.close());

  it('asks for raw PCM with the default model and the mapped voice, and gets a third of the samples', async () => {
    const audio = await openAi(standIn).synthesize('Thank you for calling.', {
      voice: 'Charon',
      language: 'en',
    });
    expect(standIn.speech.at(-1)).toMatchObject({
      path: '/v1/audio/speech',
      authorization: 'Bearer sk-test',
      body: {
        model: 'gpt-4o-mini-tts',
        voice: 'echo',
        input: 'Thank you for calling.',
        response_format: 'pcm',
      },
    });
    // 24 kHz → 8 kHz: (22 bytes + start, checksum, end) frames of 20 ms.
    expect(audio.length).toBe((22 + 3) * 160);
  });

  it('maps every agent voice to a distinct OpenAI voice and passes OpenAI voices through', () => {
    expect(new Set(Object.values(OPENAI_VOICES)).size).toBe(8);
    expect(openAiVoiceFor('Zephyr')).toBe('alloy');
    expect(openAiVoiceFor('coral')).toBe('coral');
    expect(openAiVoiceFor('Nobody')).toBe('alloy');
  });

  it('uses the configured model', async () => {
    const tts = createOpenAiTextToSpeech({
      apiKey: 'k',
      baseURL: standIn.url,
      model: 'tts-1',
      maxRetries: 0,
    });
    await tts.synthesize('hi', { voice: 'Puck', language: 'en' });
    expect(standIn.speech.at(-1)?.body.model).toBe('tts-1');
  });

  it('turns an unreachable server into SpeechUnavailableError', async () => {
    const tts = createOpenAiTextToSpeech({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0 });
    await expect(tts.synthesize('hi', { voice: 'Puck', language: 'en' })).rejects.toBeInstanceOf(
      SpeechUnavailableError,
    );
  });
});
