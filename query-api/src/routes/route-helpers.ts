import { z } from 'zod';
import { CommandRejected } from '@ccp/command-service';
import type { ReportContext } from '../analytics/reports.js';
import type { Scope } from '../http/route.js';
import type { QueryDependencies } from './dependencies.js';

/** The date range a platform-wide view or a saved report's run may name. */
export const Range = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional().describe('Default: 30 days before `to`'),
  to: z.iso.datetime({ offset: true }).optional().describe('Default: now'),
});

export const notFound = (what: string): CommandRejected =>
  new CommandRejected(404, 'NOT_FOUND', `no ${what} in your tenant`);

/** A request's report context: its tenant's read store, time zone and tier, and the clock. */
export const reportContextOf =
  (deps: Pick<QueryDependencies, 'reportContext'>) =>
  (scope: Scope): Promise<ReportContext> =>
    deps.reportContext(scope.tenantId);
