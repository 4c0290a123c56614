import { describe, it } from 'vitest';
import {
  CreateConnection,
  DisableConnection,
  EnableConnection,
  RecordConnectionTest,
  RemoveConnection,
  RotateConnectionSecrets,
  UpdateConnection,
} from '@ccp/schemas';
import { connectionDecider, type ConnectionEvent } from './connection.js';
import { DeciderSpecification, TEST_NOW, command, refusedWith } from '../testing.js';

const given = DeciderSpecification.for(connectionDecider);
const key = { tenantId: 'acme', connectionId: 'orders-hook' };
const signingSecret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const settings = {
  kind: 'webhook' as const,
  url: 'https://hooks.acme.example/ccp',
  eventTypes: ['CallEnded'],
};
const created: ConnectionEvent = {
  type: 'ConnectionCreated',
  data: {
    name: 'Orders',
    settings,
    secrets: { signingSecret },
    secretHints: { signingSecret: `…${signingSecret.slice(-4)}` },
  },
};
const slack = {
  kind: 'slack' as const,
  mode: 'bot' as const,
  channel: '#support',
  topics: ['escalation_waiting' as const],
};
const slackCreated: ConnectionEvent = {
  type: 'ConnectionCreated',
  data: {
    name: 'Slack',
    settings: slack,
    secrets: { botToken: 'xoxb-1234567890' },
    secretHints: { botToken: '…7890' },
  },
};

describe('connection decider', () => {
  it('creates a connection with its secrets, shown afterwards only by their last four characters', () =>
    given([])
      .when(command(CreateConnection, { ...key, name: 'Orders', settings, secrets: { signingSecret } }))
      .then([created]));

  it('takes a notification channel told of no topic: one that alert rules alone use (the platform has no topics)', () =>
    given([])
      .when(
        command(CreateConnection, {
          ...key,
          name: 'Ops chat',
          settings: { kind: 'telegram', chatId: '-1001234567890', topics: [] },
          secrets: { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' },
        }),
      )
      .then([
        {
          type: 'ConnectionCreated',
          data: {
            name: 'Ops chat',
            settings: { kind: 'telegram', chatId: '-1001234567890', topics: [] },
            secrets: { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' },
            secretHints: { botToken: '…Dsaw' },
          },
        },
      ]));

  it('refuses secrets the kind does not take, lacks or has in the wrong form, naming the secret only', () => {
    given([])
      .when(
        command(CreateConnection, {
          ...key,
          name: 'Orders',
          settings,
          secrets: { signingSecret: 'not-whsec-1' },
        }),
      )
      .thenThrows(refusedWith('INVALID_SECRETS', 'secrets.signingSecret'));
    given([])
      .when(command(CreateConnection, { ...key, name: 'Orders', settings }))
      .thenThrows(refusedWith('INVALID_SECRETS', 'secrets.signingSecret'));
    given([])
      .when(
        command(CreateConnection, {
          ...key,
          name: 'Orders',
          settings,
          secrets: { signingSecret, apiKey: 'sk-12345678' },
        }),
      )
      .thenThrows(refusedWith('INVALID_SECRETS', 'secrets.apiKey'));
    // A Slack bot needs its token, an incoming webhook its URL.
    given([])
      .when(
        command(CreateConnection, {
          ...key,
          name: 'Slack',
          settings: slack,
          secrets: { webhookUrl: 'https://hooks.slack.com/x' },
        }),
      )
      .thenThrows(refusedWith('INVALID_SECRETS', 'secrets.botToken'));
  });

  it('refuses an id in use, and one used by a removed connection', () => {
    given([created])
      .when(command(CreateConnection, { ...key, name: 'Orders', settings, secrets: { signingSecret } }))
      .thenThrows(refusedWith('CONNECTION_EXISTS', 'connectionId'));
    given([created, { type: 'ConnectionRemoved', data: {} }])
      .when(command(CreateConnection, { ...key, name: 'Orders', settings, secrets: { signingSecret } }))
      .thenThrows(refusedWith('CONNECTION_EXISTS', 'connectionId'));
  });

  it('updates what changed, refuses another kind, and changes nothing when nothing differs', () => {
    given([created])
      .when(command(UpdateConnection, { ...key, settings: { ...settings, eventTypes: ['*'] } }))
      .then([{ type: 'ConnectionUpdated', data: { settings: { ...settings, eventTypes: ['*'] } } }]);
    given([created])
      .when(command(UpdateConnection, { ...key, name: 'Orders', settings }))
      .thenNothingHappened();
    given([created])
      .when(command(UpdateConnection, { ...key, settings: slack }))
      .thenThrows(refusedWith('CONNECTION_KIND_CHANGED', 'settings.kind'));
    given([slackCreated])
      .when(command(UpdateConnection, { ...key, settings: { ...slack, mode: 'incoming_webhook' } }))
      .thenThrows(refusedWith('INVALID_SECRETS', 'settings.mode'));
    given([])
      .when(command(UpdateConnection, { ...key, name: 'X' }))
      .thenThrows(refusedWith('CONNECTION_NOT_FOUND'));
  });

  it('rotates secrets, keeping the previous ones in use for the overlap asked for', () => {
    const next = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    given([created])
      .when(
        command(RotateConnectionSecrets, { ...key, secrets: { signingSecret: next }, overlapSeconds: 3600 }),
      )
      .then([
        {
          type: 'ConnectionSecretsRotated',
          data: {
            secrets: { signingSecret: next },
            secretHints: { signingSecret: `…${next.slice(-4)}` },
            previousValidUntil: new Date(TEST_NOW.getTime() + 3_600_000).toISOString(),
          },
        },
      ]);
    given([created])
      .when(command(RotateConnectionSecrets, { ...key, secrets: { signingSecret: 'whsec_short' } }))
      .thenThrows(refusedWith('INVALID_SECRETS', 'secrets.signingSecret'));
  });

  it('enables, disables and removes once each; a removed connection takes no more commands', () => {
    given([created]).when(command(EnableConnection, key)).thenNothingHappened();
    given([created])
      .when(command(DisableConnection, key))
      .then([{ type: 'ConnectionDisabled', data: {} }]);
    given([created, { type: 'ConnectionDisabled', data: {} }])
      .when(command(EnableConnection, key))
      .then([{ type: 'ConnectionEnabled', data: {} }]);
    given([created])
      .when(command(RemoveConnection, key))
      .then([{ type: 'ConnectionRemoved', data: {} }]);
    given([created, { type: 'ConnectionRemoved', data: {} }])
      .when(command(RemoveConnection, key))
      .thenNothingHappened();
    given([created, { type: 'ConnectionRemoved', data: {} }])
      .when(command(EnableConnection, key))
      .thenThrows(refusedWith('CONNECTION_NOT_FOUND'));
    given([]).when(command(RemoveConnection, key)).thenThrows(refusedWith('CONNECTION_NOT_FOUND'));
  });

  it('records a test result of an existing connection', () => {
    given([created])
      .when(
        command(RecordConnectionTest, {
          ...key,
          ok: false,
          message: 'the credentials were refused (401)',
          statusCode: 401,
          latencyMs: 12,
        }),
      )
      .then([
        {
          type: 'ConnectionTested',
          data: { ok: false, message: 'the credentials were refused (401)', statusCode: 401, latencyMs: 12 },
        },
      ]);
    given([])
      .when(command(RecordConnectionTest, { ...key, ok: true, message: 'ok', latencyMs: 1 }))
      .thenThrows(refusedWith('CONNECTION_NOT_FOUND'));
  });
});
