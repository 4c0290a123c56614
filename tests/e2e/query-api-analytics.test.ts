import { describe, expect, it } from 'vitest';
import { as, useQueryPlatform, validate } from '../support/query-platform.js';

// The query API's analytics reports, over the demo tenant's recorded calls.
useQueryPlatform();

describe('analytics', () => {
  it('answers every report for the tenant, in the documented shapes', async () => {
    const volume = await as('viewer').request<{ buckets: { calls: number }[] }>(
      'GET',
      '/api/analytics/volume?interval=hour',
    );
    expect(validate('callVolume', 200, volume.body)).toEqual([]);
    expect(volume.body.buckets.reduce((sum, b) => sum + b.calls, 0)).toBe(4);
    const outcomes = await as('analyst').request<{ calls: number; resolved: number; successRate: number }>(
      'GET',
      '/api/analytics/outcomes',
    );
    expect(validate('callOutcomes', 200, outcomes.body)).toEqual([]);
    expect(outcomes.body).toMatchObject({ calls: 4, resolved: 2, successRate: 0.5 });
    const agents = await as('analyst').request<{ agents: { agentId: string; calls: number }[] }>(
      'GET',
      '/api/analytics/agents',
    );
    expect(validate('agentComparison', 200, agents.body)).toEqual([]);
    expect(agents.body.agents).toContainEqual(expect.objectContaining({ agentId: 'sofia', calls: 4 }));
    for (const [path, operationId] of [
      ['/api/analytics/sentiment?interval=day', 'sentimentOverTime'],
      ['/api/analytics/intents', 'topIntents'],
      ['/api/analytics/departments', 'departmentStats'],
      ['/api/analytics/sla', 'slaCompliance'],
      ['/api/analytics/usage', 'usage'],
      ['/api/live', 'liveMetrics'],
    ] as const) {
      const response = await as('tenant_admin').request('GET', path);
      expect(response.status, path).toBe(200);
      expect(validate(operationId, 200, response.body), path).toEqual([]);
    }
    const sentiment = await as('analyst').request<{ buckets: { negative: number }[] }>(
      'GET',
      '/api/analytics/sentiment',
    );
    expect(sentiment.body.buckets.reduce((sum, b) => sum + b.negative, 0)).toBeGreaterThan(0);
  });
});
