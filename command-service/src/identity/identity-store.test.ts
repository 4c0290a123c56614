import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import { createCommandHandler, type CommandHandler } from '../application/command-handler.js';
import { commandRoutes } from '../commands/index.js';
import type { EventStore } from '../event-store/port.js';
import { createSqliteEventStore } from '../event-store/sqlite.js';
import { createIdentityStore, type IdentityStore } from './identity-store.js';
import { hashSecret } from './secrets.js';

/*
 * The directory is a projection of the log: members and API keys as the events left them, folded by catchUp
 * into a SQLite file, and folded alike again from the start by a new directory over the same log.
 */

const system = { actor: SYSTEM_ACTOR };
const hash = (secret: string) => hashSecret(secret);
const ISSUER = { issuer: 'https://login.acme.example', audience: 'ccp' };

let dir: string;
let store: EventStore;
let handler: CommandHandler;
const opened: IdentityStore[] = [];
const directory = (name = 'identity.db'): IdentityStore => {
  const identities = createIdentityStore(join(dir, name), store);
  opened.push(identities);
  return identities;
};
const send = (type: string, input: Record<string, unknown>) => handler.handleTrusted(type, input, system);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'identity-store-'));
  store = createSqliteEventStore({ path: ':memory:' });
  handler = createCommandHandler({ store, routes: commandRoutes });
  for (const tenantId of ['acme', 'globex']) {
    await send('CreateTenant', { tenantId, name: tenantId, planTier: 'starter' });
  }
});

afterEach(async () => {
  for (const identities of opened.splice(0)) identities.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('identity projection', () => {
  it('folds invited, re-roled and removed members, keyed by tenant and user id', async () => {
    await send('InviteMember', {
      tenantId: 'acme',
      userId: 'u1',
      email: 'a@acme.example',
      name: 'A',
      role: 'agent',
    });
    await send('InviteMember', {
      tenantId: 'globex',
      userId: 'u1',
      email: 'g@globex.example',
      name: 'G',
      role: 'tenant_admin',
    });
    const identities = directory();
    expect(identities.member({ tenantId: 'acme', userId: 'u1' })).toBeUndefined();
    await identities.catchUp();
    expect(identities.member({ tenantId: 'acme', userId: 'u1' })).toEqual({
      tenantId: 'acme',
      userId: 'u1',
      email: 'a@acme.example',
      name: 'A',
      role: 'agent',
      status: 'active',
    });
    expect(identities.activeMembersWithId('u1').map((m) => m.tenantId)).toEqual(['acme', 'globex']);
    // The login claim, not the member row, says who signs in with an address.
    expect(identities.memberByEmail('A@ACME.example')?.tenantId).toBe('acme');

    await send('ChangeMemberRole', { tenantId: 'acme', userId: 'u1', role: 'supervisor' });
    await send('RemoveMember', { tenantId: 'globex', userId: 'u1' });
    await identities.catchUp();
    expect(identities.member({ tenantId: 'acme', userId: 'u1' })?.role).toBe('supervisor');
    expect(identities.member({ tenantId: 'globex', userId: 'u1' })?.status).toBe('removed');
    expect(identities.activeMembersWithId('u1').map((m) => m.tenantId)).toEqual(['acme']);
  });

  it('folds keys issued, rotated, suspended, reinstated and revoked; the hash names the key only while current', async () => {
    const issuedBy = { kind: 'user', id: 'u1', accountable: 'u1' };
    await send('InviteMember', {
      tenantId: 'acme',
      userId: 'u1',
      email: 'a@acme.example',
      name: 'A',
      role: 'tenant_admin',
    });
    await send('IssueApiKey', {
      tenantId: 'acme',
      keyId: 'k1',
      name: 'CRM',
      role: 'agent',
      scopes: ['read'],
      keyHash: hash('first'),
      issuedBy,
    });
    const identities = directory();
    await identities.catchUp();
    expect(identities.apiKeyByHash(hash('first'))).toEqual({
      keyId: 'k1',
      tenantId: 'acme',
      name: 'CRM',
      role: 'agent',
      scopes: ['read'],
      revoked: false,
      status: 'active',
      issuedBy,
      accountable: 'u1',
    });
    expect(identities.apiKeys('globex')).toEqual([]);

    await send('RotateApiKey', { tenantId: 'acme', keyId: 'k1', keyHash: hash('second') });
    await identities.catchUp();
    expect(identities.apiKeyByHash(hash('first'))).toBeUndefined();
    expect(identities.apiKeyByHash(hash('second'))?.keyId).toBe('k1');

    await send('SuspendApiKey', { tenantId: 'acme', keyId: 'k1' });
    await identities.catchUp();
    expect(identities.apiKeyByHash(hash('second'))?.status).toBe('suspended');
    await send('ReinstateApiKey', { tenantId: 'acme', keyId: 'k1', by: { kind: 'system', id: 'platform' } });
    await identities.catchUp();
    expect(identities.apiKeyByHash(hash('second'))).toMatchObject({ status: 'active', accountable: null });

    await send('RevokeApiKey', { tenantId: 'acme', keyId: 'k1' });
    await identities.catchUp();
    expect(identities.apiKeyByHash(hash('second'))).toMatchObject({ status: 'revoked', revoked: true });
  });

  it('folds the key policy, SSO issuers and plan tier of each tenant', async () => {
    const identities = directory();
    await identities.catchUp();
    expect(identities.apiKeyPolicy('acme')).toBe('revoke');
    expect(identities.planTier('acme')).toBe('starter');
    expect(identities.planTier('nobody')).toBe('free');
    await send('SetApiKeyPolicy', { tenantId: 'acme', whenIssuerRemoved: 'suspend' });
    await send('ChangePlanTier', { tenantId: 'acme', planTier: 'enterprise' });
    await send('UpdateTenantSettings', { tenantId: 'acme', settings: { sso: [ISSUER] } });
    await identities.catchUp();
    expect(identities.apiKeyPolicy('acme')).toBe('suspend');
    expect(identities.apiKeyPolicy('globex')).toBe('revoke');
    expect(identities.planTier('acme')).toBe('enterprise');
    expect(identities.planTier('globex')).toBe('starter');
    expect(identities.ssoIssuers('acme')).toEqual([ISSUER]);
    // An update that does not name sso leaves the issuers as they were.
    await send('UpdateTenantSettings', { tenantId: 'acme', settings: { timeZone: 'Europe/Paris' } });
    await identities.catchUp();
    expect(identities.ssoIssuers('acme')).toEqual([ISSUER]);
    expect(identities.ssoIssuers('globex')).toEqual([]);
  });

  it('skips an event its schema refuses and folds on past it', async () => {
    await store.append(
      'member-acme.bad',
      [
        {
          id: randomUUID(),
          type: 'MemberInvited',
          // No email or role: a malformed event must not become a member.
          data: { name: 'Nobody' },
          metadata: {
            version: 1,
            tenantId: 'acme',
            occurredAt: new Date().toISOString(),
            causationId: null,
            correlationId: 'c',
            actor: SYSTEM_ACTOR,
          },
        },
      ],
      'no_stream',
    );
    await send('InviteMember', {
      tenantId: 'acme',
      userId: 'u2',
      email: 'b@acme.example',
      name: 'B',
      role: 'agent',
    });
    const identities = directory();
    await identities.catchUp();
    expect(identities.member({ tenantId: 'acme', userId: 'bad' })).toBeUndefined();
    expect(identities.member({ tenantId: 'acme', userId: 'u2' })?.status).toBe('active');
  });

  it('is rebuilt alike by a new directory over the same log, and keeps its checkpoint across a reopen', async () => {
    await send('InviteMember', {
      tenantId: 'acme',
      userId: 'u1',
      email: 'a@acme.example',
      name: 'A',
      role: 'agent',
    });
    await send('IssueApiKey', {
      tenantId: 'acme',
      keyId: 'k1',
      name: 'CRM',
      role: 'agent',
      scopes: ['read'],
      keyHash: hash('first'),
    });
    await send('RotateApiKey', { tenantId: 'acme', keyId: 'k1', keyHash: hash('second') });
    await send('RemoveMember', { tenantId: 'acme', userId: 'u1' });
    const first = directory('first.db');
    await first.catchUp();
    const second = directory('second.db');
    await second.catchUp();
    for (const identities of [first, second]) {
      expect(identities.member({ tenantId: 'acme', userId: 'u1' })?.status).toBe('removed');
      expect(identities.apiKeys('acme').map((k) => k.keyHash)).toEqual([hash('second')]);
    }
    // Credentials are not in the log: a reopened directory keeps them, and its fold goes on from its checkpoint.
    first.setPasswordHash({ tenantId: 'acme', userId: 'u1' }, 'scrypt$stored', 1);
    first.close();
    opened.splice(opened.indexOf(first), 1);
    await send('InviteMember', {
      tenantId: 'acme',
      userId: 'u3',
      email: 'c@acme.example',
      name: 'C',
      role: 'agent',
    });
    const reopened = directory('first.db');
    await reopened.catchUp();
    expect(reopened.passwordHash({ tenantId: 'acme', userId: 'u1' })).toBe('scrypt$stored');
    expect(reopened.member({ tenantId: 'acme', userId: 'u3' })?.status).toBe('active');
    expect(reopened.apiKeyByHash(hash('first'))).toBeUndefined();
  });
});
