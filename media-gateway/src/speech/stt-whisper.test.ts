import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMachineVoice } from './machine-voice.js';
import { toFrames } from './mulaw.js';
import { SpeechUnavailableError } from './port.js';
import { sttContract } from './stt-contract.js';
import { createWhisperSpeechToText } from './stt-whisper.js';
import { startOpenAiAudioStandIn, type OpenAiAudioStandIn } from './testing/stand-ins/openai-audio.js';

const whisper = (standIn: OpenAiAudioStandIn) =>
  createWhisperSpeechToText({ apiKey: 'sk-test', baseURL: standIn.url, maxRetries: 0 });

// Against a local stand-in speaking OpenAI's audio transcriptions wire format (multipart in, verbose_json out).
sttContract(
  'whisper (local stand-in for the OpenAI transcriptions API)',
  async () => {
    const standIn = await startOpenAiAudioStandIn();
    standIn.language = 'english';
    return {
      stt: whisper(standIn),
      expectedLanguage: 'en',
      received: () =>
        standIn.transcriptions.map((t) => ({ sampleRate: t.wav.sampleRate, samples: t.wav.samples.length })),
      setProviderDown: (down) => {
        standIn.failing = down ? 500 : undefined;
      },
      close: () => standIn.close(),
    };
  },
  { interim: false, providerCanFail: true },
);

describe('whisper adapter (local stand-in for the OpenAI transcriptions API)', () => {
  let standIn: OpenAiAudioStandIn;
  beforeAll(async () => {
    standIn = await startOpenAiAudioStandIn();
  });
  afterAll(() => standIn.close());

  const transcribe = async (text: string, languages: readonly string[], hints?: readonly string[]) => {
    const session = whisper(standIn).start({ languages, ...(hints !== undefined && { hints }) });
    for (const frame of toFrames(encodeMachineVoice(text))) session.write(frame);
    return session.finish();
  };

  it('uploads a 16-bit mono 8 kHz WAV with model, verbose_json, hints as the prompt and the one language', async () => {
    await transcribe('hola', ['es'], ['Alvarez', 'Clínica Sol']);
    const request = standIn.transcriptions.at(-1);
    expect(request?.path).toBe('/v1/audio/transcriptions');
    expect(request?.authorization).toBe('Bearer sk-test');
    expect(request?.fields).toMatchObject({
      model: 'whisper-1',
      response_format: 'verbose_json',
      prompt: 'Alvarez, Clínica Sol',
      language: 'es',
    });
    expect(request?.fileName).toBe('utterance.wav');
    expect(request?.wav).toMatchObject({ format: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 });
  });

  it('leaves the language to Whisper when the tenant takes several', async () => {
    await transcribe('hola', ['en', 'es']);
    expect(standIn.transcriptions.at(-1)?.fields.language).toBeUndefined();
    expect(standIn.transcriptions.at(-1)?.fields.prompt).toBeUndefined();
  });

  it.each([
    ['spanish', ['en', 'es'], 'es'],
    ['french', ['fr-CA'], 'fr-CA'],
    ['german', ['en'], 'de'],
    ['portuguese', ['en', 'pt-BR'], 'pt-BR'],
    ['italian', ['it'], 'it'],
    ['english', ['en-US'], 'en-US'],
  ])('maps Whisper language %s to BCP 47 in the tenant form', async (name, languages, expected) => {
    standIn.language = name;
    expect((await transcribe('ciao', languages)).language).toBe(expected);
  });

  it('reports no language Whisper names but nobody maps', async () => {
    standIn.language = 'klingon';
    expect((await transcribe('qapla', ['en'])).language).toBeUndefined();
  });

  it('takes confidence from the segments, 0.9 without them', async () => {
    standIn.language = 'english';
    standIn.avgLogprob = -0.5;
    expect((await transcribe('maybe', ['en'])).confidence).toBeCloseTo(Math.exp(-0.5), 5);
    standIn.avgLogprob = undefined;
    expect((await transcribe('maybe', ['en'])).confidence).toBe(0.9);
    standIn.avgLogprob = -0.1;
  });

  it('turns an unreachable server and an answer off the contract into SpeechUnavailableError', async () => {
    const nowhere = createWhisperSpeechToText({
      apiKey: 'sk',
      baseURL: 'http://127.0.0.1:9/v1',
      maxRetries: 0,
    });
    const session = nowhere.start({ languages: ['en'] });
    session.write(encodeMachineVoice('hi'));
    await expect(session.finish()).rejects.toBeInstanceOf(SpeechUnavailableError);

    standIn.failing = 401;
    await expect(transcribe('hi', ['en'])).rejects.toThrow(/whisper: transcription failed/);
    standIn.failing = undefined;
  });
});
