import { describe, expect, it } from 'vitest';
import type { Actor, PlanTier } from '@ccp/schemas';
import { CommandRejected } from '../application/errors.js';
import { authorize, requireWithinOwnAccess, type Access, type Credential } from './authorize.js';

const actor = (role: Actor['role'], tenantId = 'acme', kind: Actor['kind'] = 'user'): Actor => ({
  kind,
  id: 'someone',
  role,
  tenantId,
});
const session = (a: Actor): Credential => ({ actor: a, scopes: 'all' });
const key = (a: Actor, scopes: Credential['scopes']): Credential => ({
  actor: { ...a, kind: 'api_key' },
  scopes,
});
const access: Access = { roles: ['tenant_admin'], scope: 'admin', action: 'issue API keys' };

const refusal = async (
  run: () => Promise<void> | void,
): Promise<Pick<CommandRejected, 'status' | 'code'>> => {
  try {
    await run();
  } catch (error) {
    if (error instanceof CommandRejected) return { status: error.status, code: error.code };
    throw error;
  }
  throw new Error('not refused');
};

describe('authorize', () => {
  it('checks the tenant first, then the role, then the API key scope', async () => {
    const viewerKeyElsewhere = key(actor('viewer'), ['read']);
    expect(await refusal(() => authorize(viewerKeyElsewhere, access, { tenantId: 'globex' }))).toEqual({
      status: 403,
      code: 'FORBIDDEN_TENANT',
    });
    expect(await refusal(() => authorize(viewerKeyElsewhere, access, { tenantId: 'acme' }))).toEqual({
      status: 403,
      code: 'FORBIDDEN_ROLE',
    });
    const adminReadKey = key(actor('tenant_admin'), ['read']);
    expect(await refusal(() => authorize(adminReadKey, access, { tenantId: 'acme' }))).toMatchObject({
      code: 'FORBIDDEN_SCOPE',
    });
    await authorize(key(actor('tenant_admin'), ['admin']), access, { tenantId: 'acme' });
    await authorize(session(actor('tenant_admin')), access, { tenantId: 'acme' });
  });

  it('hides another tenant’s entity behind its not-found answer', async () => {
    const hidden = new CommandRejected(404, 'MEMBER_NOT_FOUND', 'no such member', 'userId');
    expect(
      await refusal(() => authorize(session(actor('tenant_admin')), access, { tenantId: 'globex', hidden })),
    ).toEqual({ status: 404, code: 'MEMBER_NOT_FOUND' });
  });

  it('lets a member act on themselves whatever their role, where the route says so', async () => {
    const own = { ...access, scope: 'session' as const, self: true };
    await authorize(session(actor('viewer')), own, { tenantId: 'acme', self: true });
    expect(await refusal(() => authorize(session(actor('viewer')), own, { tenantId: 'acme' }))).toMatchObject(
      {
        code: 'FORBIDDEN_ROLE',
      },
    );
    expect(
      await refusal(() => authorize(key(actor('viewer'), ['admin']), own, { tenantId: 'acme', self: true })),
    ).toMatchObject({ code: 'FORBIDDEN_SCOPE' });
  });

  it('asks the tier for API access from keys and for the route’s feature, never for super admins', async () => {
    const free = (): Promise<PlanTier> => Promise.resolve('free');
    const read: Access = { roles: ['analyst'], scope: 'read', action: 'read calls' };
    await authorize(session(actor('analyst')), read, { tenantId: 'acme' }, free);
    expect(
      await refusal(() => authorize(key(actor('analyst'), ['read']), read, { tenantId: 'acme' }, free)),
    ).toMatchObject({ code: 'PLAN_FEATURE' });
    const exports: Access = { ...read, feature: 'exports' };
    expect(
      await refusal(() => authorize(session(actor('analyst')), exports, { tenantId: 'acme' }, free)),
    ).toMatchObject({ code: 'PLAN_FEATURE' });
    await authorize(session(actor('super_admin', 'platform')), exports, { tenantId: 'acme' }, free);
  });

  it('asks the key’s own tenant for API access, also on routes that name no tenant', async () => {
    const tiers: Record<string, PlanTier> = { acme: 'free', globex: 'starter' };
    const planOf = (tenantId: string): Promise<PlanTier> => Promise.resolve(tiers[tenantId] ?? 'free');
    const me: Access = { roles: ['analyst'], scope: 'any', action: 'say who they are' };
    expect(await refusal(() => authorize(key(actor('analyst'), ['read']), me, {}, planOf))).toEqual({
      status: 403,
      code: 'PLAN_FEATURE',
    });
    await authorize(key(actor('analyst', 'globex'), ['read']), me, {}, planOf);
    await authorize(session(actor('analyst')), me, {}, planOf);
    // A route's feature is the tenant's it acts on, else the caller's own.
    const exportsOfMine: Access = { ...me, feature: 'exports' };
    expect(await refusal(() => authorize(session(actor('analyst')), exportsOfMine, {}, planOf))).toEqual({
      status: 403,
      code: 'PLAN_FEATURE',
    });
  });
});

describe('requireWithinOwnAccess', () => {
  it('hands out only roles the holder covers and scopes it holds', async () => {
    requireWithinOwnAccess(session(actor('tenant_admin')), { role: 'tenant_admin', scopes: ['admin'] });
    requireWithinOwnAccess(session(actor('analyst')), { role: 'viewer', scopes: ['read'] });
    expect(
      await refusal(() =>
        requireWithinOwnAccess(session(actor('supervisor')), { role: 'compliance', scopes: ['read'] }),
      ),
    ).toEqual({ status: 403, code: 'FORBIDDEN_GRANT' });
    const manager = key(actor('tenant_admin'), ['admin', 'read']);
    requireWithinOwnAccess(manager, { role: 'analyst', scopes: ['read'] });
    expect(
      await refusal(() => requireWithinOwnAccess(manager, { role: 'analyst', scopes: ['read', 'commands'] })),
    ).toEqual({ status: 403, code: 'FORBIDDEN_GRANT' });
  });
});
