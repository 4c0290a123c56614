import { credentials as grpcCredentials } from '@grpc/grpc-js';
import type { Connection } from '../integrations/connections.js';
import type { LiveConnections } from '../integrations/live-connections.js';
import { SpeechUnavailableError, type RecognitionSession, type SpeechToText } from './port.js';
import { parseServiceAccount } from './service-account.js';
import { createGoogleSpeechToText, type GoogleSpeechOptions } from './stt-google.js';

type ClosableStt = SpeechToText & { close?(): Promise<void> };

export interface TenantSpeechDeps {
  readonly connections: LiveConnections;
  /** The platform's own speech-to-text: tenants without a connection, and any tenant whose provider fails. */
  readonly platform: SpeechToText;
  /**
   * The Speech API's address instead of Google's (INTEGRATION_API_URLS google_speech): `https://host[:port]`,
   * or `http://host:port` for a stand-in without TLS or Google auth.
   */
  readonly apiUrl?: string;
  readonly log: (message: string) => void;
  /** The Google adapter (tests give a stand-in). */
  readonly createGoogle?: (options: GoogleSpeechOptions) => ClosableStt;
}

export interface TenantSpeech {
  /** The tenant's own Google Speech when it connected one, backed by the platform's; else the platform's. */
  sttFor(tenantId: string): SpeechToText;
  close(): Promise<void>;
}

const endpointOf = (apiUrl: string): Partial<GoogleSpeechOptions> => {
  const url = URL.canParse(apiUrl) ? new URL(apiUrl) : new URL(`https://${apiUrl}`);
  return {
    apiEndpoint: url.hostname,
    ...(url.port !== '' && { port: Number(url.port) }),
    ...(url.protocol === 'http:' && { sslCreds: grpcCredentials.createInsecure() }),
  };
};

/**
 * A recognizer backed by another: the utterance's frames are kept, so when the primary cannot transcribe them
 * the fallback hears the same audio and the caller is not asked to repeat.
 */
export const withSpeechFallback = (
  primary: SpeechToText,
  fallback: SpeechToText,
  log: (message: string) => void,
): SpeechToText => ({
  name: primary.name,
  start: (recognition, onInterim): RecognitionSession => {
    const frames: Buffer[] = [];
    const session = primary.start(recognition, onInterim);
    return {
      write: (frame) => {
        frames.push(frame);
        session.write(frame);
      },
      finish: async () => {
        try {
          return await session.finish();
        } catch (error) {
          if (!(error instanceof SpeechUnavailableError)) throw error;
          log(`${error.message}; ${fallback.name} transcribes instead`);
          const again = fallback.start(recognition);
          for (const frame of frames) again.write(frame);
          return again.finish();
        }
      },
      abort: () => session.abort(),
    };
  },
});

interface Cached {
  readonly connectionId: string;
  readonly version: number;
  readonly stt: SpeechToText;
  readonly own?: ClosableStt;
}

export const createTenantSpeech = (deps: TenantSpeechDeps): TenantSpeech => {
  const { connections, platform, log } = deps;
  const createGoogle = deps.createGoogle ?? createGoogleSpeechToText;
  const cache = new Map<string, Cached>();

  const release = (cached: Cached | undefined): void => {
    void cached?.own?.close?.().catch(() => undefined);
  };

  const build = (tenantId: string, connection: Connection): Omit<Cached, 'connectionId' | 'version'> => {
    const where = `tenant ${tenantId}, google_speech connection ${connection.connectionId}`;
    const json = connections.view.secretsOf(connection)?.['serviceAccountJson'];
    if (json === undefined) {
      log(`stt: ${where}: its key cannot be opened; the platform's speech-to-text listens`);
      return { stt: platform };
    }
    const parsed = parseServiceAccount(json);
    if (!parsed.ok) {
      log(`stt: ${where}: ${parsed.message}; the platform's speech-to-text listens`);
      return { stt: platform };
    }
    const { client_email, private_key, project_id } = parsed.account;
    try {
      const own = createGoogle({
        credentials: { client_email, private_key },
        ...(project_id !== undefined && { projectId: project_id }),
        ...(deps.apiUrl !== undefined && endpointOf(deps.apiUrl)),
      });
      return { own, stt: withSpeechFallback(own, platform, (message) => log(`stt: ${where}: ${message}`)) };
    } catch (error) {
      // Never the error itself: a client refusing a key may quote it.
      log(`stt: ${where}: the Google client could not be created; the platform's speech-to-text listens`);
      void error;
      return { stt: platform };
    }
  };

  return {
    sttFor: (tenantId) => {
      // Read as it is (a caller is speaking), while a catch-up brings changes in for the next utterance.
      void connections.catchUp().catch(() => undefined);
      const connection = connections.view.enabled(tenantId, 'google_speech')[0];
      const cached = cache.get(tenantId);
      if (connection === undefined) {
        release(cached);
        cache.delete(tenantId);
        return platform;
      }
      if (cached?.connectionId === connection.connectionId && cached.version === connection.version) {
        return cached.stt;
      }
      release(cached);
      const built = {
        connectionId: connection.connectionId,
        version: connection.version,
        ...build(tenantId, connection),
      };
      cache.set(tenantId, built);
      return built.stt;
    },
    close: async () => {
      for (const cached of cache.values()) await cached.own?.close?.().catch(() => undefined);
      cache.clear();
    },
  };
};
