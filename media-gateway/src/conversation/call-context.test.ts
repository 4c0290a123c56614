import { afterEach, describe, expect, it } from 'vitest';
import { MediaGateway } from '../gateway.js';
import { tenantKnowledge } from '../knowledge.js';
import type { LanguageModel, LlmRequest } from '../llm/port.js';
import { gatewayFixture, OPEN_HOURS, type GatewayFixture } from '../testing/fixture.js';

/*
 * What the gateway asks the model with, turn after turn: the agent's system prompt, the same for every call,
 * and the call's context, the same for every turn of the call (it says when the call started, not the time of
 * the turn), so that a server's prompt cache reuses the tools and the whole history.
 */

const MINUTE = 60_000;

let fixture: GatewayFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** A stand-in model that says one line to everything and keeps the requests. */
const recordingModel = () => {
  const requests: LlmRequest[] = [];
  const model: LanguageModel = {
    name: 'recording',
    respond: async (request) => {
      requests.push(request);
      return {
        text: 'Sure.',
        toolCalls: [],
        model: 'recording-1',
        usage: { promptTokens: 1, completionTokens: 1 },
      };
    },
  };
  return { model, requests };
};

describe('the call context', () => {
  it('stays the same for every turn of a call, minutes apart; the system prompt for every call', async () => {
    let clock = OPEN_HOURS.getTime() + 20_000;
    const f = await gatewayFixture(() => new Date(clock));
    fixture = f;
    const { model, requests } = recordingModel();
    const gateway = new MediaGateway({
      live: f.live,
      commands: f.commands,
      model,
      searchKnowledge: tenantKnowledge(f.live.directory),
      humansAvailable: () => false,
      now: () => new Date(clock),
      log: () => undefined,
      readCall: (tenantId, callId) => f.events(`call-${tenantId}.${callId}`),
    });
    const call = (callId: string, from: string) =>
      gateway.open({ callId, from, to: '+15550000001', provider: 'twilio', direction: 'inbound' });

    const first = await call('CA0000000000000000000000000000000b', '+15557770001');
    if (first.kind !== 'agent') throw new Error(first.kind);
    clock += 3 * MINUTE;
    await first.session.hear({ text: 'Do you have anything on Thursday?', confidence: 0.9 });
    clock += 2 * MINUTE + 17_000;
    await first.session.hear({ text: 'In the morning, please.', confidence: 0.9 });
    const ofFirst = [...requests];
    expect(ofFirst).toHaveLength(3);
    expect(new Set(ofFirst.map((r) => r.context)).size).toBe(1);
    expect(ofFirst[0]?.context).toContain(
      'The call started on Monday, March 2, 2026 at 11:00 (America/New_York).',
    );
    // The model still knows the time of each turn.
    expect(ofFirst.at(-1)?.now).toEqual(new Date(OPEN_HOURS.getTime() + 5 * MINUTE + 37_000));

    clock += 40 * MINUTE;
    const second = await call('CA0000000000000000000000000000000c', '+15557770002');
    if (second.kind !== 'agent') throw new Error(second.kind);
    const later = requests.at(-1);
    expect(later?.system).toBe(ofFirst[0]?.system);
    expect(later?.context).toContain('at 11:45 (America/New_York)');
    expect(new Set(requests.map((r) => r.system)).size).toBe(1);
  });
});
