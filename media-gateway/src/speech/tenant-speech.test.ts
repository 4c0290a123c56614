import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import {
  createSqliteEventStore,
  createSqliteSubjectKeys,
  withPersonalDataEncryption,
  type EventStore,
} from '@ccp/command-service';
import { createLiveConnections } from '../integrations/live-connections.js';
import { encodeMachineVoice } from './machine-voice.js';
import { toFrames } from './mulaw.js';
import type { SpeechToText } from './port.js';
import { createMachineVoiceSpeechToText } from './stt-machine-voice.js';
import { parseServiceAccount } from './service-account.js';
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
  const logs: string[] = [];

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
    const connections = createLiveConnections(store, keys);
    await connections.catchUp();
    speech = createTenantSpeech({
      connections,
      platform: createMachineVoiceSpeechToText(),
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
    expect(speech.sttFor('acme').name).toBe('google');
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
    } finally {
      standIn.failing = undefined;
    }
  });

  it('goes back to the platform once the connection is disabled', async () => {
    await store.append('connection-acme.stt', [event('acme', 'ConnectionDisabled', {})], 'any');
    // The lookup catches up in the background: the next utterance sees the change.
    speech.sttFor('acme');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(speech.sttFor('acme').name).toBe('machine-voice');
  });
});
