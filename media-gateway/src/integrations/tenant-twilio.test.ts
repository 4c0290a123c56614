import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import {
  createSqliteEventStore,
  createSqliteSubjectKeys,
  withPersonalDataEncryption,
  type EventStore,
} from '@ccp/command-service';
import type { MessageSender } from '../messaging/port.js';
import type { Carrier } from '../telephony/carrier.js';
import { createLiveConnections } from './live-connections.js';
import { tenantRoutedCarrier, tenantTwilio } from './tenant-twilio.js';

const dir = mkdtempSync(join(tmpdir(), 'ccp-tenant-twilio-'));
const PLATFORM_SID = `AC${'00'.repeat(16)}`;
const ACME_SID = `AC${'ac'.repeat(16)}`;

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

/** A carrier that only says whose credentials it was made with and what it was asked. */
const recordingCarrier = (owner: string, asked: string[]): Carrier => ({
  placeCall: (request) => {
    asked.push(`${owner} place ${request.from}`);
    return Promise.resolve({ callId: `CA${'1'.repeat(32)}` });
  },
  redirect: (callId) => {
    asked.push(`${owner} redirect ${callId}`);
    return Promise.resolve();
  },
  hangUp: (callId) => {
    asked.push(`${owner} hangUp ${callId}`);
    return Promise.resolve();
  },
  findCalls: () => Promise.resolve([]),
  startRecording: (callId) => {
    asked.push(`${owner} startRecording ${callId}`);
    return Promise.resolve({ recordingId: `RE${'1'.repeat(32)}` });
  },
  stopRecording: (callId) => {
    asked.push(`${owner} stopRecording ${callId}`);
    return Promise.resolve();
  },
  deleteRecording: (callId) => {
    asked.push(`${owner} deleteRecording ${callId}`);
    return Promise.resolve();
  },
});

describe('tenant Twilio accounts', () => {
  let store: EventStore;
  let keys: ReturnType<typeof createSqliteSubjectKeys>;
  let twilio: ReturnType<typeof tenantTwilio>;
  let live: ReturnType<typeof createLiveConnections>;
  const made: { accountSid: string; authToken: string }[] = [];
  const asked: string[] = [];
  let version = 0;
  const append = (streamId: string, type: string, data: object) =>
    store.append(
      streamId,
      [event(streamId.slice('connection-'.length).split('.')[0] ?? '', type, data)],
      version++ === 0 ? 'no_stream' : 'any',
    );

  beforeAll(async () => {
    keys = createSqliteSubjectKeys(join(dir, 'keys.db'), randomBytes(32));
    store = withPersonalDataEncryption(createSqliteEventStore({ path: join(dir, 'events.db') }), keys);
    await append('connection-acme.own', 'ConnectionCreated', {
      name: 'Our Twilio',
      settings: { kind: 'twilio', accountSid: ACME_SID },
      secrets: { authToken: 'acme-token-one-0123456789' },
      secretHints: { authToken: '…6789' },
    });
    // A tenant typing the platform's own SID never takes the platform's webhooks over.
    await store.append(
      'connection-globex.own',
      [
        event('globex', 'ConnectionCreated', {
          name: 'Claims the platform',
          settings: { kind: 'twilio', accountSid: PLATFORM_SID },
          secrets: { authToken: 'globex-token-0123456789' },
          secretHints: { authToken: '…6789' },
        }),
      ],
      'no_stream',
    );
    live = createLiveConnections(store, keys);
    twilio = tenantTwilio({
      connections: live,
      platformAccountSid: PLATFORM_SID,
      carrierFor: (account) => {
        made.push(account);
        return recordingCarrier(account.accountSid, asked);
      },
      senderFor: (account) =>
        ({
          provider: 'twilio',
          send: () => Promise.reject(new Error(account.accountSid)),
          find: () => Promise.resolve(undefined),
        }) satisfies MessageSender,
    });
  });
  afterAll(() => {
    keys.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("finds the tenant by its account's SID, never by the platform's", async () => {
    expect(await twilio.byAccountSid(ACME_SID)).toMatchObject([
      { tenantId: 'acme', accountSid: ACME_SID, authToken: 'acme-token-one-0123456789' },
    ]);
    expect(await twilio.byAccountSid(PLATFORM_SID)).toEqual([]);
    expect(await twilio.byAccountSid(`AC${'ff'.repeat(16)}`)).toEqual([]);
    expect(await twilio.accountOf('globex')).toBeUndefined();
  });

  it('routes a tenant’s calls through its own carrier, made once per connection version', async () => {
    const platform = recordingCarrier('platform', asked);
    const carrier = tenantRoutedCarrier({
      platform,
      twilio,
      tenantOfNumber: (n) => Promise.resolve(n === '+15550000001' ? 'acme' : 'globex'),
      tenantOfCall: (c) => Promise.resolve(c === 'CA-acme' ? 'acme' : undefined),
    });
    const request = { to: '+15551112222', url: 'u', statusCallback: 's', machineDetection: false };
    await carrier.placeCall({ ...request, from: '+15550000001' });
    await carrier.placeCall({ ...request, from: '+15550000009' });
    await carrier.hangUp('CA-acme');
    await carrier.redirect('CA-other', '<Response/>');
    // A call's recording is started, stopped and deleted in the account that carries the call.
    await carrier.startRecording('CA-acme', 'https://x/twilio/recording');
    await carrier.stopRecording('CA-other');
    await carrier.deleteRecording('CA-acme', `RE${'1'.repeat(32)}`);
    expect(asked).toEqual([
      `${ACME_SID} place +15550000001`,
      'platform place +15550000009',
      `${ACME_SID} hangUp CA-acme`,
      'platform redirect CA-other',
      `${ACME_SID} startRecording CA-acme`,
      'platform stopRecording CA-other',
      `${ACME_SID} deleteRecording CA-acme`,
    ]);
    expect(made).toHaveLength(1);

    await append('connection-acme.own', 'ConnectionSecretsRotated', {
      secrets: { authToken: 'acme-token-two-0123456789' },
      secretHints: { authToken: '…6789' },
    });
    await carrier.hangUp('CA-acme');
    expect(made.map((m) => m.authToken)).toEqual(['acme-token-one-0123456789', 'acme-token-two-0123456789']);
    expect((await twilio.senderOf('acme'))?.provider).toBe('twilio');
  });

  // The Media Streams upgrade looks accounts up before anything is authenticated: it must cost no decryption.
  it('opens a known account only for its own SID, once per connection version', async () => {
    await live.catchUp();
    const opened = vi.spyOn(live.view, 'secretsOf');
    try {
      expect(twilio.knownAccounts(`AC${'ff'.repeat(16)}`)).toEqual([]);
      expect(twilio.knownAccounts(PLATFORM_SID)).toEqual([]);
      expect(opened).not.toHaveBeenCalled();
      for (let i = 0; i < 5; i += 1) {
        expect(twilio.knownAccounts(ACME_SID)).toMatchObject([{ tenantId: 'acme', accountSid: ACME_SID }]);
      }
      expect(opened.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      opened.mockRestore();
    }
  });

  it('sends the tenant back to the platform once the connection is disabled', async () => {
    await append('connection-acme.own', 'ConnectionDisabled', {});
    expect(await twilio.byAccountSid(ACME_SID)).toEqual([]);
    expect(await twilio.carrierOf('acme')).toBeUndefined();
    expect(await twilio.senderOf('acme')).toBeUndefined();
  });
});
