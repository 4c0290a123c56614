import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { MachineVoiceDecoder } from '../../machine-voice.js';

/**
 * A local stand-in for Google Cloud Speech-to-Text v1 on 127.0.0.1: a real gRPC server built from the
 * cloud_speech.proto shipped in @google-cloud/speech, implementing `google.cloud.speech.v1.Speech/
 * StreamingRecognize` (Google itself is unreachable from the tests). It checks that the first message carries
 * the streaming config and later ones only audio, that the audio is MULAW at 8000 Hz, counts the bytes, and
 * "recognises" with the machine-voice decoder: interim results per word while audio arrives, then one final
 * result when the client half-closes. So the transcript depends on the audio that actually arrived.
 */

export interface ReceivedStream {
  readonly config: StreamingConfig;
  readonly audioBytes: number;
}

interface StreamingConfig {
  readonly config?: {
    readonly encoding?: string;
    readonly sampleRateHertz?: number;
    readonly languageCode?: string;
    readonly alternativeLanguageCodes?: string[];
    readonly speechContexts?: { phrases?: string[] }[];
  };
  readonly interimResults?: boolean;
}

interface StreamingRequest {
  readonly streamingConfig?: StreamingConfig;
  readonly audioContent?: Buffer;
}

export interface GoogleSpeechStandIn {
  readonly host: string;
  readonly port: number;
  /** Every stream that ended normally, in order. */
  readonly received: ReceivedStream[];
  /** The language_code the final results carry (Google reports lower case, e.g. "en-us"). */
  languageCode: string;
  /** While set, every stream fails with this gRPC status (a provider outage). */
  failing: grpc.status | undefined;
  close(): Promise<void>;
}

/** A package's root directory, found through the module resolution of `from` (a file path or URL). */
const packageRoot = (name: string, from: string) => {
  const entry = createRequire(from).resolve(name);
  const marker = `/node_modules/${name}/`;
  return entry.slice(0, entry.lastIndexOf(marker) + marker.length);
};

const loadSpeechService = () => {
  const speechRoot = packageRoot('@google-cloud/speech', import.meta.url);
  // The google/api, google/rpc, google/longrunning protos it imports ship with google-gax, its dependency.
  const gaxRoot = packageRoot('google-gax', join(speechRoot, 'package.json'));
  const speechProtos = join(speechRoot, 'build/protos');
  const gaxProtos = join(gaxRoot, 'build/protos');
  const definition = protoLoader.loadSync('google/cloud/speech/v1/cloud_speech.proto', {
    includeDirs: [speechProtos, gaxProtos],
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const service = (definition['google.cloud.speech.v1.Speech'] ?? {}) as grpc.ServiceDefinition;
  if (service.StreamingRecognize === undefined) throw new Error('cloud_speech.proto has no Speech service');
  return service;
};

const statusError = (code: grpc.status, details: string): Partial<grpc.StatusObject> => ({ code, details });

export const startGoogleSpeechStandIn = async (): Promise<GoogleSpeechStandIn> => {
  const streamingRecognize = (call: grpc.ServerDuplexStream<StreamingRequest, unknown>) => {
    let config: StreamingConfig | undefined;
    let audioBytes = 0;
    let failed = false;
    const decoder = new MachineVoiceDecoder();
    const heard: string[] = [];
    let lastInterim = '';
    const fail = (code: grpc.status, details: string) => {
      failed = true;
      call.emit('error', statusError(code, details));
    };

    call.on('data', (request: StreamingRequest) => {
      if (failed) return;
      if (standIn.failing !== undefined) return fail(standIn.failing, 'stand-in outage');
      if (config === undefined) {
        const streaming = request.streamingConfig;
        if (streaming === undefined)
          return fail(grpc.status.INVALID_ARGUMENT, 'first message must be a config');
        if (streaming.config?.encoding !== 'MULAW' || streaming.config.sampleRateHertz !== 8000) {
          return fail(grpc.status.INVALID_ARGUMENT, 'this stand-in hears MULAW at 8000 Hz only');
        }
        config = streaming;
        return;
      }
      if (request.streamingConfig !== undefined) {
        return fail(grpc.status.INVALID_ARGUMENT, 'streaming_config is only allowed in the first message');
      }
      const audio = request.audioContent ?? Buffer.alloc(0);
      audioBytes += audio.length;
      heard.push(...decoder.push(audio).map((u) => u.text));
      const partial = [...heard, decoder.partialText].join(' ').trim();
      const words = partial.slice(0, partial.lastIndexOf(' ') + 1).trim();
      if (config.interimResults === true && words !== '' && words !== lastInterim) {
        lastInterim = words;
        call.write({ results: [{ alternatives: [{ transcript: words }], isFinal: false, stability: 0.8 }] });
      }
    });

    call.on('end', () => {
      if (failed) return;
      if (config === undefined) return fail(grpc.status.INVALID_ARGUMENT, 'no config received');
      standIn.received.push({ config, audioBytes });
      const cutOff = decoder.flush();
      const text = [...heard, ...(cutOff === undefined ? [] : [cutOff.text])].join(' ');
      // Like Google, nothing recognised means no result at all.
      if (text !== '') {
        call.write({
          results: [
            {
              alternatives: [{ transcript: text, confidence: 0.92 }],
              isFinal: true,
              languageCode: standIn.languageCode,
            },
          ],
        });
      }
      call.end();
    });
  };

  const server = new grpc.Server();
  server.addService(loadSpeechService(), { StreamingRecognize: streamingRecognize });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );

  const standIn: GoogleSpeechStandIn = {
    host: '127.0.0.1',
    port,
    received: [],
    languageCode: 'en-us',
    failing: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => server.forceShutdown(), 1000).unref();
      }),
  };
  return standIn;
};
