import { recordProviderFailure, recordProviderSuccess } from '../llm/provider-failures.js';
import { SpeechClient, type protos } from '@google-cloud/speech';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { z } from 'zod';
import { asConfiguredLanguage } from './language-tags.js';
import {
  EMPTY_TRANSCRIPT,
  SAMPLE_RATE,
  SpeechUnavailableError,
  type RecognitionOptions,
  type RecognitionSession,
  type SpeechToText,
  type Transcript,
} from './port.js';

export interface GoogleSpeechOptions {
  /** A service account's key (real use); the ambient Application Default Credentials when omitted. */
  readonly credentials?: { readonly client_email: string; readonly private_key: string };
  readonly projectId?: string;
  /** Host of the Speech API or of a local stand-in; speech.googleapis.com when omitted. */
  readonly apiEndpoint?: string;
  readonly port?: number;
  /** Channel credentials; `grpc.credentials.createInsecure()` for a local stand-in (skips Google auth). */
  readonly sslCreds?: ChannelCredentials;
  /** A recognition model such as 'phone_call'; Google's default for the language when omitted. */
  readonly model?: string;
  /** For logs and errors; "google" when omitted (a tenant's own account is named as the tenant's). */
  readonly name?: string;
  /**
   * Whether failures go to the platform's health page (the default). A tenant's own account sets false: its
   * wrong key is the tenant's to fix and must not mark the platform degraded.
   */
  readonly health?: boolean;
}

type StreamingRequest = protos.google.cloud.speech.v1.IStreamingRecognizeRequest;

/** The part of a StreamingRecognizeResponse this adapter reads, checked because it comes off the wire. */
const StreamingResponse = z.object({
  error: z.object({ code: z.number().optional(), message: z.string().optional() }).nullish(),
  results: z
    .array(
      z.object({
        alternatives: z
          .array(z.object({ transcript: z.string().nullish(), confidence: z.number().nullish() }))
          .nullish(),
        isFinal: z.boolean().nullish(),
        languageCode: z.string().nullish(),
      }),
    )
    .nullish(),
});

const streamingConfig = (recognition: RecognitionOptions, model: string | undefined): StreamingRequest => {
  const [languageCode = 'en', ...alternativeLanguageCodes] = recognition.languages;
  return {
    streamingConfig: {
      config: {
        encoding: 'MULAW',
        sampleRateHertz: SAMPLE_RATE,
        audioChannelCount: 1,
        languageCode,
        ...(alternativeLanguageCodes.length > 0 && { alternativeLanguageCodes }),
        ...(recognition.hints !== undefined &&
          recognition.hints.length > 0 && { speechContexts: [{ phrases: [...recognition.hints] }] }),
        ...(model !== undefined && { model }),
      },
      interimResults: true,
    },
  };
};

/**
 * Google Cloud Speech-to-Text v1, streaming: the utterance's μ-law frames go up as they arrive (Twilio's
 * encoding, no transcoding) and interim results come back while the caller speaks. A gRPC stream is opened on
 * the first frame, so an utterance without audio costs nothing.
 */
export const createGoogleSpeechToText = (
  options: GoogleSpeechOptions = {},
): SpeechToText & { close(): Promise<void> } => {
  const name = options.name ?? 'google';
  const health = options.health ?? true;
  const client = new SpeechClient({
    ...(options.credentials !== undefined && { credentials: { ...options.credentials } }),
    ...(options.projectId !== undefined && { projectId: options.projectId }),
    ...(options.apiEndpoint !== undefined && { apiEndpoint: options.apiEndpoint }),
    ...(options.port !== undefined && { port: options.port }),
    // Naming the universe spares google-auth its lookup of the GCE metadata server (a network probe that
    // only warns off Google Cloud) when channel credentials are given and no Google auth is used.
    ...(options.sslCreds !== undefined && { sslCreds: options.sslCreds, universeDomain: 'googleapis.com' }),
  });

  const start = (
    recognition: RecognitionOptions,
    onInterim?: (t: Transcript) => void,
  ): RecognitionSession => {
    const finals: Transcript[] = [];
    let failure: unknown;
    let aborted = false;
    let stream: ReturnType<SpeechClient['_streamingRecognize']> | undefined;
    let closed: Promise<void> = Promise.resolve();

    const onResponse = (data: unknown) => {
      const response = StreamingResponse.safeParse(data);
      if (!response.success) {
        failure ??= response.error;
        return;
      }
      if (response.data.error?.code)
        failure ??= new Error(response.data.error.message ?? 'recognition error');
      for (const result of response.data.results ?? []) {
        const best = result.alternatives?.[0];
        const transcript: Transcript = {
          text: (best?.transcript ?? '').trim(),
          confidence: best?.confidence ?? 0,
          isFinal: result.isFinal === true,
          ...(result.languageCode && {
            language: asConfiguredLanguage(result.languageCode, recognition.languages),
          }),
        };
        if (transcript.isFinal) finals.push(transcript);
        else if (!aborted) onInterim?.(transcript);
      }
    };

    const open = () => {
      // The generated bidi method, not the helper streamingRecognize(): the helper is untyped and holds the
      // config back until the first audio; here the config goes first explicitly and frames as {audioContent}.
      const opened = client._streamingRecognize();
      closed = new Promise<void>((resolve) => {
        opened.on('data', onResponse);
        opened.on('error', (error: unknown) => {
          failure ??= error;
          resolve();
        });
        opened.on('end', () => resolve());
      });
      opened.write(streamingConfig(recognition, options.model));
      return opened;
    };

    return {
      write: (frame) => {
        if (aborted || failure !== undefined || frame.length === 0) return;
        stream ??= open();
        stream.write({ audioContent: frame } satisfies StreamingRequest);
      },
      finish: async () => {
        if (aborted || stream === undefined) return EMPTY_TRANSCRIPT;
        stream.end();
        await closed;
        if (aborted) return EMPTY_TRANSCRIPT;
        if (failure !== undefined) {
          if (health) recordProviderFailure('stt', name, failure);
          throw new SpeechUnavailableError(name, `streaming recognition failed: ${String(failure)}`, {
            cause: failure,
          });
        }
        if (health) recordProviderSuccess('stt', name);
        if (finals.length === 0) return EMPTY_TRANSCRIPT;
        // Long utterances come back as several final results, one per stretch of speech.
        const text = finals
          .map((t) => t.text)
          .filter((t) => t !== '')
          .join(' ');
        const language = finals.findLast((t) => t.language !== undefined)?.language;
        return {
          text,
          confidence:
            text === '' ? 0 : Math.min(...finals.filter((t) => t.text !== '').map((t) => t.confidence)),
          isFinal: true,
          ...(language !== undefined && { language }),
        };
      },
      abort: () => {
        if (aborted) return;
        aborted = true;
        stream?.cancel();
      },
    };
  };

  return { name, start, close: () => client.close() };
};
