import { recordProviderFailure, recordProviderSuccess } from '../llm/provider-failures.js';
import OpenAI, { toFile } from 'openai';
import { z } from 'zod';
import { asConfiguredLanguage, primarySubtag, whisperLanguageToBcp47 } from './language-tags.js';
import { mulawToPcm } from './mulaw.js';
import {
  EMPTY_TRANSCRIPT,
  SAMPLE_RATE,
  SpeechUnavailableError,
  type RecognitionOptions,
  type RecognitionSession,
  type SpeechToText,
  type Transcript,
} from './port.js';
import { pcmToWav } from './wav.js';

export interface WhisperOptions {
  readonly apiKey: string;
  /** Any OpenAI-compatible transcription server; OpenAI's when omitted. */
  readonly baseURL?: string;
  /** 'whisper-1' by default: verbose_json (language, segment log-probabilities) needs it. */
  readonly model?: string;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
  /** The platform's traced fetch (sends the current span as a traceparent); the SDK's own when omitted. */
  readonly fetch?: typeof fetch;
}

/** The part of a verbose_json transcription this adapter relies on, checked because it comes off the wire. */
const VerboseTranscription = z.object({
  text: z.string(),
  language: z.string().optional(),
  segments: z
    .array(z.object({ avg_logprob: z.number(), start: z.number().optional(), end: z.number().optional() }))
    .optional(),
});

/** Whisper's mean token log-probability, weighted by segment length, as a 0-1 probability. */
const confidenceOf = (segments: z.infer<typeof VerboseTranscription>['segments']): number => {
  if (segments === undefined || segments.length === 0) return 0.9;
  let weighted = 0;
  let total = 0;
  for (const segment of segments) {
    const weight = Math.max((segment.end ?? 0) - (segment.start ?? 0), 0.01);
    weighted += segment.avg_logprob * weight;
    total += weight;
  }
  return Math.min(1, Math.max(0, Math.exp(weighted / total)));
};

/**
 * Whisper (OpenAI audio transcriptions). Not streaming: the utterance is buffered, and on finish() its μ-law
 * is decoded into a 16-bit PCM WAV at 8 kHz and uploaded once. One language configured is passed as a hint;
 * several are left for Whisper to detect.
 */
export const createWhisperSpeechToText = (options: WhisperOptions): SpeechToText => {
  const client = new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseURL !== undefined && { baseURL: options.baseURL }),
    timeout: options.timeoutMs ?? 15_000,
    maxRetries: options.maxRetries ?? 1,
    ...(options.fetch !== undefined && { fetch: options.fetch }),
  });
  const model = options.model ?? 'whisper-1';

  const transcribe = async (audio: Buffer, recognition: RecognitionOptions, signal: AbortSignal) => {
    const wav = pcmToWav(mulawToPcm(audio), SAMPLE_RATE);
    const [only, ...others] = recognition.languages;
    const response: unknown = await client.audio.transcriptions.create(
      {
        file: await toFile(wav, 'utterance.wav', { type: 'audio/wav' }),
        model,
        response_format: 'verbose_json',
        ...(only !== undefined && others.length === 0 && { language: primarySubtag(only) }),
        ...(recognition.hints !== undefined &&
          recognition.hints.length > 0 && { prompt: recognition.hints.join(', ') }),
      },
      { signal },
    );
    const parsed = VerboseTranscription.parse(response);
    const detected = parsed.language === undefined ? undefined : whisperLanguageToBcp47(parsed.language);
    const transcript: Transcript = {
      text: parsed.text.trim(),
      confidence: confidenceOf(parsed.segments),
      isFinal: true,
      ...(detected !== undefined && { language: asConfiguredLanguage(detected, recognition.languages) }),
    };
    return transcript;
  };

  return {
    name: 'whisper',
    start: (recognition): RecognitionSession => {
      const frames: Buffer[] = [];
      const controller = new AbortController();
      return {
        write: (frame) => {
          if (!controller.signal.aborted) frames.push(frame);
        },
        finish: async () => {
          if (controller.signal.aborted || frames.every((f) => f.length === 0)) return EMPTY_TRANSCRIPT;
          try {
            const transcript = await transcribe(Buffer.concat(frames), recognition, controller.signal);
            recordProviderSuccess('stt', 'whisper');
            return transcript;
          } catch (error) {
            if (controller.signal.aborted) return EMPTY_TRANSCRIPT;
            recordProviderFailure('stt', 'whisper', error);
            throw new SpeechUnavailableError('whisper', `transcription failed: ${String(error)}`, {
              cause: error,
            });
          }
        },
        abort: () => controller.abort(),
      };
    },
  };
};
