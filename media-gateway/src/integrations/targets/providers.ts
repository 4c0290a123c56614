import { createSign } from 'node:crypto';
import { parseServiceAccount, type ServiceAccount } from '../../speech/service-account.js';
import type { Connection, Secrets } from '../connections.js';
import { excerpt, readBounded, resultOfError, resultOfResponse, testResultOf } from '../http-result.js';
import type { IntegrationTarget, TestResult } from '../port.js';
import type { TargetDeps } from './index.js';

const OPENAI_API = 'https://api.openai.com/v1';
const ANTHROPIC_API = 'https://api.anthropic.com';
/** Anthropic's stable API version header; the models list has answered on it since it was published. */
const ANTHROPIC_VERSION = '2023-06-01';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const SPEECH_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/**
 * A Google OAuth 2.0 service-account assertion (RFC 7523 JWT bearer grant, RS256), as Google documents it for
 * server-to-server calls: what google-auth-library sends, built here so the request goes through the outbound
 * guard to the token URL the key names.
 */
const assertionOf = (account: ServiceAccount, tokenUrl: string, now: Date): string => {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const iat = Math.floor(now.getTime() / 1000);
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({
    iss: account.client_email,
    scope: SPEECH_SCOPE,
    aud: tokenUrl,
    iat,
    exp: iat + 3600,
  })}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(account.private_key, 'base64url');
  return `${unsigned}.${signature}`;
};

/**
 * A tenant's own provider account (its language model, its speech-to-text): nothing is delivered to it, the
 * calls use it directly; the target only checks its credentials when an admin presses "test".
 */
export const providersTarget = (deps: TargetDeps): IntegrationTarget => {
  const get = async (url: string, headers: Record<string, string>, signal: AbortSignal, ok: string) => {
    try {
      const response = await deps.fetch(url, { method: 'GET', headers, signal });
      const body = response.ok ? '' : await readBounded(response);
      return testResultOf(resultOfResponse(response.status, body, response.headers, new Date()), ok);
    } catch (error) {
      return testResultOf(resultOfError(error, signal), ok);
    }
  };

  const googleToken = async (json: string | undefined, signal: AbortSignal): Promise<TestResult> => {
    const parsed = parseServiceAccount(json ?? '');
    if (!parsed.ok) return { ok: false, message: parsed.message };
    const { account } = parsed;
    const tokenUrl = account.token_uri ?? GOOGLE_TOKEN_URL;
    let assertion: string;
    try {
      assertion = assertionOf(account, tokenUrl, new Date());
    } catch {
      return { ok: false, message: 'the private_key of the service account key is not a usable RSA key' };
    }
    const ok = `Google issued a token for ${account.client_email}`;
    try {
      const response = await deps.fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion,
        }).toString(),
        redirect: 'manual',
        signal,
      });
      const body = await readBounded(response);
      // Google refuses a revoked or deleted key with 400 invalid_grant, not 401.
      if (response.status === 400 && body.includes('invalid_grant')) {
        return {
          ok: false,
          message: `the credentials were refused (${excerpt(body, 200)}): check the key is not revoked`,
          statusCode: 400,
        };
      }
      return testResultOf(resultOfResponse(response.status, body, response.headers, new Date()), ok);
    } catch (error) {
      return testResultOf(resultOfError(error, signal), ok);
    }
  };

  return {
    kinds: ['openai', 'anthropic', 'openai_compatible', 'google_speech'],
    actions: [],
    deliver: () =>
      Promise.resolve({
        ok: false,
        errorKind: 'client_error',
        error: 'a provider account takes no deliveries',
        retryable: false,
      }),
    test: async (connection: Connection, secrets: Secrets, signal: AbortSignal): Promise<TestResult> => {
      const { settings } = connection;
      const apiKey = secrets['apiKey'];
      switch (settings.kind) {
        case 'openai':
        case 'openai_compatible': {
          const base =
            settings.kind === 'openai'
              ? trimSlash(deps.apiUrls.openai ?? OPENAI_API)
              : trimSlash(settings.baseUrl);
          const auth: Record<string, string> =
            apiKey !== undefined ? { authorization: `Bearer ${apiKey}` } : {};
          return get(`${base}/models`, auth, signal, 'the key lists the models');
        }
        case 'anthropic':
          return get(
            `${trimSlash(deps.apiUrls.anthropic ?? ANTHROPIC_API)}/v1/models`,
            { 'x-api-key': apiKey ?? '', 'anthropic-version': ANTHROPIC_VERSION },
            signal,
            'the key lists the models',
          );
        case 'google_speech':
          return googleToken(secrets['serviceAccountJson'], signal);
        default:
          return { ok: false, message: `not a provider connection (${settings.kind})` };
      }
    },
  };
};
