import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import {
  createSqliteEventStore,
  createSqliteSubjectKeys,
  withPersonalDataEncryption,
  type EventStore,
} from '@ccp/command-service';
import { createLiveConnections, type LiveConnections } from '../integrations/live-connections.js';
import { providerFailures } from '../llm/provider-failures.js';
import { encodeMachineVoice } from './machine-voice.js';
import { toFrames } from './mulaw.js';
import type { SpeechToText } from './port.js';
import { createMachineVoiceSpeechToText } from './stt-machine-voice.js';
import { parseServiceAccount } from './service-account.js';
import { createGoogleSpeechToText } from './stt-google.js';
import { createTenantSpeech } from './tenant-speech.js';
import { startGoogleSpeechStandIn, type GoogleSpeechStandIn } from './testing/stand-ins/google-speech.js';

const dir = mkdtempSync(join(tmpdir(), 'ccp-tenant-speech-'));
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const serviceAccount = JSON.stringify({
  type: 'service_account',
  project_id: 'acme-speech',
  client_email: 'stt@acme-speech.iam.gserviceaccount.com',
  private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
});

const event = (tenantId: string, type: string, data: object) => ({
  id: randomUUID(),
  type,
  data,
  metadata: {
    version: 1,
    tenantId,
    occurredAt: new Date().toISOString(),
    causationId: null,
    correlationId: randomUUID(),
    actor: SYSTEM_ACTOR,
  },
});

const hear = async (stt: SpeechToText, text: string) => {
  const session = stt.start({ languages: ['en'] });
  for (const frame of toFrames(encodeMachineVoice(text))) session.write(frame);
  return session.finish();
};

describe('service account keys', () => {
  it('says what is missing, without quoting the key', () => {
    expect(parseServiceAccount('{"client_email":"a@b.c"}')).toEqual({
      ok: false,
      message: expect.stringMatching(/missing or invalid: private_key/),
    });
    expect(parseServiceAccount('not json')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/not JSON/),
    });
    expect(parseServiceAccount(serviceAccount).ok).toBe(true);
  });
});

describe('sttFor: a tenant brings its own Google Speech (local gRPC stand-in of Speech-to-Text v1 streaming)', () => {
  let standIn: GoogleSpeechStandIn;
  let store: EventStore;
  let keys: ReturnType<typeof createSqliteSubjectKeys>;
  let speech: ReturnType<typeof createTenantSpeech>;
  let connections: LiveConnections;
  const logs: string[] = [];
  /** How many Google clients were closed so far. */
  let closed = 0;

  beforeAll(async () => {
    standIn = await startGoogleSpeechStandIn();
    keys = createSqliteSubjectKeys(join(dir, 'keys.db'), randomBytes(32));
    store = withPersonalDataEncryption(createSqliteEventStore({ path: join(dir, 'events.db') }), keys);
    await store.append(
      'connection-acme.stt',
      [
        event('acme', 'ConnectionCreated', {
          name: 'Our Google account',
          settings: { kind: 'google_speech' },
          secrets: { serviceAccountJson: serviceAccount },
          secretHints: { serviceAccountJson: '…' },
        }),
      ],
      'no_stream',
    );
    connections = createLiveConnections(store, keys);
    await connections.catchUp();
    speech = createTenantSpeech({
      connections,
      platform: createMachineVoiceSpeechToText(),
      // The real adapter, with its closing counted.
      createGoogle: (options) => {
        const google = createGoogleSpeechToText(options);
        return {
          ...google,
          close: async () => {
            closed += 1;
            await google.close();
          },
        };
      },
      // A stand-in without TLS: http:// is how INTEGRATION_API_URLS names one.
      apiUrl: `http://${standIn.host}:${standIn.port}`,
      log: (message) => logs.push(message),
    });
  });
  afterAll(async () => {
    await speech.close();
    await standIn.close();
    keys.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("streams the tenant's calls to its Google account", async () => {
    const transcript = await hear(speech.sttFor('acme'), 'I would like an appointment');
    expect(transcript.text).toBe('I would like an appointment');
    expect(standIn.received).toHaveLength(1);
    expect(speech.sttFor('acme').name).toBe('tenant:acme:google');
  });

  it("leaves another tenant on the platform's speech-to-text", async () => {
    const before = standIn.received.length;
    expect(speech.sttFor('globex').name).toBe('machine-voice');
    expect((await hear(speech.sttFor('globex'), 'hello there')).text).toBe('hello there');
    expect(standIn.received.length).toBe(before);
  });

  it("hands the same audio to the platform's speech-to-text when the tenant's fails, and logs it", async () => {
    standIn.failing = status.UNAVAILABLE;
    try {
      const transcript = await hear(speech.sttFor('acme'), 'what time do you open');
      expect(transcript.text).toBe('what time do you open');
      expect(logs.at(-1)).toMatch(
        /tenant acme, google_speech connection stt: .*machine-voice transcribes instead/,
      );
      expect(logs.join('\n')).not.toContain('PRIVATE KEY');
      // The tenant's account failed, not the platform's Google Speech: the health page shows nothing of it.
      expect(providerFailures().filter((f) => f.port === 'stt')).toEqual([]);
    } finally {
      standIn.failing = undefined;
    }
  });

  it('closes the old client only once the calls still streaming on it have finished', async () => {
    const talking = speech.sttFor('acme').start({ languages: ['en'] });
    for (const frame of toFrames(encodeMachineVoice('I am still talking'))) talking.write(frame);
    const aborted = speech.sttFor('acme').start({ languages: ['en'] });
    for (const frame of toFrames(encodeMachineVoice('never mind'))) aborted.write(frame);
    const rotated = { serviceAccountJson: serviceAccount };
    await store.append(
      'connection-acme.stt',
      [
        event('acme', 'ConnectionSecretsRotated', {
          secrets: rotated,
          secretHints: { serviceAccountJson: '…' },
        }),
      ],
      'any',
    );
    await connections.catchUp();
    const before = closed;
    const fallbacks = logs.length;
    // The next utterance gets a client of the new version; the two calls above still stream on the old one.
    expect(speech.sttFor('acme').name).toBe('tenant:acme:google');
    aborted.abort();
    expect(closed).toBe(before);
    expect((await talking.finish()).text).toBe('I am still talking');
    expect(logs.length).toBe(fallbacks);
    await vi.waitFor(() => expect(closed).toBe(before + 1));
  });

  it('goes back to the platform once the connection is disabled', async () => {
    await store.append('connection-acme.stt', [event('acme', 'ConnectionDisabled', {})], 'any');
    // The lookup catches up in the background: the next utterance after the catch-up sees the change.
    await connections.catchUp();
    expect(speech.sttFor('acme').name).toBe('machine-voice');
  });
});
