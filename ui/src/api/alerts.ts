import { getJson } from './client';
import { command } from './admin';
import { readTenant } from './platform-admin';

/**
 * Alerts the platform evaluates itself (GET /api/alerts, infra/alerts/alerts.ts): the rules of a tenant, or of
 * tenant 'platform' for the super admin, with what fires now, the recent transitions and the notifications that
 * could not be delivered. Rules are set through POST /api/commands/SetAlertRule and RemoveAlertRule.
 */

export const ALERT_KINDS = [
  'processor_lag',
  'error_rate',
  'provider_failures',
  'sla_breach_burst',
  'usage_cap',
  'disk_space',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
/** The kinds a tenant's own rules may watch; the others watch the platform itself (schemas/src/alert.ts). */
export const TENANT_ALERT_KINDS: readonly AlertKind[] = ['sla_breach_burst', 'usage_cap'];

export interface AlertRuleRow {
  readonly ruleId: string;
  readonly name: string;
  readonly kind: AlertKind;
  readonly threshold: number;
  readonly forSeconds: number;
  readonly channels: readonly string[];
  readonly unit: string;
  readonly status: 'ok' | 'pending' | 'firing';
  readonly value?: number;
  readonly firedAt?: string;
}

export interface AlertTransition {
  readonly ruleId: string;
  readonly name: string;
  readonly kind: AlertKind;
  readonly transition: 'fired' | 'resolved';
  readonly at: string;
  readonly value?: number;
  readonly threshold?: number;
}

export interface AlertFailure {
  readonly ruleId: string;
  readonly connectionId: string;
  readonly transition: 'fired' | 'resolved';
  readonly at: string;
  readonly attempts: number;
  readonly error: string;
}

/** A connection of the tenant a rule may name (Telegram, Slack or email). */
export interface AlertChannel {
  readonly connectionId: string;
  readonly name: string;
  readonly kind: 'telegram' | 'slack' | 'email';
  readonly enabled: boolean;
}

export interface AlertsReport {
  readonly tenantId: string;
  readonly rules: readonly AlertRuleRow[];
  readonly transitions: readonly AlertTransition[];
  readonly failures: readonly AlertFailure[];
  readonly channels: readonly AlertChannel[];
}

export interface AlertRuleInput {
  readonly ruleId: string;
  readonly name: string;
  readonly kind: AlertKind;
  readonly threshold: number;
  readonly forSeconds: number;
  readonly channels: readonly string[];
}

export const alertsApi = {
  /** The console's own tenant (a super admin's selected one), or, named, another: 'platform' on the health page. */
  list: (tenantId?: string) =>
    tenantId === undefined
      ? getJson<AlertsReport>('/api/alerts')
      : readTenant<AlertsReport>('/api/alerts', tenantId),
  setRule: (tenantId: string, rule: AlertRuleInput) =>
    command('SetAlertRule', { tenantId, ...rule, channels: [...rule.channels] }),
  removeRule: (tenantId: string, ruleId: string) => command('RemoveAlertRule', { tenantId, ruleId }),
};
