import { describe, it } from 'vitest';
import { CloseMeter, RecordUsage, type MeterItem } from '@ccp/schemas';
import { DeciderSpecification, command, refusedWith } from '../testing.js';
import { meterDecider, type MeterEvent } from './meter.js';

const given = DeciderSpecification.for(meterDecider);
const key = { tenantId: 'acme', period: '2026-03' };
const item = (position: number, overrides: Partial<MeterItem> = {}): MeterItem => ({
  identifier: `u${position}`,
  resource: 'call_seconds',
  quantity: 60,
  occurredAt: '2026-03-10T12:00:00.000Z',
  ...overrides,
});
const metered = (items: MeterItem[], afterClose = false): MeterEvent => ({
  type: 'UsageMetered',
  data: { items, afterClose },
});
const closeAt = (now: string) => command(CloseMeter, key, { now: new Date(now) });
const closed: MeterEvent = { type: 'MeterClosed', data: { callSeconds: 120, llmTokens: 900, items: 3 } };
const tokens = item(3, { resource: 'llm_tokens', quantity: 900 });

describe('usage meter', () => {
  it('meters new identifiers only: a redelivered batch meters nothing twice', () => {
    given([])
      .when(command(RecordUsage, { ...key, items: [item(1), item(2)] }))
      .then(metered([item(1), item(2)]));
    given([metered([item(1)])])
      .when(command(RecordUsage, { ...key, items: [item(1), item(2), item(2)] }))
      .then(metered([item(2)]));
    given([metered([item(1), item(2)])])
      .when(command(RecordUsage, { ...key, items: [item(1), item(2)] }))
      .thenNothingHappened();
  });

  it('refuses an item of another month unless it was carried from a closed one', () => {
    const april = item(4, { occurredAt: '2026-04-01T00:00:00.000Z' });
    given([])
      .when(command(RecordUsage, { ...key, items: [item(1), april] }))
      .thenThrows(refusedWith('USAGE_OUTSIDE_PERIOD', 'items'));
    const february = item(5, { occurredAt: '2026-02-28T23:59:59.000Z' });
    given([])
      .when(command(RecordUsage, { ...key, items: [february], carriedFrom: '2026-02' }))
      .then({ type: 'UsageMetered', data: { items: [february], afterClose: false, carriedFrom: '2026-02' } });
  });

  it('closes only once the month is over, with the totals metered before the close', () => {
    const history = [metered([item(1), item(2)]), metered([tokens])];
    given(history)
      .when(closeAt('2026-03-31T23:59:59.999Z'))
      .thenThrows(refusedWith('PERIOD_NOT_OVER', 'period'));
    given(history).when(closeAt('2026-04-01T00:00:00.000Z')).then(closed);
    given([...history, closed])
      .when(closeAt('2026-04-01T01:00:00.000Z'))
      .thenNothingHappened();
  });

  it('closes a meter that was never written with zeros', () =>
    given([])
      .when(closeAt('2026-04-01T00:05:00.000Z'))
      .then({ type: 'MeterClosed', data: { callSeconds: 0, llmTokens: 0, items: 0 } }));

  it('totals only the usage from billableFrom on (the account opened during the month), and says so', () => {
    const before = item(6, { occurredAt: '2026-03-09T23:59:59.999Z' });
    const atOpening = item(7, { occurredAt: '2026-03-10T00:00:00.000Z', quantity: 30 });
    const history = [metered([before, atOpening]), metered([tokens, item(8)])];
    const billableFrom = '2026-03-10T00:00:00.000Z';
    given(history)
      .when(command(CloseMeter, { ...key, billableFrom }, { now: new Date('2026-04-01T00:05:00.000Z') }))
      .then({ type: 'MeterClosed', data: { callSeconds: 90, llmTokens: 900, items: 3, billableFrom } });
    // Without it, the whole month.
    given(history)
      .when(closeAt('2026-04-01T00:05:00.000Z'))
      .then({ type: 'MeterClosed', data: { callSeconds: 150, llmTokens: 900, items: 4 } });
  });

  it('records usage after the close for the next month, and it never counts in this one', () => {
    const history = [metered([item(1), item(2)]), metered([tokens]), closed];
    const late = item(9, { occurredAt: '2026-03-31T23:59:00.000Z' });
    given(history)
      .when(command(RecordUsage, { ...key, items: [late, item(1)] }))
      .then(metered([late], true));
    given(history)
      .when(command(RecordUsage, { ...key, items: [late] }))
      .then(metered([late], true));
    given([...history.slice(0, 2), metered([late], true)])
      .when(closeAt('2026-04-01T00:05:00.000Z'))
      .then(closed);
    given([...history, metered([late], true)])
      .when(command(RecordUsage, { ...key, items: [late] }))
      .thenNothingHappened();
  });
});
