import { tierAllows } from '@ccp/schemas';
import type { DeliveryMetrics, ProviderErrorKind } from '@ccp/command-service';
import type { ReportContext } from '../analytics/reports.js';
import type { TenantProfile } from '../tenant-profile.js';
import type { ReportBook, SavedReport } from './book.js';
import { deliverByEmail, deliverByWebhook, type EmailSettings } from './deliver.js';
import type { RenderedReport } from './render.js';
import { produceReport } from './run.js';
import { latestSlot } from './schedule.js';

export interface SchedulerDependencies {
  readonly book: ReportBook;
  readonly context: (tenantId: string) => Promise<ReportContext>;
  readonly profileOf: (tenantId: string) => Promise<TenantProfile>;
  /** Absent: email deliveries fail with a clear reason (no SMTP server configured). */
  readonly email: EmailSettings | undefined;
  readonly webhookSecret: (tenantId: string, reportId: string) => string;
  /** How webhooks are called: the platform's outbound-request guard, so no delivery reaches an internal address. */
  readonly fetch: typeof fetch;
  readonly record: (
    tenantId: string,
    reportId: string,
    slot: string,
    outcome: 'delivered' | 'failed',
    detail: string,
  ) => Promise<void>;
  readonly now: () => Date;
  readonly log: (message: string) => void;
  /** How long a failed slot waits before the next attempt. */
  readonly retryAfterMs?: number;
  /** Where each delivery's outcome and each SMTP error is counted (the platform's metrics); none: nowhere. */
  readonly metrics?: DeliveryMetrics;
}

/** An SMTP server's refusal by its reply code (nodemailer's responseCode); none: it was not reached. */
const smtpErrorKind = (error: unknown): ProviderErrorKind => {
  const code =
    error instanceof Error ? (error as Error & { responseCode?: unknown }).responseCode : undefined;
  if (typeof code !== 'number') return 'unreachable';
  if (code === 530 || code === 534 || code === 535) return 'auth';
  // 4xx: the server cannot take it now; 5xx: it refuses it.
  return code < 500 ? 'server' : 'client';
};

export interface ReportScheduler {
  /** Delivers every slot that is due and not delivered yet; returns what it attempted. */
  tick(): Promise<{ readonly reportId: string; readonly slot: string; readonly outcome: string }[]>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

const deliver = async (
  deps: SchedulerDependencies,
  report: SavedReport,
  slot: string,
  file: RenderedReport,
): Promise<string> => {
  const delivery = report.delivery;
  if (!delivery) throw new Error('the report has no delivery');
  if (delivery.kind === 'email') {
    if (!deps.email) throw new Error('no SMTP server is configured (SMTP_URL)');
    const sent = await deliverByEmail(deps.email, {
      to: delivery.to,
      subject: `${report.name} (${slot})`,
      text: `Your scheduled report "${report.name}" for ${slot} is attached.`,
      attachment: file,
    }).catch((error: unknown) => {
      deps.metrics?.providerError('email', 'smtp', smtpErrorKind(error));
      throw error;
    });
    return `email ${sent.messageId}`;
  }
  const answered = await deliverByWebhook(
    { url: delivery.url, secret: deps.webhookSecret(report.tenantId, report.reportId) },
    { reportId: report.reportId, reportName: report.name, slot, attachment: file },
    { fetch: deps.fetch },
  );
  return `webhook ${answered.status}`;
};

/**
 * Sends scheduled reports. Each report's latest slot (in its tenant's time zone) is delivered once: the slot is
 * recorded as delivered after the send, so a crash between the two sends that slot again after a restart
 * (at least once; webhooks and mails carry the slot so a receiver can tell). Slots due before the report was
 * saved are not sent: saving a weekly report on a Wednesday does not mail last week's at once.
 */
export const createReportScheduler = (deps: SchedulerDependencies): ReportScheduler => {
  const retryAfter = deps.retryAfterMs ?? 5 * 60_000;
  const lastAttempt = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  const tick = async () => {
    await deps.book.catchUp();
    const now = deps.now();
    const attempted: { reportId: string; slot: string; outcome: string }[] = [];
    for (const report of deps.book.scheduled()) {
      if (!report.schedule) continue;
      const profile = await deps.profileOf(report.tenantId);
      // A tier without scheduled reports keeps its saved definitions but gets no deliveries until it upgrades.
      if (!tierAllows(profile.planTier, 'scheduled_reports')) continue;
      const due = latestSlot(report.schedule, profile.timeZone, now);
      if (due.dueAt.getTime() > now.getTime() || due.dueAt.getTime() < Date.parse(report.savedAt)) continue;
      if (deps.book.wasDelivered(report.tenantId, report.reportId, due.slot)) continue;
      const key = `${report.tenantId}/${report.reportId}/${due.slot}`;
      const previous = lastAttempt.get(key);
      if (previous !== undefined && now.getTime() - previous < retryAfter) continue;
      lastAttempt.set(key, now.getTime());
      try {
        const file = await produceReport(
          await deps.context(report.tenantId),
          report,
          report.format,
          due.range,
          profile.name,
        );
        const detail = await deliver(deps, report, due.slot, file);
        deps.metrics?.delivery('report', report.delivery?.kind ?? 'none', 'delivered');
        await deps.record(report.tenantId, report.reportId, due.slot, 'delivered', detail);
        attempted.push({ reportId: report.reportId, slot: due.slot, outcome: 'delivered' });
      } catch (error) {
        const detail = String(error instanceof Error ? error.message : error).slice(0, 500);
        deps.log(`report ${report.tenantId}/${report.reportId} slot ${due.slot}: ${detail}`);
        deps.metrics?.delivery('report', report.delivery?.kind ?? 'none', 'failed');
        await deps
          .record(report.tenantId, report.reportId, due.slot, 'failed', detail)
          .catch((e: unknown) => deps.log(`report delivery not recorded: ${String(e)}`));
        attempted.push({ reportId: report.reportId, slot: due.slot, outcome: 'failed' });
      }
    }
    return attempted;
  };

  return {
    tick: () => {
      const next = running.then(tick, tick);
      running = next.catch(() => undefined);
      return next;
    },
    start: (intervalMs) => {
      timer = setInterval(() => {
        running = running.then(tick, tick).catch((e: unknown) => deps.log(`report scheduler: ${String(e)}`));
      }, intervalMs);
      timer.unref();
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
};
