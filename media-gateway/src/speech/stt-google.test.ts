import { credentials, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMachineVoice } from './machine-voice.js';
import { toFrames } from './mulaw.js';
import type { RecognitionOptions } from './port.js';
import { sttContract } from './stt-contract.js';
import { createGoogleSpeechToText } from './stt-google.js';
import { startGoogleSpeechStandIn, type GoogleSpeechStandIn } from './testing/stand-ins/google-speech.js';

const google = (standIn: GoogleSpeechStandIn) =>
  createGoogleSpeechToText({
    apiEndpoint: standIn.host,
    port: standIn.port,
    sslCreds: credentials.createInsecure(),
  });

// Against a local gRPC stand-in implementing google.cloud.speech.v1.Speech/StreamingRecognize from the
// client library's own proto.
sttContract(
  'google (local gRPC stand-in for Speech-to-Text v1 streaming)',
  async () => {
    const standIn = await startGoogleSpeechStandIn();
    standIn.languageCode = 'en-us';
    const stt = google(standIn);
    return {
      stt,
      expectedLanguage: 'en',
      received: () =>
        standIn.received.map((r) => ({
          sampleRate: r.config.config?.sampleRateHertz ?? 0,
          samples: r.audioBytes,
        })),
      setProviderDown: (down) => {
        standIn.failing = down ? status.UNAVAILABLE : undefined;
      },
      close: async () => {
        await stt.close();
        await standIn.close();
      },
    };
  },
  { interim: true, providerCanFail: true },
);

describe('google adapter (local gRPC stand-in for Speech-to-Text v1 streaming)', () => {
  let standIn: GoogleSpeechStandIn;
  let stt: ReturnType<typeof google>;
  beforeAll(async () => {
    standIn = await startGoogleSpeechStandIn();
    stt = google(standIn);
  });
  afterAll(async () => {
    await stt.close();
    await standIn.close();
  });

  const recognize = async (text: string, options: RecognitionOptions) => {
    const session = stt.start(options);
    for (const frame of toFrames(encodeMachineVoice(text))) session.write(frame);
    return session.finish();
  };

  it('streams MULAW 8 kHz with the languages, the hints as speech contexts and interim results on', async () => {
    await recognize('hola', { languages: ['es-MX', 'en-US', 'fr'], hints: ['Alvarez'] });
    expect(standIn.received.at(-1)?.config).toEqual({
      config: {
        encoding: 'MULAW',
        sampleRateHertz: 8000,
        audioChannelCount: 1,
        languageCode: 'es-MX',
        alternativeLanguageCodes: ['en-US', 'fr'],
        speechContexts: [{ phrases: ['Alvarez'] }],
      },
      interimResults: true,
    });
  });

  it('reports the language of the result in the form the tenant configured', async () => {
    standIn.languageCode = 'es-mx';
    expect((await recognize('si', { languages: ['en-US', 'es-MX'] })).language).toBe('es-MX');
    expect((await recognize('si', { languages: ['en', 'es'] })).language).toBe('es');
    standIn.languageCode = 'fr-fr';
    const transcript = await recognize('oui', { languages: ['en'] });
    expect(transcript).toMatchObject({ text: 'oui', isFinal: true, language: 'fr-fr' });
    expect(transcript.confidence).toBeCloseTo(0.92, 5); // a float32 on the wire
  });
});
