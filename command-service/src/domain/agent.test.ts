import { describe, expect, it } from 'vitest';
import {
  CreateAgent,
  DEFAULT_AGENT_ESCALATION_RULES,
  DeleteAgent,
  DisableAgent,
  EnableAgent,
  UpdateAgent,
  type AgentSettings,
} from '@ccp/schemas';
import { agentDecider, type AgentEvent } from './agent.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(agentDecider);

const key = { tenantId: 'acme', agentId: 'ava' };
const created = (settings: Partial<AgentSettings> = {}): AgentEvent => ({
  type: 'AgentCreated',
  data: {
    name: 'Ava',
    type: 'customer_service',
    voice: 'Puck',
    personality: { tone: 'professional' },
    systemPrompt: '',
    languages: ['en'],
    fallback: 'escalate_to_human',
    escalationRules: DEFAULT_AGENT_ESCALATION_RULES,
    concurrencyLimit: 5,
    ...settings,
  },
});
const updated = (changes: Extract<AgentEvent, { type: 'AgentUpdated' }>['data']['changes']): AgentEvent => ({
  type: 'AgentUpdated',
  data: { changes },
});
const enabled: AgentEvent = { type: 'AgentEnabled', data: {} };
const disabled: AgentEvent = { type: 'AgentDisabled', data: {} };
const deleted: AgentEvent = { type: 'AgentDeleted', data: {} };

describe('agent decider', () => {
  describe('CreateAgent', () => {
    it('creates an agent with the defaults', () =>
      given([])
        .when(command(CreateAgent, { ...key, name: 'Ava', type: 'customer_service' }))
        .then([created()]));

    it('keeps what is given and the defaults of escalation rules not named', () =>
      given([])
        .when(
          command(CreateAgent, {
            ...key,
            name: 'Ava',
            type: 'sales',
            voice: 'Kore',
            personality: { tone: 'friendly', traits: ['curious'], greeting: 'Hi, this is Ava!' },
            systemPrompt: 'Book a demo.',
            departmentId: 'sales',
            languages: ['en', 'es-MX'],
            fallback: 'take_message',
            escalationRules: { keywords: ['lawyer'], maxTurnsWithoutResolution: 8 },
            concurrencyLimit: 20,
          }),
        )
        .then([
          created({
            type: 'sales',
            voice: 'Kore',
            personality: { tone: 'friendly', traits: ['curious'], greeting: 'Hi, this is Ava!' },
            systemPrompt: 'Book a demo.',
            departmentId: 'sales',
            languages: ['en', 'es-MX'],
            fallback: 'take_message',
            escalationRules: {
              ...DEFAULT_AGENT_ESCALATION_RULES,
              keywords: ['lawyer'],
              maxTurnsWithoutResolution: 8,
            },
            concurrencyLimit: 20,
          }),
        ]));

    it('starts enabled', () => given([created()]).when(command(EnableAgent, key)).thenNothingHappened());

    it('refuses an agent that exists', () =>
      given([created()])
        .when(command(CreateAgent, { ...key, name: 'Ava', type: 'sales' }))
        .thenThrows(refusedWith('AGENT_EXISTS')));

    it('refuses the id of a deleted agent', () =>
      given([created(), deleted])
        .when(command(CreateAgent, { ...key, name: 'Ava', type: 'sales' }))
        .thenThrows(refusedWith('AGENT_DELETED')));

    it('validates the limits of the configuration', () => {
      const base = { ...key, name: 'Ava', type: 'sales' } as const;
      expect(CreateAgent.data.safeParse({ ...base, concurrencyLimit: 0 }).success).toBe(false);
      expect(CreateAgent.data.safeParse({ ...base, concurrencyLimit: 1001 }).success).toBe(false);
      expect(CreateAgent.data.safeParse({ ...base, languages: [] }).success).toBe(false);
      expect(CreateAgent.data.safeParse({ ...base, escalationRules: { belowConfidence: 1.5 } }).success).toBe(
        false,
      );
      expect(CreateAgent.data.safeParse({ ...base, voice: 'Alloy' }).success).toBe(false);
    });
  });

  describe('UpdateAgent', () => {
    it('records the fields that change', () =>
      given([created()])
        .when(command(UpdateAgent, { ...key, name: 'Ava', voice: 'Zephyr', concurrencyLimit: 8 }))
        .then([updated({ voice: 'Zephyr', concurrencyLimit: 8 })]));

    it('takes the agent out of its department with null', () =>
      given([created({ departmentId: 'sales' })])
        .when(command(UpdateAgent, { ...key, departmentId: null }))
        .then([updated({ departmentId: null })]));

    it('changes nothing when the values are already there', () =>
      given([created(), updated({ voice: 'Zephyr' })])
        .when(command(UpdateAgent, { ...key, voice: 'Zephyr', departmentId: null }))
        .thenNothingHappened());

    it('refuses an agent that does not exist', () =>
      given([])
        .when(command(UpdateAgent, { ...key, name: 'Ava' }))
        .thenThrows(refusedWith('AGENT_NOT_FOUND')));

    it('refuses a deleted agent', () =>
      given([created(), deleted])
        .when(command(UpdateAgent, { ...key, name: 'Eve' }))
        .thenThrows(refusedWith('AGENT_DELETED')));

    it('refuses an update that names nothing', () => {
      expect(UpdateAgent.data.safeParse(key).success).toBe(false);
    });
  });

  describe('EnableAgent and DisableAgent', () => {
    it('disables an enabled agent', () =>
      given([created()]).when(command(DisableAgent, key)).then([disabled]));

    it('enables a disabled agent', () =>
      given([created(), disabled]).when(command(EnableAgent, key)).then([enabled]));

    it('disabling twice is one change', () =>
      given([created(), disabled]).when(command(DisableAgent, key)).thenNothingHappened());

    it('refuses an agent that does not exist', () =>
      given([]).when(command(EnableAgent, key)).thenThrows(refusedWith('AGENT_NOT_FOUND')));

    it('refuses a deleted agent', () => {
      given([created(), deleted]).when(command(EnableAgent, key)).thenThrows(refusedWith('AGENT_DELETED'));
      given([created(), deleted]).when(command(DisableAgent, key)).thenThrows(refusedWith('AGENT_DELETED'));
    });
  });

  describe('DeleteAgent', () => {
    it('deletes an agent, enabled or not', () => {
      given([created()]).when(command(DeleteAgent, key)).then([deleted]);
      given([created(), disabled]).when(command(DeleteAgent, key)).then([deleted]);
    });

    it('deleting twice is one deletion', () =>
      given([created(), deleted]).when(command(DeleteAgent, key)).thenNothingHappened());

    it('refuses an agent that does not exist', () =>
      given([]).when(command(DeleteAgent, key)).thenThrows(refusedWith('AGENT_NOT_FOUND')));
  });
});
