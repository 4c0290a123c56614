import { describe, expect, it } from 'vitest';
import {
  commandDefinitions,
  commandJsonSchema,
  eventDefinitions,
  eventJsonSchema,
  latestEventDefinition,
  ROLES,
} from '@ccp/schemas';
import { commandRoutes, reactions } from './index.js';

describe('the catalogue of commands and events', () => {
  it('routes every command exactly once, and nothing else', () => {
    const routed = commandRoutes.map((r) => r.definition.type).sort();
    expect(routed).toEqual(commandDefinitions.map((d) => d.type).sort());
    expect(new Set(routed).size).toBe(routed.length);
  });

  it('names commands as imperatives and events as past-tense facts, each type@version once', () => {
    const keys = eventDefinitions.map((d) => `${d.type}@${d.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    // Irregular participles and facts that read as states are listed, so that every new name gets a look.
    const irregular = [
      'IvrOptionChosen',
      'HumanTookOver',
      'RecordingAvailable',
      'FeedbackGiven',
      'RecordingConsentGiven',
      'AppointmentNoShow',
      'MessageTaken',
      'VoicemailLeft',
      'AnnouncementWithdrawn',
      'UsageLimitsSet',
      'AlertRuleSet',
      'RetentionPolicySet',
      'CallWrappedUp',
      'MessageSent',
    ];
    for (const d of eventDefinitions) if (!irregular.includes(d.type)) expect(d.type).toMatch(/ed$/);
    // Imperatives whose last word happens to end in "ed".
    const imperative = ['RotateCalendarFeed'];
    for (const d of commandDefinitions) if (!imperative.includes(d.type)) expect(d.type).not.toMatch(/ed$/);
  });

  it('gives every command a data schema with tenantId, and only real roles', () => {
    for (const route of commandRoutes) {
      const schema = commandJsonSchema(route.definition) as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      expect(schema.properties, route.definition.type).toHaveProperty('tenantId');
      expect(schema.required, route.definition.type).toContain('tenantId');
      for (const role of route.roles) expect(ROLES).toContain(role);
      expect(route.roles, `${route.definition.type}: super admins need no listing`).not.toContain(
        'super_admin',
      );
    }
  });

  it('turns every event version into a JSON Schema of the full envelope for the schema registry', () => {
    for (const definition of eventDefinitions) {
      const schema = eventJsonSchema(definition) as {
        type: string;
        properties: Record<string, unknown>;
        required: string[];
      };
      expect(schema.type).toBe('object');
      expect(Object.keys(schema.properties)).toEqual(
        expect.arrayContaining([
          'id',
          'type',
          'version',
          'tenantId',
          'streamId',
          'occurredAt',
          'causationId',
          'correlationId',
          'actor',
          'data',
        ]),
      );
      expect(schema.required).toContain('data');
    }
  });

  it('reacts only to events that exist', () => {
    for (const type of reactions.keys()) expect(latestEventDefinition(type), type).toBeDefined();
  });
});
