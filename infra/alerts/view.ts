import { alertDecider, type AlertState } from '@ccp/command-service';
import {
  alertFiresBelow,
  parseStreamName,
  type AlertKind,
  type AlertRule,
  type EventEnvelope,
} from '@ccp/schemas';
import type { AlertEvent } from '@ccp/command-service';

/**
 * The alert rules, what fires and what was told, folded from the log (`alert-*` streams) with the rules' own
 * decider: the evaluator's memory, rebuilt from the events at every start, so a restart neither fires an alert
 * already firing again nor forgets one.
 */

export interface RuleEntry {
  readonly tenantId: string;
  readonly ruleId: string;
  readonly streamId: string;
  readonly state: AlertState;
  /** The rule as last set: a rule removed while firing still tells its channels of the resolution. */
  readonly rule?: AlertRule;
  /** The rule's last transition: what its channels are told of. */
  readonly last?: {
    readonly transition: 'fired' | 'resolved';
    readonly firedAt: string;
    readonly at: string;
    readonly value?: number;
  };
}

export interface Transition {
  readonly tenantId: string;
  readonly ruleId: string;
  readonly name: string;
  readonly kind: AlertKind;
  readonly transition: 'fired' | 'resolved';
  readonly at: string;
  readonly value?: number;
  readonly threshold?: number;
}

export interface NotificationFailure {
  readonly tenantId: string;
  readonly ruleId: string;
  readonly connectionId: string;
  readonly transition: 'fired' | 'resolved';
  readonly at: string;
  readonly attempts: number;
  readonly error: string;
}

const KEPT = 200;
const isAlertEvent = (event: EventEnvelope): event is EventEnvelope & AlertEvent =>
  event.streamId.startsWith('alert-');

export class AlertsView {
  private readonly rules = new Map<string, RuleEntry>();
  private readonly transitions: Transition[] = [];
  private readonly failed: NotificationFailure[] = [];
  /** Notifications recorded (told, or given up on), as `streamId/firedAt/transition/connectionId`. */
  private readonly recorded = new Set<string>();

  apply(event: EventEnvelope): void {
    if (!isAlertEvent(event)) return;
    const parts = parseStreamName(event.streamId);
    if (!parts) return;
    const current = this.rules.get(event.streamId);
    const before = current?.state ?? alertDecider.initialState();
    const state = alertDecider.evolve(before, event);
    const name = state.status === 'set' ? state.rule.name : before.status === 'set' ? before.rule.name : '';
    let last = current?.last;
    if (event.type === 'AlertFired' || event.type === 'AlertResolved') {
      const fired = event.type === 'AlertFired';
      const { kind, firedAt } = event.data;
      const value = event.data.value;
      last = {
        transition: fired ? 'fired' : 'resolved',
        firedAt,
        at: event.occurredAt,
        ...(value !== undefined && { value }),
      };
      this.keep(this.transitions, {
        tenantId: parts.tenantId,
        ruleId: parts.id,
        name,
        kind,
        transition: last.transition,
        at: event.occurredAt,
        ...(value !== undefined && { value }),
        ...(fired && { threshold: event.data.threshold }),
      });
    }
    if (event.type === 'AlertNotified' || event.type === 'AlertNotificationFailed') {
      const { firedAt, transition, connectionId } = event.data;
      this.recorded.add(`${event.streamId}/${firedAt}/${transition}/${connectionId}`);
    }
    if (event.type === 'AlertNotificationFailed') {
      const { connectionId, transition, attempts, error } = event.data;
      this.keep(this.failed, {
        tenantId: parts.tenantId,
        ruleId: parts.id,
        connectionId,
        transition,
        at: event.occurredAt,
        attempts,
        error,
      });
    }
    const rule = state.status === 'set' ? state.rule : current?.rule;
    this.rules.set(event.streamId, {
      tenantId: parts.tenantId,
      ruleId: parts.id,
      streamId: event.streamId,
      state,
      ...(rule !== undefined && { rule }),
      ...(last !== undefined && { last }),
    });
  }

  private keep<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > KEPT) list.splice(0, list.length - KEPT);
  }

  /** Every rule ever set, removed ones included. */
  all(): RuleEntry[] {
    return [...this.rules.values()];
  }

  /** Whether a notification (`streamId/firedAt/transition/connectionId`) was recorded. */
  told(key: string): boolean {
    return this.recorded.has(key);
  }

  /** Every rule in force (removed ones are gone). */
  active(): (RuleEntry & { readonly state: Extract<AlertState, { status: 'set' }> })[] {
    return [...this.rules.values()].filter(
      (r): r is RuleEntry & { state: Extract<AlertState, { status: 'set' }> } => r.state.status === 'set',
    );
  }

  /** The rules of one tenant ('platform': the platform's own), transitions and failures newest first. */
  of(tenantId: string) {
    return {
      rules: this.active().filter((r) => r.tenantId === tenantId),
      transitions: this.transitions.filter((t) => t.tenantId === tenantId).reverse(),
      failures: this.failed.filter((f) => f.tenantId === tenantId).reverse(),
    };
  }
}

/** What an evaluation remembers of a rule between ticks: since when its figure is across, or back. */
export interface Watch {
  readonly breachedSince?: number;
  readonly clearSince?: number;
}

export type Step =
  | { readonly watch: Watch; readonly transition?: undefined }
  | { readonly watch: Watch; readonly transition: 'fire'; readonly since: number }
  | { readonly watch: Watch; readonly transition: 'resolve' };

/**
 * One evaluation of a rule: pending while its figure has been across the threshold for less than forSeconds,
 * firing once it stayed across that long, resolved once it stayed back that long. A figure that flaps within the
 * for-duration does neither. An unknown figure (its source failed) changes nothing.
 */
export const step = (
  rule: AlertRule,
  firing: boolean,
  value: number | undefined,
  now: number,
  watch: Watch,
): Step => {
  if (value === undefined) return { watch };
  const across = alertFiresBelow(rule.kind) ? value < rule.threshold : value > rule.threshold;
  const forMs = rule.forSeconds * 1000;
  if (!firing) {
    if (!across) return { watch: {} };
    const since = watch.breachedSince ?? now;
    return now - since >= forMs
      ? { watch: {}, transition: 'fire', since }
      : { watch: { breachedSince: since } };
  }
  if (across) return { watch: {} };
  const since = watch.clearSince ?? now;
  return now - since >= forMs ? { watch: {}, transition: 'resolve' } : { watch: { clearSince: since } };
};
