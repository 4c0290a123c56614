import { describe, expect, it } from 'vitest';
import { SpeechConfigError, createSpeech } from './index.js';
import { toFrames } from './mulaw.js';

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
});
