import {
  AgentDeleted,
  CreateAgent,
  DeleteAgent,
  DisableAgent,
  EnableAgent,
  UpdateAgent,
  VerifyAgentCanCall,
} from '@ccp/schemas';
import { agentDecider } from '../domain/agent.js';
import { reactionInput } from './reaction-input.js';
import { route, type CommandRoute, type Reactions } from './route.js';
import { releaseQuota, reserveQuota } from './tenant.js';

export const agentStream = (data: { tenantId: string; agentId: string }) => ({
  category: 'agent',
  tenantId: data.tenantId,
  id: data.agentId,
});

const admins = { stream: agentStream, roles: ['tenant_admin'] } as const;

export const agentRoutes: readonly CommandRoute[] = [
  route(CreateAgent, agentDecider, {
    ...admins,
    retryOnConflict: false,
    prerequisites: ({ tenantId, agentId }) => [reserveQuota(tenantId, 'aiAgents', agentId)],
  }),
  route(UpdateAgent, agentDecider, { ...admins, retryOnConflict: true }),
  route(EnableAgent, agentDecider, { ...admins, retryOnConflict: true }),
  route(DisableAgent, agentDecider, { ...admins, retryOnConflict: true }),
  route(DeleteAgent, agentDecider, { ...admins, retryOnConflict: true }),
  // Run by the platform only, as a prerequisite of commands that make the agent place calls.
  route(VerifyAgentCanCall, agentDecider, { stream: agentStream, roles: [], retryOnConflict: true }),
];

export const agentReactions: Reactions = {
  AgentDeleted: (event) => {
    const { tenantId, id: agentId } = reactionInput(AgentDeleted, event);
    return [releaseQuota(tenantId, 'aiAgents', agentId)];
  },
};
