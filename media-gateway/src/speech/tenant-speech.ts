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

/** A tenant's Google client and the recognitions still streaming on it. */
interface Client {
  readonly stt: ClosableStt;
  open: number;
  /** Superseded (a new connection version) or disabled: closed once `open` is back to 0. */
  retired: boolean;
}

interface Cached {
  readonly connectionId: string;
  readonly version: number;
  readonly stt: SpeechToText;
  readonly own?: Client;
}

const closeClient = (client: Client): Promise<void> =>
  client.stt.close?.().catch(() => undefined) ?? Promise.resolve();

/** The client's recognizer, counting each session from its start until it is finished or aborted. */
const counted = (client: Client, onIdle: () => void): SpeechToText => ({
  name: client.stt.name,
  start: (recognition, onInterim): RecognitionSession => {
    const session = client.stt.start(recognition, onInterim);
    client.open += 1;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      client.open -= 1;
      if (client.retired && client.open === 0) onIdle();
    };
    return {
      write: (frame) => session.write(frame),
      finish: async () => {
        try {
          return await session.finish();
        } finally {
          end();
        }
      },
      abort: () => {
        session.abort();
        end();
      },
    };
  },
});

export const createTenantSpeech = (deps: TenantSpeechDeps): TenantSpeech => {
  const { connections, platform, log } = deps;
  const createGoogle = deps.createGoogle ?? createGoogleSpeechToText;
  const cache = new Map<string, Cached>();
  // Retired clients that calls still stream on, so that shutting down closes them too.
  const draining = new Set<Client>();

  // One read of the log at a time: utterances that start meanwhile do not queue more.
  let reading = false;
  const catchUp = (): void => {
    if (reading) return;
    reading = true;
    void connections
      .catchUp()
      .catch((error: unknown) => log(`stt: the connections could not be read: ${String(error)}`))
      .finally(() => {
        reading = false;
      });
  };

  const retire = (client: Client): void => {
    draining.delete(client);
    void closeClient(client);
  };
  // Calls already streaming on the old client finish their utterance on it: closing it now would cut them off.
  const release = (cached: Cached | undefined): void => {
    const client = cached?.own;
    if (client === undefined) return;
    client.retired = true;
    if (client.open === 0) void closeClient(client);
    else draining.add(client);
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
      const google = createGoogle({
        name: `tenant:${tenantId}:google`,
        health: false,
        credentials: { client_email, private_key },
        ...(project_id !== undefined && { projectId: project_id }),
        ...(deps.apiUrl !== undefined && endpointOf(deps.apiUrl)),
      });
      const own: Client = { stt: google, open: 0, retired: false };
      const stt = counted(own, () => retire(own));
      return { own, stt: withSpeechFallback(stt, platform, (message) => log(`stt: ${where}: ${message}`)) };
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
      catchUp();
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
      const clients = [...cache.values()].flatMap((cached) => (cached.own ? [cached.own] : []));
      cache.clear();
      await Promise.all([...clients, ...draining].map(closeClient));
      draining.clear();
    },
  };
};
