import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT_SETTINGS, type EventEnvelope, type IvrMenu } from '@ccp/schemas';
import { Directory } from '../directory/directory.js';
import { matchIvrOption, routeNumber, type RoutingContext } from './route-call.js';

let position = 0;
const event = (streamId: string, type: string, data: unknown): EventEnvelope => ({
  id: `e${++position}`,
  type,
  data,
  version: 1,
  tenantId: streamId.startsWith('number-') ? 'platform' : 'acme',
  streamId,
  occurredAt: '2026-03-02T10:00:00.000Z',
  causationId: null,
  correlationId: 'c',
  actor: { kind: 'system', id: 'test' },
});

const menu: IvrMenu = {
  id: 'main',
  options: [
    { digit: '1', phrases: ['sales', 'ventas'], departmentId: 'sales' },
    { digit: '2', phrases: ['support', 'soporte técnico'], departmentId: 'support' },
  ],
};

// Monday to Friday 09:00-17:00 in New York.
const settings = { ...DEFAULT_TENANT_SETTINGS, timeZone: 'America/New_York', ivrMenus: [menu] };
const agent = (name: string, type: string, departmentId?: string) => ({
  name,
  type,
  voice: 'Puck',
  personality: { tone: 'friendly' },
  systemPrompt: '',
  languages: ['en'],
  fallback: 'take_message',
  escalationRules: {
    onCallerRequest: true,
    belowConfidence: 0.4,
    onNegativeSentimentTrend: true,
    keywords: [],
  },
  concurrencyLimit: 2,
  ...(departmentId !== undefined && { departmentId }),
});
const department = (name: string) => ({
  name,
  routing: { strategy: 'round_robin', maxQueueWaitSeconds: 60 },
  escalation: { afterHours: 'take_message' },
});

const directoryWith = (...extra: EventEnvelope[]): Directory => {
  const directory = new Directory();
  for (const e of [
    event('tenant-acme.acme', 'TenantCreated', { name: 'Acme', planTier: 'professional', settings }),
    event('department-acme.sales', 'DepartmentCreated', department('Sales')),
    event('department-acme.support', 'DepartmentCreated', department('Support')),
    event('agent-acme.ava', 'AgentCreated', agent('Ava', 'sales', 'sales')),
    event('agent-acme.sam', 'AgentCreated', agent('Sam', 'technical_support', 'support')),
    event('agent-acme.nite', 'AgentCreated', agent('Nite', 'after_hours')),
    event('number-platform.+15550001', 'NumberProvisioned', {
      ownerTenantId: 'acme',
      kind: 'pstn',
      provider: 'twilio',
    }),
    event('number-platform.+15550002', 'NumberProvisioned', {
      ownerTenantId: 'acme',
      kind: 'pstn',
      provider: 'twilio',
    }),
    event('number-platform.+15550003', 'NumberProvisioned', {
      ownerTenantId: 'acme',
      kind: 'pstn',
      provider: 'twilio',
    }),
    event('number-platform.+15550001', 'NumberAssigned', { target: { kind: 'department', id: 'sales' } }),
    event('number-platform.+15550002', 'NumberAssigned', { target: { kind: 'ivr', id: 'main' } }),
    ...extra,
  ]) {
    directory.apply(e);
  }
  return directory;
};

const MONDAY_NOON_NY = new Date('2026-03-02T17:00:00.000Z');
const MONDAY_NIGHT_NY = new Date('2026-03-03T03:00:00.000Z');
const context = (directory: Directory, now: Date, busy: Record<string, number> = {}): RoutingContext => ({
  directory,
  now,
  activeCalls: (_tenant, agentId) => busy[agentId] ?? 0,
});

describe('routing a call', () => {
  it('a department number is answered by its day agent in business hours', () => {
    const route = routeNumber(context(directoryWith(), MONDAY_NOON_NY), '+15550001');
    expect(route).toMatchObject({ kind: 'agent', agent: { agentId: 'ava' }, afterHours: false });
  });

  it('after hours the tenant-wide after-hours agent answers', () => {
    const route = routeNumber(context(directoryWith(), MONDAY_NIGHT_NY), '+15550001');
    expect(route).toMatchObject({ kind: 'agent', agent: { agentId: 'nite' }, afterHours: true });
  });

  it('a number assigned to a menu plays the menu', () => {
    const route = routeNumber(context(directoryWith(), MONDAY_NOON_NY), '+15550002');
    expect(route).toMatchObject({ kind: 'ivr', menu: { id: 'main' } });
  });

  it('an agent at its concurrency limit is not given more calls', () => {
    const route = routeNumber(context(directoryWith(), MONDAY_NOON_NY, { ava: 2 }), '+15550001');
    expect(route).toMatchObject({ kind: 'unavailable', reason: 'all_agents_busy' });
  });

  it('refuses unknown, unassigned and suspended numbers with their reason', () => {
    expect(routeNumber(context(directoryWith(), MONDAY_NOON_NY), '+15559999')).toMatchObject({
      reason: 'unknown_number',
    });
    expect(routeNumber(context(directoryWith(), MONDAY_NOON_NY), '+15550003')).toMatchObject({
      reason: 'unassigned',
    });
    const suspended = directoryWith(event('tenant-acme.acme', 'TenantSuspended', { reason: 'unpaid' }));
    expect(routeNumber(context(suspended, MONDAY_NOON_NY), '+15550001')).toMatchObject({
      reason: 'tenant_inactive',
    });
  });

  it('follows a reassignment and a disabled agent at once', () => {
    const directory = directoryWith(
      event('number-platform.+15550003', 'NumberAssigned', { target: { kind: 'agent', id: 'sam' } }),
    );
    expect(routeNumber(context(directory, MONDAY_NOON_NY), '+15550003')).toMatchObject({
      agent: { agentId: 'sam' },
    });
    directory.apply(event('agent-acme.sam', 'AgentDisabled', {}));
    expect(routeNumber(context(directory, MONDAY_NOON_NY), '+15550003')).toMatchObject({
      reason: 'no_agent',
    });
  });
});

describe('IVR choices', () => {
  it('by key', () =>
    expect(matchIvrOption(menu, { kind: 'dtmf', value: '2' })?.departmentId).toBe('support'));
  it('by a phrase, accents and case aside', () =>
    expect(
      matchIvrOption(menu, { kind: 'speech', value: 'Quiero hablar con Soporte Tecnico.' })?.departmentId,
    ).toBe('support'));
  it('by saying the number', () =>
    expect(matchIvrOption(menu, { kind: 'speech', value: 'one please' })?.departmentId).toBe('sales'));
  it('nothing for an unknown key or words', () => {
    expect(matchIvrOption(menu, { kind: 'dtmf', value: '9' })).toBeUndefined();
    expect(matchIvrOption(menu, { kind: 'speech', value: 'the weather' })).toBeUndefined();
  });
});
