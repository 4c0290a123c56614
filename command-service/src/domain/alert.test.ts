import { describe, expect, it } from 'vitest';
import {
  FireAlert,
  RecordAlertNotification,
  RemoveAlertRule,
  ResolveAlert,
  SetAlertRule,
} from '@ccp/schemas';
import { alertDecider, type AlertEvent } from './alert.js';
import { DeciderSpecification, TEST_NOW, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(alertDecider);
const key = { tenantId: 'acme', ruleId: 'sla-burst' };
const rule = {
  name: 'SLA breaches',
  kind: 'sla_breach_burst' as const,
  threshold: 3,
  forSeconds: 60,
  channels: ['ops-telegram'],
};
const set: AlertEvent = { type: 'AlertRuleSet', data: rule };
const at = (ms: number) => ({ now: new Date(TEST_NOW.getTime() + ms) });
const since = '2026-03-02T09:59:00.000Z';
const fired: AlertEvent = {
  type: 'AlertFired',
  data: { kind: 'sla_breach_burst', value: 5, threshold: 3, since, firedAt: TEST_NOW.toISOString() },
};
const resolvedAt = (ms: number): AlertEvent => ({
  type: 'AlertResolved',
  data: {
    kind: 'sla_breach_burst',
    value: 1,
    firedAt: TEST_NOW.toISOString(),
    resolvedAt: new Date(TEST_NOW.getTime() + ms).toISOString(),
  },
});

describe('alert decider', () => {
  it('sets a rule, and setting the same one again changes nothing', () => {
    given([])
      .when(command(SetAlertRule, { ...key, ...rule }))
      .then([set]);
    given([set])
      .when(command(SetAlertRule, { ...key, ...rule }))
      .thenNothingHappened();
    given([set])
      .when(command(SetAlertRule, { ...key, ...rule, threshold: 10 }))
      .then([{ type: 'AlertRuleSet', data: { ...rule, threshold: 10 } }]);
  });

  it('fires once: a second FireAlert while firing (a retry, a restart) records nothing', () => {
    given([set])
      .when(command(FireAlert, { ...key, value: 5, since }))
      .then([fired]);
    given([set, fired])
      .when(command(FireAlert, { ...key, value: 7, since }, at(5_000)))
      .thenNothingHappened();
  });

  it('resolves once, and only what fires', () => {
    given([set, fired])
      .when(command(ResolveAlert, { ...key, value: 1 }, at(90_000)))
      .then([resolvedAt(90_000)]);
    given([set, fired, resolvedAt(90_000)])
      .when(command(ResolveAlert, { ...key, value: 0 }, at(95_000)))
      .thenNothingHappened();
    given([set])
      .when(command(ResolveAlert, { ...key, value: 0 }))
      .thenNothingHappened();
  });

  it('does not fire again within the for-duration of the last resolution (no storm)', () => {
    const history = [set, fired, resolvedAt(90_000)];
    given(history)
      .when(command(FireAlert, { ...key, value: 5, since }, at(90_000 + 59_999)))
      .thenNothingHappened();
    given(history)
      .when(command(FireAlert, { ...key, value: 6, since }, at(90_000 + 60_000)))
      .then([
        {
          type: 'AlertFired',
          data: {
            kind: 'sla_breach_burst',
            value: 6,
            threshold: 3,
            since,
            firedAt: new Date(TEST_NOW.getTime() + 150_000).toISOString(),
          },
        },
      ]);
  });

  it('removing a rule that fires resolves its alert; a changed kind resolves it too', () => {
    given([set, fired])
      .when(command(RemoveAlertRule, key, at(1000)))
      .then([
        {
          type: 'AlertResolved',
          data: {
            kind: 'sla_breach_burst',
            firedAt: TEST_NOW.toISOString(),
            resolvedAt: new Date(TEST_NOW.getTime() + 1000).toISOString(),
          },
        },
        { type: 'AlertRuleRemoved', data: {} },
      ]);
    const usage = { ...rule, kind: 'usage_cap' as const, threshold: 90 };
    given([set, fired])
      .when(command(SetAlertRule, { ...key, ...usage }))
      .then([
        {
          type: 'AlertResolved',
          data: {
            kind: 'sla_breach_burst',
            firedAt: TEST_NOW.toISOString(),
            resolvedAt: TEST_NOW.toISOString(),
          },
        },
        { type: 'AlertRuleSet', data: usage },
      ]);
  });

  it('refuses transitions of unknown or removed rules', () => {
    given([]).when(command(RemoveAlertRule, key)).thenThrows(refusedWith('ALERT_RULE_NOT_FOUND', 'ruleId'));
    given([set, { type: 'AlertRuleRemoved', data: {} }])
      .when(command(FireAlert, { ...key, value: 5, since }))
      .thenThrows(refusedWith('ALERT_RULE_NOT_FOUND', 'ruleId'));
    given([set, { type: 'AlertRuleRemoved', data: {} }])
      .when(command(RemoveAlertRule, key))
      .thenNothingHappened();
  });

  it('records each notification once, delivered or failed after its retries', () => {
    const notice = {
      ...key,
      firedAt: TEST_NOW.toISOString(),
      transition: 'fired' as const,
      connectionId: 'ops-telegram',
    };
    const delivered: AlertEvent = {
      type: 'AlertNotified',
      data: {
        firedAt: TEST_NOW.toISOString(),
        transition: 'fired',
        connectionId: 'ops-telegram',
        attempts: 2,
      },
    };
    given([set, fired])
      .when(command(RecordAlertNotification, { ...notice, outcome: 'delivered', attempts: 2 }))
      .then([delivered]);
    given([set, fired, delivered])
      .when(command(RecordAlertNotification, { ...notice, outcome: 'delivered', attempts: 3 }))
      .thenNothingHappened();
    given([set, fired])
      .when(
        command(RecordAlertNotification, { ...notice, outcome: 'failed', attempts: 5, error: '500: down' }),
      )
      .then([
        { type: 'AlertNotificationFailed', data: { ...delivered.data, attempts: 5, error: '500: down' } },
      ]);
  });

  it('validates rules: platform kinds only on the platform, channels once each, bounded figures', () => {
    const parse = (input: Record<string, unknown>) =>
      SetAlertRule.data.safeParse({ ...key, ...rule, ...input });
    expect(parse({ kind: 'disk_space' }).error?.issues[0]?.path).toEqual(['kind']);
    expect(parse({ tenantId: 'platform', kind: 'disk_space' }).success).toBe(true);
    expect(parse({ channels: ['a', 'a'] }).error?.issues[0]?.path).toEqual(['channels']);
    expect(parse({ threshold: -1 }).success).toBe(false);
    expect(parse({ forSeconds: 86_401 }).success).toBe(false);
    expect(parse({ kind: 'cpu' }).success).toBe(false);
  });
});
