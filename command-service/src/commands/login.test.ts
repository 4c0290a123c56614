import { describe, expect, it } from 'vitest';
import { ClaimLogin, ReleaseLogin, emailHash } from '@ccp/schemas';
import { loginRoutes } from './login.js';
import { prerequisitesOf, streamOf } from './testing.js';

const hash = emailHash('ana@acme.example');

describe('login routes', () => {
  it('claims and releases on the platform-wide stream of the address', () => {
    expect(
      streamOf(loginRoutes, ClaimLogin, { tenantId: 'acme', email: 'ANA@acme.example', userId: 'u-ana' }),
    ).toBe(`login-platform.${hash}`);
    expect(streamOf(loginRoutes, ReleaseLogin, { tenantId: 'acme', emailHash: hash, userId: 'u-ana' })).toBe(
      `login-platform.${hash}`,
    );
  });

  it('is for the platform alone', () => {
    expect(loginRoutes.every((r) => r.roles.length === 0)).toBe(true);
    expect(
      prerequisitesOf(loginRoutes, ClaimLogin, { tenantId: 'acme', email: 'a@b.example', userId: 'u' }),
    ).toEqual([]);
  });
});
