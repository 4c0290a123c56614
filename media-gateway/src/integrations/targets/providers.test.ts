import { createVerify, generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionSettings } from '@ccp/schemas';
import { outboundGuard } from '@ccp/command-service';
import type { CommandSender } from '../../conversation/commands.js';
import type { Connection } from '../connections.js';
import { providersTarget } from './providers.js';

/** Provider accounts never send commands: a call would fail the test. */
const noCommands: CommandSender = { send: () => Promise.reject(new Error('no commands')) };
const GOOD_KEY = 'sk-good-key-0001';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * Stand-ins of three documented APIs on one loopback server: OpenAI's `GET /v1/models` (Bearer key), Anthropic's
 * `GET /v1/models` (x-api-key + anthropic-version; told apart by the header), and Google's OAuth 2.0 token
 * endpoint `POST /token` (JWT bearer grant, RS256 assertion checked against the key pair's public half).
 */
const startStandIn = async () => {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const json = (status: number, value: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.method === 'GET' && req.url === '/v1/models' && req.headers['x-api-key'] !== undefined) {
        if (req.headers['anthropic-version'] === undefined) return json(400, { type: 'error' });
        return req.headers['x-api-key'] === GOOD_KEY
          ? json(200, { data: [{ id: 'claude-3-5-haiku-latest', type: 'model' }], has_more: false })
          : json(401, {
              type: 'error',
              error: { type: 'authentication_error', message: 'invalid x-api-key' },
            });
      }
      if (req.method === 'GET' && req.url === '/v1/models') {
        return req.headers.authorization === `Bearer ${GOOD_KEY}`
          ? json(200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }] })
          : json(401, { error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } });
      }
      if (req.method === 'POST' && req.url === '/token') {
        const form = new URLSearchParams(body);
        const [header = '', claims = '', signature = ''] = (form.get('assertion') ?? '').split('.');
        const valid = createVerify('RSA-SHA256')
          .update(`${header}.${claims}`)
          .verify(publicKey, Buffer.from(signature, 'base64url'));
        if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || !valid) {
          return json(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
        }
        return json(200, { access_token: 'ya29.stand-in', expires_in: 3599, token_type: 'Bearer' });
      }
      json(404, { error: 'no route' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

const connection = (settings: ConnectionSettings): Connection => ({
  tenantId: 'acme',
  connectionId: 'p1',
  streamId: 'connection-acme.p1',
  kind: settings.kind,
  name: 'Provider',
  settings,
  enabled: true,
  version: 1,
  sealedSecrets: '',
});

describe('provider accounts: test() (stand-ins of the providers’ documented APIs on 127.0.0.1)', () => {
  let standIn: Awaited<ReturnType<typeof startStandIn>>;
  let target: ReturnType<typeof providersTarget>;
  const signal = () => AbortSignal.timeout(5000);

  beforeAll(async () => {
    standIn = await startStandIn();
    target = providersTarget({
      fetch: outboundGuard({ allow: ['127.0.0.1/32'] }).fetch,
      apiUrls: { openai: `${standIn.url}/v1`, anthropic: standIn.url },
      commands: noCommands,
      consoleUrl: () => standIn.url,
      log: () => undefined,
    });
  });
  afterAll(() => standIn.close());

  it('takes no deliveries: only test()', () => {
    expect(target.actions).toEqual([]);
    expect(target.kinds).toEqual(['openai', 'anthropic', 'openai_compatible', 'google_speech']);
  });

  it('openai: lists the models with the key; a refused key says so', async () => {
    const openai = connection({ kind: 'openai' });
    expect(await target.test(openai, { apiKey: GOOD_KEY }, signal())).toMatchObject({
      ok: true,
      statusCode: 200,
    });
    expect(standIn.seen.at(-1)).toMatchObject({ method: 'GET', url: '/v1/models' });
    const refused = await target.test(openai, { apiKey: 'sk-wrong-key-0002' }, signal());
    expect(refused).toMatchObject({ ok: false, statusCode: 401 });
    expect(refused.message).toMatch(/the credentials were refused/);
  });

  it("openai_compatible: asks the tenant's server, through the outbound guard", async () => {
    const own = connection({ kind: 'openai_compatible', baseUrl: `${standIn.url}/v1/`, model: 'llama' });
    expect(await target.test(own, { apiKey: GOOD_KEY }, signal())).toMatchObject({ ok: true });
    const guarded = providersTarget({
      fetch: outboundGuard({}).fetch,
      apiUrls: {},
      commands: noCommands,
      consoleUrl: () => '',
      log: () => undefined,
    });
    const refused = await guarded.test(own, { apiKey: GOOD_KEY }, signal());
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/not allowed/);
  });

  it('anthropic: lists the models with x-api-key and anthropic-version', async () => {
    const anthropic = connection({ kind: 'anthropic' });
    expect(await target.test(anthropic, { apiKey: GOOD_KEY }, signal())).toMatchObject({ ok: true });
    expect(standIn.seen.at(-1)?.headers['anthropic-version']).toBe('2023-06-01');
    expect(await target.test(anthropic, { apiKey: 'bad-key-0003' }, signal())).toMatchObject({
      ok: false,
      statusCode: 401,
    });
  });

  it('google_speech: mints a token with the key at its token URL; says what is wrong with a bad key', async () => {
    const google = connection({ kind: 'google_speech' });
    const account = {
      type: 'service_account',
      client_email: 'stt@acme.iam.gserviceaccount.com',
      private_key: PEM,
      token_uri: `${standIn.url}/token`,
    };
    const ok = await target.test(google, { serviceAccountJson: JSON.stringify(account) }, signal());
    expect(ok).toMatchObject({
      ok: true,
      message: 'Google issued a token for stt@acme.iam.gserviceaccount.com',
    });

    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const wrongKey = { ...account, private_key: other.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const refused = await target.test(google, { serviceAccountJson: JSON.stringify(wrongKey) }, signal());
    expect(refused).toMatchObject({ ok: false, statusCode: 400 });
    expect(refused.message).toMatch(/the credentials were refused/);

    const missing = await target.test(google, { serviceAccountJson: '{"type":"service_account"}' }, signal());
    expect(missing).toEqual({
      ok: false,
      message: expect.stringMatching(/not a Google service account key .*client_email.*private_key/),
    });
    const broken = {
      ...account,
      private_key: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----',
    };
    expect(await target.test(google, { serviceAccountJson: JSON.stringify(broken) }, signal())).toMatchObject(
      {
        ok: false,
        message: expect.stringMatching(/not a usable RSA key/),
      },
    );
  });
});
