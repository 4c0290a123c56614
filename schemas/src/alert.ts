import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { EntityId, IsoDateTime, Name, PLATFORM_TENANT, TenantId } from './primitives.js';

/**
 * Alerts the platform evaluates itself (the embedded profile's own evaluator; the scale profile has Prometheus'
 * rules in infra/prometheus). A rule lives in `alert-<tenant>.<ruleId>`: tenant 'platform' for the super admin's
 * rules about the whole platform, a tenant's own for its admins'. Every transition (fired, resolved) and every
 * notification's outcome is an event of the rule's stream, so a restart rebuilds what is firing from the log.
 */
const category = 'alert';

export const ALERT_KINDS = [
  'processor_lag',
  'error_rate',
  'provider_failures',
  'sla_breach_burst',
  'usage_cap',
  'disk_space',
] as const;
export const AlertKind = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKind>;

/**
 * What each kind measures, in the threshold's unit. Every kind fires when its figure is above the threshold,
 * except disk_space, which fires when the free space falls below it.
 */
export const ALERT_KIND_UNITS: Readonly<Record<AlertKind, string>> = {
  processor_lag: 'seconds (the slowest stream processor, 99th percentile)',
  error_rate: 'percent of HTTP answers that were server errors (5xx) since the last evaluation',
  provider_failures: 'remote providers (LLM, speech) whose last request failed',
  sla_breach_burst: 'calls that missed a service level target in the last 15 minutes',
  usage_cap: "percent of the plan's cap used this billing period (the fuller of minutes and tokens)",
  disk_space: "free megabytes on the data directory's disk (fires below)",
};

/** Kinds about the platform's own machinery: only the super admin's platform rules may watch them. */
export const PLATFORM_ONLY_ALERT_KINDS: ReadonlySet<AlertKind> = new Set([
  'processor_lag',
  'error_rate',
  'provider_failures',
  'disk_space',
]);

/** True when the kind fires below its threshold rather than above. */
export const alertFiresBelow = (kind: AlertKind): boolean => kind === 'disk_space';

const AlertRule = z.object({
  name: Name,
  kind: AlertKind,
  threshold: z.number().finite().min(0).max(1e12),
  /**
   * How long the figure must stay across the threshold before the alert fires, and back before it resolves: a
   * flapping figure neither fires nor resolves within it.
   */
  forSeconds: z.number().int().min(0).max(86_400),
  /**
   * Connections of the rule's tenant (Telegram, Slack, email) told when the alert fires and resolves. Their
   * credentials and addresses stay sealed in the connection; the rule names only which ones.
   */
  channels: z.array(EntityId).max(10),
});
export type AlertRule = z.infer<typeof AlertRule>;

const platformOnlyKind = (r: { tenantId: string; kind: AlertKind }): boolean =>
  r.tenantId === PLATFORM_TENANT || !PLATFORM_ONLY_ALERT_KINDS.has(r.kind);

export const SetAlertRule = defineCommand(
  category,
  'SetAlertRule',
  z
    .object({
      tenantId: TenantId,
      ruleId: EntityId,
      ...AlertRule.shape,
      channels: AlertRule.shape.channels.refine(
        (c) => new Set(c).size === c.length,
        'a channel is named twice',
      ),
    })
    .refine(platformOnlyKind, {
      message: "this kind watches the platform itself: only a rule of tenant 'platform' (super admins) may",
      path: ['kind'],
    }),
  "Set an alert rule (kind, threshold, for-duration, channels); tenant 'platform' for the platform's own. Setting it again replaces it.",
);
export const RemoveAlertRule = defineCommand(
  category,
  'RemoveAlertRule',
  z.object({ tenantId: TenantId, ruleId: EntityId }),
  'Remove an alert rule; an alert of it still firing is resolved.',
);
export const FireAlert = defineCommand(
  category,
  'FireAlert',
  z.object({
    tenantId: TenantId,
    ruleId: EntityId,
    value: z.number().finite(),
    /** When the figure crossed the threshold (it stayed across for the rule's forSeconds since). */
    since: IsoDateTime,
  }),
  'Internal: the evaluator found the rule breached for its whole for-duration.',
);
export const ResolveAlert = defineCommand(
  category,
  'ResolveAlert',
  z.object({ tenantId: TenantId, ruleId: EntityId, value: z.number().finite() }),
  'Internal: the evaluator found the figure of a firing rule back for its whole for-duration.',
);
export const RecordAlertNotification = defineCommand(
  category,
  'RecordAlertNotification',
  z.object({
    tenantId: TenantId,
    ruleId: EntityId,
    /** The transition told: its event's firedAt (the alert's identity) and which one. */
    firedAt: IsoDateTime,
    transition: z.enum(['fired', 'resolved']),
    connectionId: EntityId,
    outcome: z.enum(['delivered', 'failed']),
    attempts: z.number().int().min(1).max(100),
    error: z.string().max(500).optional(),
  }),
  'Internal: the evaluator told a channel of a transition, or gave up after its retries.',
);

export const AlertRuleSet = defineEvent(category, 'AlertRuleSet', 1, AlertRule);
export const AlertRuleRemoved = defineEvent(category, 'AlertRuleRemoved', 1, z.object({}));
export const AlertFired = defineEvent(
  category,
  'AlertFired',
  1,
  z.object({
    kind: AlertKind,
    value: z.number(),
    threshold: z.number(),
    since: IsoDateTime,
    firedAt: IsoDateTime,
  }),
);
export const AlertResolved = defineEvent(
  category,
  'AlertResolved',
  1,
  z.object({
    kind: AlertKind,
    /** The figure when it resolved; absent when the rule was removed while firing. */
    value: z.number().optional(),
    firedAt: IsoDateTime,
    resolvedAt: IsoDateTime,
  }),
);
const Notification = z.object({
  firedAt: IsoDateTime,
  transition: z.enum(['fired', 'resolved']),
  connectionId: EntityId,
  attempts: z.number().int(),
});
export const AlertNotified = defineEvent(category, 'AlertNotified', 1, Notification);
export const AlertNotificationFailed = defineEvent(
  category,
  'AlertNotificationFailed',
  1,
  Notification.extend({ error: z.string() }),
);

export const alertCommands = [
  SetAlertRule,
  RemoveAlertRule,
  FireAlert,
  ResolveAlert,
  RecordAlertNotification,
] as const;
export const alertEvents = [
  AlertRuleSet,
  AlertRuleRemoved,
  AlertFired,
  AlertResolved,
  AlertNotified,
  AlertNotificationFailed,
] as const;
