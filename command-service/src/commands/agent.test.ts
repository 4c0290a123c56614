import { describe, expect, it } from 'vitest';
import { AgentDeleted, CreateAgent, DeleteAgent, ReleaseQuota, ReserveQuota } from '@ccp/schemas';
import { agentReactions, agentRoutes } from './agent.js';
import { request } from './route.js';
import { prerequisitesOf, storedEvent, streamOf, validated } from './testing.js';

const creation = { tenantId: 'acme', agentId: 'ava', name: 'Ava', type: 'customer_service' } as const;

describe('agent routes', () => {
  it('decides on the agent stream of the tenant', () => {
    expect(streamOf(agentRoutes, CreateAgent, creation)).toBe('agent-acme.ava');
  });

  it('takes a unit of the plan before creating an agent', () => {
    expect(prerequisitesOf(agentRoutes, CreateAgent, creation)).toEqual([
      request(ReserveQuota, { tenantId: 'acme', resource: 'aiAgents', key: 'ava' }),
    ]);
    expect(prerequisitesOf(agentRoutes, DeleteAgent, { tenantId: 'acme', agentId: 'ava' })).toEqual([]);
  });

  it('gives the unit back once the agent is deleted', () => {
    const deleted = storedEvent(AgentDeleted, {}, { category: 'agent', tenantId: 'acme', id: 'ava' });
    expect(validated(agentReactions.AgentDeleted?.(deleted) ?? [])).toEqual([
      request(ReleaseQuota, { tenantId: 'acme', resource: 'aiAgents', key: 'ava' }),
    ]);
  });
});
