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

const prompt = (
  options: {
    booksByService?: boolean;
    caller?: { name: string };
    now?: Date;
    coaching?: string[];
    afterHours?: boolean;
  } = {},
) => {
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

  // A server's prompt cache reuses only the longest prefix it has seen: a time with milliseconds on the second
  // line made every turn of a local model process the whole prompt again.
  it('keeps every line but the time the same from turn to turn, and puts the time after the stable lines', () => {
    const first = prompt({ now: OPEN_HOURS }).split('\n');
    const later = prompt({ now: new Date(OPEN_HOURS.getTime() + 3 * 60_000 + 17_250) }).split('\n');
    expect(later).toHaveLength(first.length);
    const differing = first.flatMap((line, i) => (line === later[i] ? [] : [i]));
    expect(differing).toHaveLength(1);
    const at = differing[0] ?? -1;
    // Monday, March 2 2026, 11:00 and 11:03 in New York: to the minute, in the tenant's zone.
    expect(first[at]).toBe('Now: Monday, 2026-03-02, 11:00 (America/New_York).');
    expect(later[at]).toBe('Now: Monday, 2026-03-02, 11:03 (America/New_York).');
    // Only the situation (whether people take calls now) stands between the stable lines and the time.
    expect(at).toBe(first.length - 1);
    expect(first[at - 1]).toMatch(/^People can take calls now/);
    for (const stable of ['You are Ava', 'Tone: ', 'Greeting: ', 'Answer questions about the business']) {
      expect(first.findIndex((line) => line.startsWith(stable))).toBeLessThan(at - 1);
    }
  });

  it('puts the caller, the opening state and coaching after what every call of the agent shares', () => {
    const plain = prompt({}).split('\n');
    const shared = plain.findIndex((line) => line.startsWith('People can take calls now'));
    const known = prompt({
      caller: { name: 'Maria Known' },
      afterHours: true,
      coaching: ['Offer the Thursday slot.'],
      now: new Date(OPEN_HOURS.getTime() + 9 * 3_600_000),
    }).split('\n');
    expect(known.slice(0, shared)).toEqual(plain.slice(0, shared));
    expect(known.slice(shared, shared + 2)).toEqual([
      'Caller: Maria Known',
      expect.stringContaining('a known contact'),
    ]);
    const now = known.findIndex((line) => line.startsWith('Now: '));
    expect(known[now - 1]).toMatch(/^The business is closed now/);
    expect(known[now]).toBe('Now: Monday, 2026-03-02, 20:00 (America/New_York).');
    expect(known.slice(now + 1)).toEqual([expect.stringMatching(/supervisor.*Offer the Thursday slot\.$/)]);
  });
});
