import type { AlertRule, alertCommands, alertEvents, CommandOf, EventOf } from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type AlertCommand = CommandOf<(typeof alertCommands)[number]>;
export type AlertEvent = EventOf<(typeof alertEvents)[number]>;

export interface Firing {
  readonly firedAt: string;
  readonly since: string;
  readonly value: number;
}

export type AlertState =
  | { readonly status: 'none' | 'removed' }
  | {
      readonly status: 'set';
      readonly rule: AlertRule;
      readonly firing?: Firing;
      /** When the last alert of this rule resolved: no new one fires within the rule's for-duration of it. */
      readonly resolvedAt?: string;
      /** Notifications recorded, as `firedAt/transition/connectionId`: each is recorded once. */
      readonly notified: ReadonlySet<string>;
    };

const NOT_FOUND = () => new DomainError('ALERT_RULE_NOT_FOUND', 'no alert rule with this id', 'ruleId');

const ruleOf = (data: AlertRule): AlertRule => ({
  name: data.name,
  kind: data.kind,
  threshold: data.threshold,
  forSeconds: data.forSeconds,
  channels: [...data.channels],
});

export const decide = (command: AlertCommand, state: AlertState): AlertEvent[] => {
  const now = command.metadata.now.toISOString();
  switch (command.type) {
    case 'SetAlertRule': {
      const rule = ruleOf(command.data);
      if (state.status === 'set' && JSON.stringify(ruleOf(state.rule)) === JSON.stringify(rule)) return [];
      // Another kind measures another figure: what fired on the old one is over.
      const ended =
        state.status === 'set' && state.firing !== undefined && state.rule.kind !== rule.kind
          ? [resolved(state.rule, state.firing, now)]
          : [];
      return [...ended, { type: 'AlertRuleSet', data: rule }];
    }
    case 'RemoveAlertRule':
      if (state.status !== 'set') {
        if (state.status === 'none') throw NOT_FOUND();
        return [];
      }
      return [
        ...(state.firing !== undefined ? [resolved(state.rule, state.firing, now)] : []),
        { type: 'AlertRuleRemoved', data: {} },
      ];
    case 'FireAlert': {
      if (state.status !== 'set') throw NOT_FOUND();
      // Once: an evaluator that retries, or one restarted while the alert fires, changes nothing.
      if (state.firing !== undefined) return [];
      const quietUntil =
        state.resolvedAt === undefined ? 0 : Date.parse(state.resolvedAt) + state.rule.forSeconds * 1000;
      if (command.metadata.now.getTime() < quietUntil) return [];
      const { value, since } = command.data;
      return [
        {
          type: 'AlertFired',
          data: { kind: state.rule.kind, value, threshold: state.rule.threshold, since, firedAt: now },
        },
      ];
    }
    case 'ResolveAlert':
      if (state.status !== 'set') throw NOT_FOUND();
      if (state.firing === undefined) return [];
      return [resolved(state.rule, state.firing, now, command.data.value)];
    case 'RecordAlertNotification': {
      if (state.status === 'none') throw NOT_FOUND();
      const { firedAt, transition, connectionId, attempts, outcome, error } = command.data;
      if (state.status === 'set' && state.notified.has(`${firedAt}/${transition}/${connectionId}`)) return [];
      const data = { firedAt, transition, connectionId, attempts };
      return [
        outcome === 'delivered'
          ? { type: 'AlertNotified', data }
          : { type: 'AlertNotificationFailed', data: { ...data, error: error ?? 'not delivered' } },
      ];
    }
  }
};

const resolved = (rule: AlertRule, firing: Firing, now: string, value?: number): AlertEvent => ({
  type: 'AlertResolved',
  data: { kind: rule.kind, ...(value !== undefined && { value }), firedAt: firing.firedAt, resolvedAt: now },
});

export const evolve = (state: AlertState, event: AlertEvent): AlertState => {
  switch (event.type) {
    case 'AlertRuleSet':
      return state.status === 'set'
        ? { ...state, rule: event.data }
        : { status: 'set', rule: event.data, notified: new Set() };
    case 'AlertRuleRemoved':
      return { status: 'removed' };
    case 'AlertFired': {
      if (state.status !== 'set') return state;
      const { firedAt, since, value } = event.data;
      return { ...state, firing: { firedAt, since, value } };
    }
    case 'AlertResolved': {
      if (state.status !== 'set') return state;
      const { firing: _over, ...rest } = state;
      return { ...rest, resolvedAt: event.data.resolvedAt };
    }
    case 'AlertNotified':
    case 'AlertNotificationFailed': {
      if (state.status !== 'set') return state;
      const { firedAt, transition, connectionId } = event.data;
      return { ...state, notified: new Set([...state.notified, `${firedAt}/${transition}/${connectionId}`]) };
    }
  }
};

export const alertDecider: Decider<AlertCommand, AlertEvent, AlertState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
