import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';

let test: TestPlatform;
beforeAll(async () => {
  test = await startTestPlatform(undefined, { env: { RATE_LIMIT_PER_KEY: '5', RATE_LIMIT_PER_IP: '12' } });
});
afterAll(() => test?.stop());

describe('rate limits on the running platform', () => {
  it('answers 429 with Retry-After past a key’s limit and an address’s limit; health stays up', async () => {
    const token = await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password);
    const client = apiClient(test.url, token);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await client.request('GET', '/api/auth/me')).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const refused = await client.request<{ error: { code: string } }>('GET', '/api/auth/me');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Without credentials the address's own bucket runs out too.
    let anonymous = 0;
    for (let i = 0; i < 12 && anonymous !== 429; i++)
      anonymous = (await apiClient(test.url).request('GET', '/api/commands')).status;
    expect(anonymous).toBe(429);
    expect((await fetch(`${test.url}/health`)).status).toBe(200);
  });
});
