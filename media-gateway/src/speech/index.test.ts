import { describe, expect, it } from 'vitest';
import { SpeechConfigError, createSpeech } from './index.js';
import { encodeMachineVoice } from './machine-voice.js';
import { toFrames } from './mulaw.js';
import { startOpenAiAudioStandIn } from './testing/stand-ins/openai-audio.js';

describe('createSpeech', () => {
  it('runs the embedded default with no key and no network: what the agent says, the recognizer hears', async () => {
    const speech = createSpeech({ sttProvider: 'machine-voice', ttsProvider: 'machine-voice' });
    expect([speech.stt.name, speech.tts.name]).toEqual(['machine-voice', 'machine-voice']);
    const audio = await speech.tts.synthesize('How can I help you today?', { voice: 'Puck', language: 'en' });
    const session = speech.stt.start({ languages: ['en'] });
    for (const frame of toFrames(audio)) session.write(frame);
    expect((await session.finish()).text).toBe('How can I help you today?');
    await speech.close();
  });

  it('builds the cloud providers when given their keys', async () => {
    const speech = createSpeech({
      sttProvider: 'whisper',
      ttsProvider: 'openai',
      openaiApiKey: 'sk-test',
      openaiBaseUrl: 'http://127.0.0.1:9/v1',
    });
    expect([speech.stt.name, speech.tts.name]).toEqual(['whisper', 'openai-tts']);
    const google = createSpeech({
      sttProvider: 'google',
      ttsProvider: 'machine-voice',
      googleInsecureEndpoint: { host: '127.0.0.1', port: 9 },
    });
    expect(google.stt.name).toBe('google');
    // Nothing is dialled until audio arrives.
    const session = google.stt.start({ languages: ['en'] });
    expect(await session.finish()).toMatchObject({ text: '' });
    await google.close();
  });

  it('refuses a provider chosen without its key, saying which key', () => {
    expect(() => createSpeech({ sttProvider: 'whisper', ttsProvider: 'machine-voice' })).toThrow(
      SpeechConfigError,
    );
    expect(() =>
      createSpeech({ sttProvider: 'whisper', ttsProvider: 'machine-voice', openaiApiKey: '' }),
    ).toThrow(/'whisper' needs an OpenAI API key/);
    expect(() => createSpeech({ sttProvider: 'machine-voice', ttsProvider: 'openai' })).toThrow(
      /'openai' needs an OpenAI API key/,
    );
    expect(() => createSpeech({ sttProvider: 'google', ttsProvider: 'machine-voice' })).toThrow(
      /'google' needs a service account key/,
    );
  });

  it("sends Whisper's and OpenAI TTS's requests through the transport's fetch (the platform's traced one)", async () => {
    const standIn = await startOpenAiAudioStandIn();
    const asked: string[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      // The SDK also fetches a data: URL of its own (to build its multipart body), never over the network.
      if (url.protocol === 'http:') asked.push(url.pathname);
      return globalThis.fetch(input, init);
    };
    try {
      const speech = createSpeech(
        {
          sttProvider: 'whisper',
          ttsProvider: 'openai',
          openaiApiKey: 'sk-test',
          openaiBaseUrl: standIn.url,
        },
        { fetch },
      );
      expect(
        (await speech.tts.synthesize('Hello.', { voice: 'Puck', language: 'en' })).length,
      ).toBeGreaterThan(0);
      const session = speech.stt.start({ languages: ['en'] });
      for (const frame of toFrames(encodeMachineVoice('hello there'))) session.write(frame);
      await session.finish();
      expect(asked).toEqual(['/v1/audio/speech', '/v1/audio/transcriptions']);
    } finally {
      await standIn.close();
    }
  });
});
