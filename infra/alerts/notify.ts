import { ALERT_KIND_UNITS, PLATFORM_TENANT, type AlertRule } from '@ccp/schemas';
import type { AttemptResult, Connection, ConnectionsView, IntegrationTarget } from '@ccp/media-gateway';
import { deliverByEmail, type EmailSettings } from '@ccp/query-api';

/**
 * Tells a rule's channels of a transition: Telegram and Slack through the integration targets the tenants'
 * notifications use (the connection's sealed secrets opened only here, at the moment of the call, through the
 * outbound-request guard), email through the platform's SMTP server. A failed attempt is retried with backoff;
 * what still fails is reported, never thrown, so the evaluator goes on.
 */

export interface NotifySettings {
  /** Telegram and Slack by kind (from createTargets). */
  readonly targets: ReadonlyMap<string, IntegrationTarget>;
  readonly connections: ConnectionsView;
  /** The platform's SMTP server (SMTP_URL); without it, email channels fail with that said. */
  readonly email?: EmailSettings;
  /** Attempts per channel and transition, the first included. */
  readonly maxAttempts: number;
  /** The first retry's pause; each further one doubles it. */
  readonly retryBaseMs: number;
  readonly attemptTimeoutMs: number;
  /** The console's address, for the link to the health page. */
  readonly consoleUrl: () => string;
}

export interface Notice {
  readonly tenantId: string;
  readonly ruleId: string;
  readonly rule: AlertRule;
  readonly transition: 'fired' | 'resolved';
  readonly firedAt: string;
  readonly value?: number;
  readonly now: Date;
}

export interface NoticeOutcome {
  readonly ok: boolean;
  readonly attempts: number;
  readonly error?: string;
}

const MAX_WAIT_MS = 60_000;

/** "Disk space: 512 free megabytes … (threshold 1024)": one line people read on a phone. */
export const noticeText = (notice: Notice): { readonly title: string; readonly text: string } => {
  const { rule, transition, value } = notice;
  const scope = notice.tenantId === PLATFORM_TENANT ? 'Platform' : `Tenant ${notice.tenantId}`;
  const title = `${transition === 'fired' ? 'FIRING' : 'RESOLVED'}: ${rule.name} (${scope})`;
  const figure = value === undefined ? 'the rule was removed' : `now ${round(value)}`;
  const text = `${rule.kind}: ${figure}, threshold ${round(rule.threshold)} ${ALERT_KIND_UNITS[rule.kind]}; since ${notice.firedAt}`;
  return { title, text };
};

const round = (n: number): string => String(Math.round(n * 100) / 100);

const failure = (error: string, retryable: boolean): AttemptResult => ({
  ok: false,
  errorKind: retryable ? 'server_error' : 'client_error',
  error,
  retryable,
});

const attemptOnce = async (
  settings: NotifySettings,
  connection: Connection,
  notice: Notice,
  attempt: number,
  signal: AbortSignal,
): Promise<AttemptResult> => {
  const { title, text } = noticeText(notice);
  const link = `${settings.consoleUrl()}${notice.tenantId === PLATFORM_TENANT ? '/platform/health' : '/alerts'}`;
  if (connection.settings.kind === 'email') {
    if (settings.email === undefined) return failure('no SMTP server: set SMTP_URL', false);
    try {
      await deliverByEmail(settings.email, {
        to: connection.settings.to,
        subject: title,
        text: `${text}\n\n${link}`,
      });
      return { ok: true };
    } catch (error) {
      return failure(error instanceof Error ? error.message.slice(0, 300) : String(error), true);
    }
  }
  const target = settings.targets.get(connection.kind);
  if (target === undefined || !target.actions.includes('notify'))
    return failure(`a ${connection.kind} connection takes no notifications`, false);
  const secrets = settings.connections.secretsOf(connection);
  if (secrets === undefined) return failure("the connection's secrets were erased", false);
  const timeout = AbortSignal.any([signal, AbortSignal.timeout(settings.attemptTimeoutMs)]);
  return target.deliver({
    deliveryId: `alert:${notice.ruleId}:${notice.firedAt}:${notice.transition}`,
    attempt,
    connection,
    secrets,
    action: 'notify',
    source: {
      eventId: `${notice.ruleId}:${notice.firedAt}:${notice.transition}`,
      eventType: notice.transition === 'fired' ? 'AlertFired' : 'AlertResolved',
      streamId: `alert-${notice.tenantId}.${notice.ruleId}`,
      position: 0,
      occurredAt: notice.now.toISOString(),
    },
    content: { kind: 'notification', title, text, link },
    signal: timeout,
    now: notice.now,
  });
};

const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Tells one channel, retrying what may pass later; `signal` ends the retries (the platform stops). */
export const notifyChannel = async (
  settings: NotifySettings,
  notice: Notice,
  connectionId: string,
  signal: AbortSignal,
): Promise<NoticeOutcome> => {
  const connection = settings.connections.connection(notice.tenantId, connectionId);
  if (connection === undefined) return { ok: false, attempts: 1, error: `no connection ${connectionId}` };
  if (!connection.enabled) return { ok: false, attempts: 1, error: `connection ${connectionId} is disabled` };
  let last: AttemptResult = failure('not attempted', false);
  for (let attempt = 1; attempt <= settings.maxAttempts; attempt += 1) {
    last = await attemptOnce(settings, connection, notice, attempt, signal).catch((error: unknown) =>
      failure(error instanceof Error ? error.message : String(error), true),
    );
    if (last.ok) return { ok: true, attempts: attempt };
    if (!last.retryable || attempt === settings.maxAttempts || signal.aborted)
      return { ok: false, attempts: attempt, error: last.error };
    const backoff = settings.retryBaseMs * 2 ** (attempt - 1);
    await pause(Math.min(MAX_WAIT_MS, Math.max(backoff, last.retryAfterMs ?? 0)), signal);
  }
  return { ok: false, attempts: settings.maxAttempts, error: last.ok ? 'not delivered' : last.error };
};
