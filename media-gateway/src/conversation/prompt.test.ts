import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatewayFixture, OPEN_HOURS, TENANT, type GatewayFixture } from '../testing/fixture.js';
import { buildSystemPrompt } from './prompt.js';

/*
 * What the system prompt tells every model about booking and the caller: tenants with services book through
 * find_free_slots, and a known caller is named (also on the `Caller:` line the offline engine reads).
 */

let f: GatewayFixture;
beforeEach(async () => {
  f = await gatewayFixture();
});
afterEach(async () => {
  await f.close();
});

const prompt = (options: { booksByService?: boolean; caller?: { name: string } }) => {
  const directory = f.live.directory;
  return buildSystemPrompt({
    tenant: directory.tenant(TENANT)!,
    department: undefined,
    agent: directory.agent(TENANT, 'ava')!,
    scripts: [],
    afterHours: false,
    now: OPEN_HOURS,
    ...options,
  });
};

describe('system prompt', () => {
  it('names a known caller, and says nothing of one otherwise', () => {
    const known = prompt({ caller: { name: 'Maria Known' } });
    expect(known).toMatch(/^Caller: Maria Known$/m);
    expect(known).toContain('greet them by name and book under that name without asking for it');
    expect(prompt({})).not.toMatch(/^Caller:/m);
  });

  it('has the agent offer only free times where the tenant books by service', () => {
    expect(prompt({ booksByService: true })).toContain(
      'call find_free_slots and offer only the times it returns',
    );
    expect(prompt({})).not.toContain('find_free_slots');
  });
});
