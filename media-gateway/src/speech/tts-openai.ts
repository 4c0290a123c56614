import { recordProviderFailure, recordProviderSuccess } from '../llm/provider-failures.js';
import OpenAI from 'openai';
import { padToFrames, pcmToMulaw, resample } from './mulaw.js';
import { SAMPLE_RATE, SpeechUnavailableError, type TextToSpeech } from './port.js';

export interface OpenAiTtsOptions {
  readonly apiKey: string;
  /** Any OpenAI-compatible speech server; OpenAI's when omitted. */
  readonly baseURL?: string;
  readonly model?: string;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
  /** The platform's traced fetch (sends the current span as a traceparent); the SDK's own when omitted. */
  readonly fetch?: typeof fetch;
}

/** OpenAI's `pcm` response format: 24 kHz, 16-bit signed little-endian, mono. */
const OPENAI_PCM_RATE = 24_000;

/**
 * The agent voices (Gemini Live names, which the agent settings use) to the OpenAI voice of the closest
 * character: Puck upbeat, Charon informative, Kore firm, Fenrir excitable, Aoede breezy, Leda youthful, Orus
 * firm, Zephyr bright.
 */
export const OPENAI_VOICES: Readonly<Record<string, string>> = {
  Puck: 'ash',
  Charon: 'echo',
  Kore: 'sage',
  Fenrir: 'verse',
  Aoede: 'coral',
  Leda: 'shimmer',
  Orus: 'ballad',
  Zephyr: 'alloy',
};
const NATIVE_VOICES = new Set([
  'alloy',
  'ash',
  'ballad',
  'coral',
  'echo',
  'fable',
  'nova',
  'onyx',
  'sage',
  'shimmer',
  'verse',
  'marin',
  'cedar',
]);

/** An agent voice, or an OpenAI voice named directly, as the OpenAI voice to ask for. */
export const openAiVoiceFor = (voice: string): string =>
  OPENAI_VOICES[voice] ?? (NATIVE_VOICES.has(voice.toLowerCase()) ? voice.toLowerCase() : 'alloy');

/** Raw little-endian 16-bit PCM bytes as samples (an odd trailing byte is dropped). */
const pcm16le = (bytes: Buffer): Int16Array => {
  const samples = new Int16Array(Math.floor(bytes.length / 2));
  for (let i = 0; i < samples.length; i += 1) samples[i] = bytes.readInt16LE(i * 2);
  return samples;
};

/** OpenAI text-to-speech: raw 24 kHz PCM, resampled to 8 kHz, μ-law encoded and padded to whole frames. */
export const createOpenAiTextToSpeech = (options: OpenAiTtsOptions): TextToSpeech => {
  const client = new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseURL !== undefined && { baseURL: options.baseURL }),
    timeout: options.timeoutMs ?? 15_000,
    maxRetries: options.maxRetries ?? 1,
    ...(options.fetch !== undefined && { fetch: options.fetch }),
  });
  const model = options.model ?? 'gpt-4o-mini-tts';
  return {
    name: 'openai-tts',
    synthesize: async (text, synthesis) => {
      if (text.trim() === '') return Buffer.alloc(0);
      try {
        const response = await client.audio.speech.create({
          model,
          voice: openAiVoiceFor(synthesis.voice),
          input: text,
          response_format: 'pcm',
        });
        const pcm = pcm16le(Buffer.from(await response.arrayBuffer()));
        recordProviderSuccess('tts', 'openai-tts');
        return padToFrames(pcmToMulaw(resample(pcm, OPENAI_PCM_RATE, SAMPLE_RATE)));
      } catch (error) {
        recordProviderFailure('tts', 'openai-tts', error);
        throw new SpeechUnavailableError('openai-tts', `speech failed: ${String(error)}`, { cause: error });
      }
    },
  };
};
