import { credentials as grpcCredentials } from '@grpc/grpc-js';
import type { SpeechToText, TextToSpeech } from './port.js';
import { createGoogleSpeechToText } from './stt-google.js';
import { createMachineVoiceSpeechToText } from './stt-machine-voice.js';
import { createWhisperSpeechToText } from './stt-whisper.js';
import { createMachineVoiceTextToSpeech } from './tts-machine-voice.js';
import { createOpenAiTextToSpeech } from './tts-openai.js';

export type {
  RecognitionOptions,
  RecognitionSession,
  SpeechToText,
  SynthesisOptions,
  TextToSpeech,
  Transcript,
} from './port.js';
export { EMPTY_TRANSCRIPT, FRAME_BYTES, FRAME_MS, SAMPLE_RATE, SpeechUnavailableError } from './port.js';

export interface GoogleServiceAccount {
  readonly client_email: string;
  readonly private_key: string;
  readonly project_id?: string;
}

export interface SpeechConfig {
  readonly sttProvider: 'machine-voice' | 'whisper' | 'google';
  readonly ttsProvider: 'machine-voice' | 'openai';
  /** Whisper and OpenAI TTS. */
  readonly openaiApiKey?: string;
  /** An OpenAI-compatible server instead of OpenAI's. */
  readonly openaiBaseUrl?: string;
  readonly whisperModel?: string;
  readonly openaiTtsModel?: string;
  /** Google Speech: a service account key. */
  readonly googleCredentials?: GoogleServiceAccount;
  /**
   * Google Speech at another address without TLS or Google auth: a local stand-in or emulator. Enough on its
   * own, no credentials needed.
   */
  readonly googleInsecureEndpoint?: { readonly host: string; readonly port: number };
}

export interface Speech {
  readonly stt: SpeechToText;
  readonly tts: TextToSpeech;
  /** Releases provider connections (Google's gRPC channel). */
  close(): Promise<void>;
}

export class SpeechConfigError extends Error {
  override readonly name = 'SpeechConfigError';
}

const needsOpenAiKey = (config: SpeechConfig, what: string): string => {
  if (config.openaiApiKey === undefined || config.openaiApiKey === '') {
    throw new SpeechConfigError(`${what} needs an OpenAI API key (openaiApiKey / OPENAI_API_KEY)`);
  }
  return config.openaiApiKey;
};

const createStt = (
  config: SpeechConfig,
  fetch: typeof globalThis.fetch | undefined,
): SpeechToText & { close?(): Promise<void> } => {
  switch (config.sttProvider) {
    case 'machine-voice':
      return createMachineVoiceSpeechToText();
    case 'whisper':
      return createWhisperSpeechToText({
        apiKey: needsOpenAiKey(config, "speech-to-text provider 'whisper'"),
        ...(config.openaiBaseUrl !== undefined && { baseURL: config.openaiBaseUrl }),
        ...(config.whisperModel !== undefined && { model: config.whisperModel }),
        ...(fetch !== undefined && { fetch }),
      });
    case 'google': {
      const { googleCredentials: account, googleInsecureEndpoint: endpoint } = config;
      if (account === undefined && endpoint === undefined) {
        throw new SpeechConfigError(
          "speech-to-text provider 'google' needs a service account key (googleCredentials / GOOGLE_APPLICATION_CREDENTIALS)",
        );
      }
      return createGoogleSpeechToText({
        ...(account !== undefined && {
          credentials: { client_email: account.client_email, private_key: account.private_key },
          ...(account.project_id !== undefined && { projectId: account.project_id }),
        }),
        ...(endpoint !== undefined && {
          apiEndpoint: endpoint.host,
          port: endpoint.port,
          sslCreds: grpcCredentials.createInsecure(),
        }),
      });
    }
  }
};

const createTts = (config: SpeechConfig, fetch: typeof globalThis.fetch | undefined): TextToSpeech => {
  switch (config.ttsProvider) {
    case 'machine-voice':
      return createMachineVoiceTextToSpeech();
    case 'openai':
      return createOpenAiTextToSpeech({
        apiKey: needsOpenAiKey(config, "text-to-speech provider 'openai'"),
        ...(config.openaiBaseUrl !== undefined && { baseURL: config.openaiBaseUrl }),
        ...(config.openaiTtsModel !== undefined && { model: config.openaiTtsModel }),
        ...(fetch !== undefined && { fetch }),
      });
  }
};

/**
 * The speech ports for the configured providers. The embedded default ('machine-voice' both ways) needs no
 * network and no key, and serves SIMULATED callers only (see machine-voice.ts); a provider chosen without its
 * key fails here, at start-up, not on the first call. `transport.fetch` (the platform's traced one) carries the
 * OpenAI speech requests; Google's speech-to-text speaks gRPC and is not traced.
 */
export const createSpeech = (
  config: SpeechConfig,
  transport: { readonly fetch?: typeof fetch } = {},
): Speech => {
  const stt = createStt(config, transport.fetch);
  const tts = createTts(config, transport.fetch);
  return { stt, tts, close: async () => stt.close?.() };
};
