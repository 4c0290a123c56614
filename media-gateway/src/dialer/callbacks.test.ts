import { describe, expect, it } from 'vitest';
import { callbackDial } from './callbacks.js';

const inbound = {
  direction: 'inbound' as const,
  from: '+12125550147',
  to: '+15550100001',
  provider: 'twilio' as const,
  agentId: 'sofia',
  startedAt: '2026-03-02T15:00:00.000Z',
};

describe('callbacks and follow-ups as dials of the callbacks campaign', () => {
  it('calls back the other party from the number they called, with the agent of the call', () => {
    const dial = callbackDial(
      'demo',
      'CA1',
      {
        kind: 'callback',
        callbackId: 'cb-1',
        at: '2026-03-03T15:00:00.000Z',
        reason: 'price list',
        number: '+12125550147',
      },
      inbound,
    );
    expect(dial).toEqual({
      command: {
        tenantId: 'demo',
        callbackId: 'cb-1',
        kind: 'callback',
        at: '2026-03-03T15:00:00.000Z',
        phone: '+12125550147',
        agentId: 'sofia',
        callerId: '+15550100001',
        timeZones: ['America/New_York'],
        country: 'US',
        sourceCallId: 'CA1',
        reason: 'price list',
      },
    });
  });

  it('follows up an outbound call on the number it dialled', () => {
    const outbound = { ...inbound, direction: 'outbound' as const, from: '+15550100001', to: '+12125550147' };
    const dial = callbackDial(
      'demo',
      'CA2',
      { kind: 'follow_up', callbackId: 'fu-CA2', at: '2026-03-03T15:00:00.000Z', reason: 'forms' },
      outbound,
    );
    expect(dial).toMatchObject({
      command: { phone: '+12125550147', callerId: '+15550100001', callbackId: 'fu-CA2' },
    });
  });

  it('skips what cannot be dialled: a number that is not E.164, a call without an agent', () => {
    const request = {
      kind: 'callback' as const,
      callbackId: 'cb-2',
      at: '2026-03-03T15:00:00.000Z',
      reason: 'x',
    };
    expect(callbackDial('demo', 'CA3', { ...request, number: 'client:alice' }, inbound)).toEqual({
      skipped: 'the number client:alice is not E.164',
    });
    const { agentId: _agentId, ...noAgent } = inbound;
    expect(callbackDial('demo', 'CA3', request, noAgent)).toEqual({ skipped: 'the call had no agent' });
  });
});
